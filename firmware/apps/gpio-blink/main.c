/* Blink LED1 red (GPIO8) every 250 ms from GPT0's repeat interrupt, and toggle LED1 green
   (GPIO9) on each press of button A (GPIO12) through EINT12 with a 4 ms debounce.
   RDB LEDs are lit by driving their pin low; button A reads low while pressed. */
#include "armv7m.h"
#include "mt3620-gpio.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

#define LED_BLINK   8u
#define LED_TOGGLE  9u
#define BUTTON_A    12u
#define HALF_PERIOD_TICKS 8192u       /* at 32768 Hz: 250 ms exactly */
#define DEBOUNCE_MS 4u

static uint32_t presses;

void IRQ1_Handler(void)                /* GPT0: one half period has passed */
{
    GPT_ISR = GPT_ISR;
    uint32_t b = GPIO_BASE(LED_BLINK);
    GPIO_DOUT(b) ^= GPIO_BIT(LED_BLINK);
}

void IRQ32_Handler(void)               /* EINT12: button A pressed (falling edge, debounced) */
{
    uint32_t b = GPIO_BASE(LED_TOGGLE);
    GPIO_DOUT(b) ^= GPIO_BIT(LED_TOGGLE);
    presses++;
    print("gpio-blink: button A press ");
    print_u32(presses);
    print((GPIO_DOUT(b) & GPIO_BIT(LED_TOGGLE)) ? ", led1-green off\n" : ", led1-green on\n");
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);

    gpio_write(LED_BLINK, 1);          /* both LEDs off before their pins drive */
    gpio_write(LED_TOGGLE, 1);
    gpio_make_output(LED_BLINK);
    gpio_make_output(LED_TOGGLE);
    gpio_make_input(BUTTON_A);

    EINT_DBNC_CON(BUTTON_A) = EINT_DBNC_POL | eint_debounce_ms(DEBOUNCE_MS);
    irq_set_edge(IRQ_EINT(BUTTON_A));
    nvic_enable(IRQ_EINT(BUTTON_A));

    GPT_IER = 1u << 0;
    nvic_enable(IRQ_GPT01);
    GPT0_ICNT = HALF_PERIOD_TICKS;
    GPT0_CTRL = GPT_CTRL_EN | GPT_CTRL_REPEAT | GPT_CTRL_32KHZ | GPT_CTRL_RESTART;
    irq_enable();
    print("gpio-blink: ready, led1-red period 500 ms, button A debounce 4 ms\n");
    for (;;) wfi();
}
