/* Dim LED1 blue (GPIO10 = PWM group 2, channel 2) with a 1 kHz PWM from the 26 MHz clock:
   25 % high for 100 ms, then 75 % high for 100 ms; the core sleeps in between. Prints each setting with its tick counts. */
#include "armv7m.h"
#include "mt3620-gpio.h"
#include "rtprint.h"

#define PWM_GROUP   2u
#define PWM_CHANNEL 2u
#define PERIOD_TICKS 26000u            /* 26 MHz / 1 kHz */

static void set_duty(uint32_t permille)
{
    uint32_t b = PWM_BASE(PWM_GROUP);
    uint32_t on = PERIOD_TICKS * permille / 1000u, off = PERIOD_TICKS - on;
    PWM_CTRL(b, PWM_CHANNEL) &= ~PWM_CTRL_CLK_EN;
    PWM_PARAM_S0(b, PWM_CHANNEL) = PWM_PARAM(on, off);
    PWM_CTRL(b, PWM_CHANNEL) = PWM_CTRL_S0_STAY(1) | PWM_CTRL_CLK_EN | PWM_CTRL_KICK;
    print("gpio-pwm: led1-blue duty ");
    print_u32(permille);
    print("/1000, on ");
    print_u32(on);
    print(" off ");
    print_u32(off);
    print(" ticks of 26 MHz\n");
}

extern const uintptr_t ExceptionVectorTable[];
static volatile uint32_t expiries;

void IRQ1_Handler(void)
{
    GPT_ISR = GPT_ISR;
    expiries++;
}

static void sleep_ms(uint32_t ms)          /* sleep in WFI until GPT0's one-shot fires */
{
    uint32_t target = expiries + 1;
    GPT0_ICNT = ms * 32768u / 1000u;
    GPT0_CTRL = GPT_CTRL_EN | GPT_CTRL_RESTART | GPT_CTRL_32KHZ;
    for (;;) {
        irq_disable();
        if (expiries >= target) break;
        wfi();
        irq_enable();
    }
    irq_enable();
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    GPT_IER = 1u << 0;
    nvic_enable(IRQ_GPT01);
    PWM_GLO_CTRL(PWM_BASE(PWM_GROUP)) = PWM_GLO_DP_IDENTITY | PWM_GLO_CLK_XTAL;
    set_duty(250);
    sleep_ms(100);
    set_duty(750);
    sleep_ms(100);
    print("gpio-pwm: done\n");
    for (;;) wfi();
}
