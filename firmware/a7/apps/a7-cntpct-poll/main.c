/* Waits by polling the generic timer's counters, in the Secure World: CNTPCT and CNTVCT
   against a 64-bit deadline (the usual `while (now() < deadline)`), and CNTPCT's low word
   for a number of elapsed ticks. Each line shows by how many ticks the wait overran its
   deadline, as read right after it. The busy-wait fast-forward test runs it with and
   without the fast-forward and compares the lines, times and counts; bench_polling.py
   times it. */
#include "a7.h"
#include "a7print.h"

#define TICKS_1MS  62500u                       /* the counter runs at 62.5 MHz */
#define ROUNDS     3u

static inline uint64_t cntvct(void)
{
    uint32_t lo, hi;
    __asm__ volatile("isb\n\tmrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

SECURE_TEXT static uint32_t wait_physical(uint64_t ticks)
{
    uint64_t deadline = cntpct() + ticks, now;
    while ((now = cntpct()) < deadline) { }
    return (uint32_t)(now - deadline);
}

SECURE_TEXT static uint32_t wait_virtual(uint64_t ticks)
{
    uint64_t deadline = cntvct() + ticks, now;
    while ((now = cntvct()) < deadline) { }
    return (uint32_t)(now - deadline);
}

SECURE_TEXT static uint32_t wait_low_word(uint32_t ticks)
{
    uint32_t start = (uint32_t)cntpct(), now;
    while ((now = (uint32_t)cntpct()) - start < ticks) { }
    return now - start - ticks;
}

SECURE_TEXT static void line(const char *what, uint32_t value)
{
    print(what);
    print_u32(value);
    print("\n");
}

SECURE_TEXT void secure_main(void)
{
    uart_init();
    print("a7-cntpct-poll: start\n");
    uint64_t t0 = cntpct();
    for (uint32_t n = 0; n < ROUNDS; n++) {
        line("a7-cntpct-poll: CNTPCT 1 ms wait overran by ", wait_physical(TICKS_1MS));
        line("a7-cntpct-poll: CNTVCT 1 ms wait overran by ", wait_virtual(TICKS_1MS));
        line("a7-cntpct-poll: CNTPCT low word 1 ms wait overran by ",
             wait_low_word(TICKS_1MS));
    }
    line("a7-cntpct-poll: done in ticks ", (uint32_t)(cntpct() - t0));
    for (;;) wfi();
}
