/* RT apps on the IO cores: starting them and looking after them while they run.

   Microsoft's "Lifecycle of an application" page says every app should run forever and that
   system software restarts an app that exits unexpectedly; an RT app cannot exit, so here it
   "exits" when its core locks up (a fault it cannot take). The Security Monitor sees that
   first (the io-reset block's lockup FIQ), holds the core in reset and raises
   SGI SM_SGI_RT_EVENT; the kernel collects what the core showed (SM_RT_CORE_EVENT),
   reports it with the app's component ID and restarts the app the way it started it. The
   real OS's restart timing is not public: the first restart comes RESTART_FIRST_NS after
   the crash, each further one waits twice as long, up to RESTART_MAX_NS, so an app that
   crashes at once cannot keep the machine busy. Peripherals and their ownership stay as
   they are ("the OS does not reset peripherals"); memory and the mailbox are fresh, as on
   any start. The kernel notices the SGI whenever it waits (sleep_ns): in an app's blocking
   call, or idle once no high-level app runs. */
#include "a7.h"
#include "kernel.h"
#include "sm_abi.h"
#include "stdio.h"
#include "string.h"

#define RESTART_FIRST_NS 10000000ull        /* 10 ms */
#define RESTART_MAX_NS   10000000000ull     /* 10 s */
#define NEVER            UINT64_MAX

struct app *rt_apps[2];
static uint32_t crashes[2];
static uint64_t restart_at[2];   /* time_ns() of the pending restart; 0 = none */
static int busy;                 /* restarting sleeps too: no nested service */

static int launch(struct app *app, int core)
{
    uint32_t flags = app->debug ? SM_START_DEBUG : 0;
    intercore_setup(core);
    struct smc_result r = smc_call_regs(SM_START_RT_CORE, (uint32_t)core | flags,
                                        (uint32_t)app->exe, app->exe_size);
    if (r.r0 != SM_OK) {
        kprintf("[kernel] %s: the Security Monitor did not start it on io%d (status %#x)\n",
                app->m.name, core, (unsigned)r.r0);
        return -1;
    }
    return 0;
}

void rtapps_start(struct app *app)
{
    int core = rt_apps[0] ? (rt_apps[1] ? -1 : 1) : 0;
    if (core < 0) {
        kprintf("[kernel] %s: both IO cores are taken\n", app->m.name);
        return;
    }
    if (ownership_claim(&app->m, core) < 0) return;
    if (launch(app, core) < 0) {
        ownership_release(&app->m, core);
        return;
    }
    app->core = core;
    rt_apps[core] = app;
    kprintf("[kernel] started RT app %s on io%d%s\n", app->m.name, core,
            app->debug ? " in debug mode (held for a debugger)" : "");
    intercore_start(core);
}

/* The fault classes the core's CFSR/HFSR show, each with its first cause. */
static void describe(const struct sm_rt_event *e, char *out, size_t cap)
{
    static const struct { uint32_t bit; const char *cls, *cause; } causes[] = {
        {1u << 0, "MemManage", "instruction access violation"},
        {1u << 1, "MemManage", "data access violation"},
        {1u << 3, "MemManage", "unstacking"},
        {1u << 4, "MemManage", "stacking"},
        {1u << 8, "BusFault", "instruction bus error"},
        {1u << 9, "BusFault", "precise data bus error"},
        {1u << 10, "BusFault", "imprecise data bus error"},
        {1u << 11, "BusFault", "bus error on unstacking"},
        {1u << 12, "BusFault", "bus error on stacking"},
        {1u << 16, "UsageFault", "undefined instruction"},
        {1u << 17, "UsageFault", "invalid state"},
        {1u << 18, "UsageFault", "invalid exception return"},
        {1u << 19, "UsageFault", "no coprocessor"},
        {1u << 24, "UsageFault", "unaligned access"},
        {1u << 25, "UsageFault", "division by zero"},
    };
    size_t n = 0;
    const char *last = 0;
    out[0] = 0;
    for (size_t i = 0; i < sizeof causes / sizeof causes[0] && n < cap; i++) {
        if (!(e->cfsr & causes[i].bit) || (last && strcmp(causes[i].cls, last) == 0)) continue;
        last = causes[i].cls;
        n += (size_t)snprintf(out + n, cap - n, "%s%s (%s", n ? ", " : "", last, causes[i].cause);
        if (causes[i].bit == (1u << 9) && e->fault_address && n < cap)
            n += (size_t)snprintf(out + n, cap - n, ", address %#x", (unsigned)e->fault_address);
        if (n < cap) n += (size_t)snprintf(out + n, cap - n, ")");
    }
    if (!n && e->hfsr & 2u) snprintf(out, cap, "HardFault (vector table read)");
    else if (!n && e->hfsr & (1u << 31)) snprintf(out, cap, "HardFault (breakpoint, no debugger)");
    else if (!n) snprintf(out, cap, "lockup");
}

