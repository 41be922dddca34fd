/* The clocks an app reads and the sleeps it asks for. Every clock counts virtual time
   since boot from the Non-secure physical timer (timer.c): CLOCK_REALTIME too, so it
   starts at the epoch (the device has no network time to set it from). Sleeping waits in
   WFI and costs no host time; a signal that becomes pending ends it with EINTR. */
#include "kernel.h"
#include "linux.h"

#define NS 1000000000ull

uint64_t clock_now_ns(int clock)
{
    (void)clock;
    return time_ns();
}

static int clock_valid(uint32_t clock) { return clock <= CLOCK_BOOTTIME; }

int read_timespec(uint32_t p, int t64, uint64_t *ns)
{
    int64_t sec, nsec;
    if (t64) {
        if (!user_ok(p, sizeof(struct timespec64), 0)) return -EFAULT;
        const struct timespec64 *t = (const struct timespec64 *)p;
        sec = t->tv_sec;
        nsec = (int32_t)t->tv_nsec;     /* the upper half is padding for 32-bit callers */
    } else {
        if (!user_ok(p, sizeof(struct timespec32), 0)) return -EFAULT;
        const struct timespec32 *t = (const struct timespec32 *)p;
        sec = t->tv_sec;
        nsec = t->tv_nsec;
    }
    if (sec < 0 || nsec < 0 || nsec >= (int64_t)NS) return -EINVAL;
    *ns = (uint64_t)sec > 0x3FFFFFFFFull ? UINT64_MAX / 2 : (uint64_t)sec * NS + (uint64_t)nsec;
    return 0;
}

int write_timespec(uint32_t p, int t64, uint64_t ns)
{
    if (t64) {
        if (!user_ok(p, sizeof(struct timespec64), 1)) return -EFAULT;
        struct timespec64 *t = (struct timespec64 *)p;
        t->tv_sec = (int64_t)(ns / NS);
        t->tv_nsec = (int64_t)(ns % NS);
    } else {
        if (!user_ok(p, sizeof(struct timespec32), 1)) return -EFAULT;
        struct timespec32 *t = (struct timespec32 *)p;
        t->tv_sec = (int32_t)(ns / NS);
        t->tv_nsec = (int32_t)(ns % NS);
    }
    return 0;
}

int32_t sys_clock_gettime(uint32_t clock, uint32_t tp, int t64)
{
    if (!clock_valid(clock)) return -EINVAL;
    return write_timespec(tp, t64, clock_now_ns((int)clock));
}

int32_t sys_clock_getres(uint32_t clock, uint32_t tp, int t64)
{
    if (!clock_valid(clock)) return -EINVAL;
    return tp ? write_timespec(tp, t64, 16) : 0;   /* 62.5 MHz */
}

static int32_t never_ready(void *ctx)
{
    (void)ctx;
    return 0;
}

int32_t sys_clock_nanosleep(uint32_t clock, uint32_t flags, uint32_t req, uint32_t rem, int t64)
{
    if (!clock_valid(clock)) return -EINVAL;
    uint64_t ns, now = clock_now_ns((int)clock);
    int r = read_timespec(req, t64, &ns);
    if (r < 0) return r;
    uint64_t deadline = flags & TIMER_ABSTIME ? ns : now + ns;
    r = wait_until(never_ready, 0, deadline ? deadline : 1);
    if (r == -EINTR && rem && !(flags & TIMER_ABSTIME)) {
        now = clock_now_ns((int)clock);
        write_timespec(rem, t64, deadline > now ? deadline - now : 0);
    }
    return r == -EINTR ? -EINTR : 0;
}
