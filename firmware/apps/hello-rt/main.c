/* The smallest RT app: greet on the debug UART, then count seconds with GPT0. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

static void sleep_ms(uint32_t ms)
{
    GPT0_CTRL = 0;
    GPT_ISR = 1u << 0;            /* clear a stale expiry */
    GPT0_ICNT = ms;
    GPT0_CTRL = GPT_CTRL_EN | GPT_CTRL_RESTART;   /* one-shot, ~1 kHz */
    while (!(GPT_ISR & (1u << 0))) { }
    GPT_ISR = 1u << 0;
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("Hello from the MT3620 IO core!\n");
    for (uint32_t tick = 1;; tick++) {
        sleep_ms(1000);
        print("Tick ");
        print_u32(tick);
        print("\n");
    }
}
