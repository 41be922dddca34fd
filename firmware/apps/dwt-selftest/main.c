/* DWT cycle counter as RTOS ports and delay helpers use it:
   ThreadX's start-up read-modify-writes DWT_CTRL to set CYCCNTENA without touching DEMCR
   (must not fault; CYCCNT stays put until TRCENA), other ports unlock LAR and set TRCENA.
   CYCCNT then counts core cycles (197.6 MHz) in virtual time: a counted instruction loop,
   a 1 ms GPT3 sleep in WFI, and a 10 ms busy-wait on CYCCNT itself (timed by GPT3).
   One PASS/FAIL line per check, then "dwt-selftest: P passed, F failed". */
#include "armv7m.h"
#include "mt3620.h"
#include "mt3620-serial.h"
#include "rtprint.h"
#include "sleep.h"
#include "selftest.h"

extern const uintptr_t ExceptionVectorTable[];

#define CORE_HZ 197600000u

static volatile uint32_t gpt3_irqs;

void IRQ2_Handler(void) { gpt3_irqs++; }

/* Exactly 2 instructions (cycles) per iteration. */
static void spin(uint32_t n)
{
    __asm__ volatile("1: subs %0, %0, #1\n\tbne 1b" : "+r"(n) :: "cc");
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    gpt3_start_us();
    irq_enable();
    print("dwt-selftest\n");

    check("DWT_CTRL at reset: NUMCOMP 4, CYCCNTENA clear", DWT_CTRL, 0x40000000u);
    DWT_CTRL |= DWT_CTRL_CYCCNTENA;                       /* ThreadX, DEMCR untouched */
    check("CYCCNTENA set by read-modify-write", DWT_CTRL & DWT_CTRL_CYCCNTENA, 1);
    uint32_t c0 = DWT_CYCCNT;
    gpt3_sleep_us(&gpt3_irqs, 100);
    check("without DEMCR.TRCENA CYCCNT does not count", DWT_CYCCNT - c0, 0);

    check("DWT_LSR: no software lock", DWT_LSR, 0);
    DWT_LAR = DWT_LAR_KEY;
    SCB_DEMCR |= DEMCR_TRCENA;
    DWT_CYCCNT = 0;

    uint32_t t0 = DWT_CYCCNT;
    spin(10000);
    uint32_t cycles = DWT_CYCCNT - t0;
    check_range("10000 x (subs; bne): cycles", cycles, 20000, 20016);

    t0 = DWT_CYCCNT;
    gpt3_sleep_us(&gpt3_irqs, 1000);
    cycles = DWT_CYCCNT - t0;
    check_range("1 ms GPT3 sleep in WFI: cycles", cycles,
                CORE_HZ / 1000 - CORE_HZ / 1000000, CORE_HZ / 1000 + 600);  /* 999..1000 us */

    uint32_t g0 = GPT3_CNT;
    t0 = DWT_CYCCNT;
    while (DWT_CYCCNT - t0 < CORE_HZ / 100) { }           /* 10 ms busy-wait on CYCCNT */
    check_range("10 ms busy-wait on CYCCNT, by GPT3: us", GPT3_CNT - g0, 10000, 10001);

    DWT_CTRL &= ~DWT_CTRL_CYCCNTENA;
    c0 = DWT_CYCCNT;
    gpt3_sleep_us(&gpt3_irqs, 100);
    check("CYCCNTENA clear: CYCCNT holds", DWT_CYCCNT - c0, 0);

    DWT_CYCCNT = 0xFFFFFF00u;
    DWT_CTRL |= DWT_CTRL_CYCCNTENA;
    gpt3_sleep_us(&gpt3_irqs, 10);
    check_range("CYCCNT wraps past 0xFFFFFFFF", DWT_CYCCNT, 1778 - 256, 1976 - 256 + 600);  /* 9..10 us */

    selftest_summary("dwt-selftest");
    for (;;) wfi();
}
