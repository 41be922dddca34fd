/* GPIO self-test over jumper wires (tests/data/gpio-loopback.yaml: GPIO0-GPIO1, GPIO2-GPIO3).
   Every register is programmed the way MediaTek's OS-HAL driver does it. Prints one
   PASS/FAIL line per check, then "gpio-selftest: P passed, F failed". */
#include "armv7m.h"
#include "mt3620-gpio.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

#define GRP0 GPIO_GRP_BASE(0)
static volatile uint32_t eint1_irqs, eint3_irqs, eint3_at;
static uint32_t passed, failed;

void IRQ21_Handler(void) { eint1_irqs++; }                       /* EINT1: GPIO1 */
void IRQ23_Handler(void) { eint3_at = GPT3_CNT; eint3_irqs++; }  /* EINT3: GPIO3 */

static void check(const char *name, uint32_t measured, uint32_t expected, uint32_t tolerance)
{
    uint32_t d = measured > expected ? measured - expected : expected - measured;
    int ok = d <= tolerance;
    if (ok) passed++; else failed++;
    print(ok ? "PASS " : "FAIL ");
    print(name);
    print(": ");
    print_u32(measured);
    print(" (expected ");
    print_u32(expected);
    print(")\n");
}

static void delay_us(uint32_t us)
{
    uint32_t start = GPT3_CNT;
    while (GPT3_CNT - start < us) { }
}

static uint32_t din(unsigned pin) { return (GPIO_DIN(GRP0) & GPIO_BIT(pin)) != 0; }

static void test_output_to_input(void)
{
    gpio_make_output(0);
    gpio_make_input(1);
    GPIO_DOUT_SET(GRP0) = GPIO_BIT(0);
    check("dout_set 1 reads back on the wired input", din(1), 1, 0);
    check("output pad reads its own level", din(0), 1, 0);
    GPIO_DOUT_RESET(GRP0) = GPIO_BIT(0);
    check("dout_reset 0 reads back on the wired input", din(1), 0, 0);
    gpio_write(0, 1);                  /* MediaTek: read-modify-write of DOUT */
    check("dout rmw 1 reads back", din(1), 1, 0);
    check("dout latch holds the bit", GPIO_DOUT(GRP0) & GPIO_BIT(0), GPIO_BIT(0), 0);
    check("set alias reads 0", GPIO_DOUT_SET(GRP0), 0, 0);
    check("reset alias reads 0", GPIO_DOUT_RESET(GRP0), 0, 0);
    GPIO_DOUT(GRP0) ^= GPIO_BIT(0);    /* no toggle register: toggle by RMW */
    check("toggle by rmw reads back 0", din(1), 0, 0);
    GPIO_DOUT(GRP0) ^= GPIO_BIT(0);
    check("toggle by rmw reads back 1", din(1), 1, 0);
    check("oe shows the output", GPIO_OE(GRP0) & 3u, 1u, 0);
}

static void test_pulls(void)
{
    gpio_make_input(0);
    GPIO_PU(GRP0) = GPIO_PAD_PU_SW;    /* MediaTek: software takes pull control first */
    GPIO_PD(GRP0) = GPIO_PAD_PU_SW;
    GPIO_PD_RESET(GRP0) |= GPIO_BIT(1);
    GPIO_PU_SET(GRP0) |= GPIO_BIT(1);
    check("pull-up on GPIO1 reads 1 on both wired pins", GPIO_DIN(GRP0) & 3u, 3u, 0);
    GPIO_PU_RESET(GRP0) |= GPIO_BIT(1);
    GPIO_PD_SET(GRP0) |= GPIO_BIT(1);
    check("pull-down on GPIO1 reads 0 on both wired pins", GPIO_DIN(GRP0) & 3u, 0, 0);
    GPIO_PD_RESET(GRP0) |= GPIO_BIT(1);
}