static void crashed(int core, const struct sm_rt_event *e)
{
    struct app *app = rt_apps[core];
    char what[160];
    describe(e, what, sizeof what);
    uint64_t delay = RESTART_FIRST_NS;
    for (uint32_t i = 0; i < crashes[core] && delay < RESTART_MAX_NS; i++) delay *= 2;
    if (delay > RESTART_MAX_NS) delay = RESTART_MAX_NS;
    crashes[core]++;
    kprintf("[kernel] RT app %s (%s) on io%d crashed at pc 0x%08x: %s; locked up at pc 0x%08x\n",
            app->m.name, app->m.component_id, core, (unsigned)e->fault_pc, what, (unsigned)e->pc);
    kprintf("[kernel] RT app %s: crash %u, restarting in %u ms\n", app->m.name,
            (unsigned)crashes[core], (unsigned)(delay / 1000000u));
    restart_at[core] = time_ns() + delay;
}

static void restart(int core)
{
    struct app *app = rt_apps[core];
    restart_at[core] = 0;
    if (launch(app, core) < 0) return;
    kprintf("[kernel] restarted RT app %s on io%d\n", app->m.name, core);
    intercore_start(core);
}

uint64_t rtapps_service(void)
{
    if (busy || (!rt_apps[0] && !rt_apps[1])) return NEVER;
    busy = 1;
    /* Acknowledged only when it is pending: SGI 8 at priority 0x80 then comes first. */
    uint32_t id = GIC_SPURIOUS;
    if (GICD_ISPENDR(0) & (1u << SM_SGI_RT_EVENT)) {
        id = GICC_IAR & 0x3FFu;
        if (id != GIC_SPURIOUS) GICC_EOIR = id;
    }
    if (id == SM_SGI_RT_EVENT) {
        for (int core = 0; core < 2; core++) {
            struct sm_rt_event e;
            if (!rt_apps[core]) continue;
            struct smc_result r = smc_call_regs(SM_RT_CORE_EVENT, (uint32_t)core, (uint32_t)&e, 0);
            if (r.r0 == SM_OK && r.r1 == 1) crashed(core, &e);
        }
    }
    uint64_t next = NEVER;
    for (int core = 0; core < 2; core++) {
        if (restart_at[core] && time_ns() >= restart_at[core]) restart(core);
        if (restart_at[core] && restart_at[core] < next) next = restart_at[core];
    }
    busy = 0;
    return next;
}

void rtapps_init(void)
{
    gic_enable(SM_SGI_RT_EVENT, 0x80u);
}

/* No high-level app running: wait for RT events, requests on the console and a due
   restart of the high-level app (a WFI with nothing pending and nothing due costs no host
   time; the machine goes idle as before). */
void kernel_idle(void)
{
    mgmt_listen(1);
    for (;;) {
        mgmt_poll();                               /* "app start" does not return */
        uint64_t next = rtapps_service();
        uint64_t hl = proc_service();              /* nor does a due restart */
        if (hl < next) next = hl;
        if (next == NEVER) wfi();
        else nap_until(next);
    }
}
