/* Waits by polling SysTick's current value SYST_CVR, the down-counter that reloads from
   SYST_RVR at 0: down to a threshold, and for a number of elapsed ticks counted as
   start - now, which a reload ends early (start - now wraps), as on hardware. The busy-wait
   fast-forward test runs it with and without the fast-forward and compares the lines
   (which show the exact counter values the waits ended on), their times and the
   instructions retired; bench_polling.py times it. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

#define RELOAD_1MS              (197600u - 1u)  /* 1 ms at the 197.6 MHz core clock */
#define SYST_ENABLE_CORE_CLOCK  5u              /* ENABLE | CLKSOURCE, no interrupt */
#define ROUNDS                  4u

static uint32_t wait_down_to(uint32_t threshold)
{
    uint32_t now;
    while ((now = SYST_CVR) > threshold) { }
    return now;
}

static uint32_t wait_elapsed(uint32_t ticks)
{
    uint32_t start = SYST_CVR, now;
    while (start - (now = SYST_CVR) < ticks) { }
    return start - now;
}

static void line(const char *what, uint32_t value)
{
    print(what);
    print_u32(value);
    print("\n");
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    GPT3_INIT = 0;
    GPT3_CTRL = GPT3_OSC_CNT_1US(25) | GPT_CTRL_EN;   /* 26 MHz / 26 = 1 MHz */
    SYST_RVR = RELOAD_1MS;
    SYST_CVR = 0;
    SYST_CSR = SYST_ENABLE_CORE_CLOCK;
    print("systick-poll: start\n");
    uint32_t t0 = GPT3_CNT;
    for (uint32_t n = 0; n < ROUNDS; n++) {
        line("systick-poll: down to 1000 ended at ", wait_down_to(1000u));
        /* under 1000 ticks left: the reload ends this one (start - now wraps) */
        line("systick-poll: 50000 ticks cut by the reload after ", wait_elapsed(50000u));
        line("systick-poll: 50000 ticks took ", wait_elapsed(50000u));
    }
    line("systick-poll: done in us ", GPT3_CNT - t0);
    for (;;) wfi();
}
