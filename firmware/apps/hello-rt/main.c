/* The smallest RT app: greet on the debug UART, then count seconds with GPT0.
   The core sleeps (WFI) until GPT0's one-shot interrupt, as a real-time app should rather than
   polling GPT_ISR: a sleeping core costs no host time, so a second of device time passes in
   an instant. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

static volatile uint32_t expiries;

void IRQ1_Handler(void)
{
    uint32_t isr = GPT_ISR;
    GPT_ISR = isr;                /* read, write back: acknowledged */
    if (isr & 1u) expiries++;
}

static void sleep_ms(uint32_t ms)
{
    uint32_t target = expiries + 1;
    GPT0_CTRL = 0;
    GPT0_ICNT = ms;
    GPT0_CTRL = GPT_CTRL_EN | GPT_CTRL_RESTART;   /* one-shot, ~1 kHz */
    /* Masked test-then-sleep: an expiry between the test and the WFI still wakes it. */
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
    irq_enable();
    print("Hello from the MT3620 IO core!\n");
    for (uint32_t tick = 1;; tick++) {
        sleep_ms(1000);
        print("Tick ");
        print_u32(tick);
        print("\n");
    }
}