static void test_eint_edges(void)
{
    gpio_make_output(0);
    GPIO_DOUT_RESET(GRP0) = GPIO_BIT(0);
    EINT_DBNC_CON(1) = EINT_DBNC_DUAL | EINT_DBNC_POL;     /* both edges, no debounce */
    irq_set_edge(IRQ_EINT(1));
    nvic_enable(IRQ_EINT(1));
    for (int i = 0; i < 4; i++) GPIO_DOUT(GRP0) ^= GPIO_BIT(0);
    check("eint both edges: 4 edges, interrupts", eint1_irqs, 4, 0);
    EINT_DBNC_CON(1) = EINT_DBNC_POL;                      /* falling only */
    eint1_irqs = 0;
    GPIO_DOUT_SET(GRP0) = GPIO_BIT(0);
    check("eint falling: rising edge, interrupts", eint1_irqs, 0, 0);
    GPIO_DOUT_RESET(GRP0) = GPIO_BIT(0);
    check("eint falling: falling edge, interrupts", eint1_irqs, 1, 0);
    CFG_IRQ_DIS(0) = 1u << IRQ_EINT(1);                    /* masked before the NVIC */
    GPIO_DOUT_SET(GRP0) = GPIO_BIT(0);
    GPIO_DOUT_RESET(GRP0) = GPIO_BIT(0);
    CFG_IRQ_DIS(0) = 0;
    check("eint masked by cfg_irq_dis, interrupts", eint1_irqs, 1, 0);
    nvic_disable(IRQ_EINT(1));
}

static void test_debounce(void)
{
    gpio_make_output(2);
    gpio_make_input(3);
    GPIO_DOUT_SET(GRP0) = GPIO_BIT(2);
    EINT_DBNC_CON(3) = EINT_DBNC_POL | eint_debounce_ms(1);
    irq_set_edge(IRQ_EINT(3));
    nvic_enable(IRQ_EINT(3));
    GPIO_DOUT_RESET(GRP0) = GPIO_BIT(2);                   /* a 200 us glitch */
    delay_us(200);
    GPIO_DOUT_SET(GRP0) = GPIO_BIT(2);
    delay_us(2000);
    check("debounce 1 ms: 200 us glitch, interrupts", eint3_irqs, 0, 0);
    uint32_t start = GPT3_CNT;
    GPIO_DOUT_RESET(GRP0) = GPIO_BIT(2);                   /* a real press */
    delay_us(3000);
    check("debounce 1 ms: held low, interrupts", eint3_irqs, 1, 0);
    check("debounce 1 ms: interrupt after, us", eint3_at - start, 1000, 2);
    nvic_disable(IRQ_EINT(3));
}

static void test_counter(void)
{
    GPIO_GLOBAL_CTRL(GRP0) = GPIOIF_GLOBAL_CNT_EN | GPIOIF_GLOBAL_CLK_EN;
    GPIOIF_STATIC_CTRL3(GRP0) = GPIOIF_EVENT_EDGE(0);      /* count rising edges */
    GPIOIF_DYNAMIC_CTRL0(GRP0) = GPIOIF_EVENT_SW_RST;
    GPIOIF_DYNAMIC_CTRL0(GRP0) = GPIOIF_EVENT_EN;
    gpio_make_output(0);
    GPIO_DOUT_RESET(GRP0) = GPIO_BIT(0);
    for (int i = 0; i < 10; i++) GPIO_DOUT(GRP0) ^= GPIO_BIT(0);
    check("gpioif event counter: rising edges of GPIO0", GPIOIF_COUNTER_VALUE(GRP0), 5, 0);
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    GPT3_CTRL = GPT3_OSC_CNT_1US(25) | GPT_CTRL_EN;
    irq_enable();
    test_output_to_input();
    test_pulls();
    test_eint_edges();
    test_debounce();
    test_counter();
    print("gpio-selftest: ");
    print_u32(passed);
    print(" passed, ");
    print_u32(failed);
    print(" failed\n");
    for (;;) wfi();
}
