/* Time and sleep from the Non-secure physical timer (62.5 MHz, PPI 30). Sleeping programs
   the timer and waits in WFI, which the GIC wakes even with IRQs masked, so a sleeping
   system costs no host time. The Security Monitor must have put PPI 30 in group 1; if it
   did not (the enable does not stick), sleep falls back to polling the counter. */
#include "a7.h"
#include "kernel.h"

static int timer_irq_ok;

void timer_init(void)
{
    GICD_CTLR = 1u;                       /* Non-secure view: enable group 1 */
    GICC_CTLR = 1u;
    GICC_PMR = 0xF8u;
    gic_enable(30u, 0x80u);
    timer_irq_ok = (GICD_ISENABLER(0) >> 30u) & 1u;
    CNTP_CTL_WRITE(0);
}

uint64_t time_ns(void)
{
    return cntpct() * 16u;                /* 62.5 MHz: 16 ns a tick */
}

/* Every wait also looks after the RT apps (rtapps.c): their SGI wakes it, and a restart
   due before the deadline shortens the nap. */
void sleep_ns(uint64_t ns)
{
    uint64_t deadline = cntpct() + (ns + 15u) / 16u;
    for (;;) {
        uint64_t restart = rtapps_service();
        uint64_t now = cntpct();
        if (now >= deadline) break;
        if (!timer_irq_ok) continue;
        uint64_t wake = restart == UINT64_MAX ? deadline : (restart + 15u) / 16u;
        uint64_t left = (wake < deadline ? wake : deadline) - now;
        if (wake <= now) continue;
        CNTP_TVAL_WRITE(left > 0x7FFFFFFFu ? 0x7FFFFFFFu : (uint32_t)left);
        CNTP_CTL_WRITE(CNT_CTL_ENABLE);
        wfi();
    }
    CNTP_CTL_WRITE(0);
}

/* A driver's wait for its block: WFI until done(ctx), woken by the block's own interrupt
   line (GIC `id`, enabled only for the wait; interrupts stay masked, so nothing is taken)
   or by the timer at the timeout. Returns 1 when done, 0 on timeout. */
int irq_wait(unsigned id, int (*done)(void *ctx), void *ctx, uint64_t timeout_ns)
{
    uint64_t deadline = cntpct() + (timeout_ns + 15u) / 16u;
    gic_enable(id, 0x80u);
    int ok;
    for (;;) {
        if ((ok = done(ctx)) != 0) break;
        uint64_t now = cntpct();
        if (now >= deadline) break;
        uint64_t left = deadline - now;
        CNTP_TVAL_WRITE(left > 0x7FFFFFFFu ? 0x7FFFFFFFu : (uint32_t)left);
        CNTP_CTL_WRITE(CNT_CTL_ENABLE);
        wfi();
    }
    CNTP_CTL_WRITE(0);
    GICD_ICENABLER(id / 32u) = 1u << (id % 32u);
    return ok;
}

/* One wait for whatever comes first: an enabled interrupt or the time `when_ns`. */
void nap_until(uint64_t when_ns)
{
    uint64_t now = cntpct(), at = (when_ns + 15u) / 16u;
    if (at <= now) return;
    uint64_t left = at - now;
    CNTP_TVAL_WRITE(left > 0x7FFFFFFFu ? 0x7FFFFFFFu : (uint32_t)left);
    CNTP_CTL_WRITE(CNT_CTL_ENABLE);
    wfi();
    CNTP_CTL_WRITE(0);
}
