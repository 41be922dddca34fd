/* The running high-level app as a Linux process: start (memory, ELF, stack, descriptors),
   signals (actions, mask, delivery on the way back from a system call, rt_sigreturn), and
   its end (exit, a fatal signal, a fault). One process, one thread.

   After it ends, the application manager's part: a crash (a fatal signal or a fault the app
   did not ask for by stopping) is reported and the app restarted, RESTART_FIRST_NS later and
   twice as long after each further crash, up to RESTART_MAX_NS (the policy rtapps.c uses:
   the real OS's timing is not public). An exit, and an app ended by "app stop", stay ended
   until "app start". */
#include "kernel.h"
#include "linux.h"
#include "stdio.h"
#include "string.h"

struct sigaction_k { uint32_t handler, flags, restorer; uint64_t mask; };

#define RESTART_FIRST_NS 10000000ull        /* 10 ms */
#define RESTART_MAX_NS   10000000000ull     /* 10 s */

static struct app *current;                        /* the high-level app, also once ended */
static int running;
static uint32_t crashes;
static uint64_t restart_at;                        /* 0: no restart pending */
static struct sigaction_k actions[NSIG + 1];
static uint64_t blocked, pending;
static uint64_t stop_deadline;                     /* 0: no stop asked for */

/* The frame pushed on the app's stack for a handler: siginfo, then a ucontext laid out as
   Linux's for 32-bit ARM (uc_mcontext is struct sigcontext; uc_sigmask the 64-bit mask). */
struct sigframe {
    int32_t si_signo, si_errno, si_code, si_pid, si_uid, si_pad[27];
    uint32_t uc_flags, uc_link, ss_sp, ss_flags, ss_size;
    uint32_t trap_no, error_code, oldmask, regs[16], cpsr, fault_address;  /* r0-r12 sp lr pc */
    uint64_t uc_sigmask;
    uint32_t unused[30];
    uint64_t regspace[64];
};

#define BIT(sig) (1ull << ((sig) - 1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))
#define CPSR_USER_BITS 0xF80F0220u            /* NZCVQ, IT, GE, T: what a frame may set */

static const char *signal_name(uint32_t sig)
{
    static const char *const names[] = { 0, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP",
        "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE",
        "SIGALRM", "SIGTERM" };
    return sig < sizeof names / sizeof names[0] ? names[sig] : "a signal";
}

const char *proc_name(void) { return current ? current->m.name : "?"; }
const struct manifest *proc_manifest(void) { return &current->m; }

void user_run(struct app *app)
{
    struct elf_image img;
    current = app;
    mm_reset();
    const char *err = elf_load_user(app->exe, app->exe_size, &img);
    if (!err && mm_map(STACK_LOW, USER_STACK_SIZE, PROT_READ | PROT_WRITE, "the stack") < 0)
        err = "not enough memory for its stack";
    if (err) {
        kprintf("[kernel] %s: %s\n", app->m.name, err);
        current = 0;
        running = 0;
        mm_reset();
        return;
    }
    running = 1;
    restart_at = 0;
    mm_set_brk_start(img.brk);
    memset(actions, 0, sizeof actions);
    blocked = pending = 0;
    stop_deadline = 0;
    files_reset();
    char argv0[320];
    snprintf(argv0, sizeof argv0, "/mnt/apps/%s%s", app->m.component_id, app->m.entry_point);
    uint32_t sp = elf_initial_stack(&img, argv0);
    kprintf("[kernel] starting %s\n", app->m.name);
    mgmt_listen(0);
    enter_user(img.entry, sp);
}

/* The app has ended: a crash (not asked for by "app stop") is restarted later. */
static void ended(int crashed)
{
    running = 0;
    if (!crashed || stop_deadline) return;
    uint64_t delay = RESTART_FIRST_NS;
    for (uint32_t i = 0; i < crashes && delay < RESTART_MAX_NS; i++) delay *= 2;
    if (delay > RESTART_MAX_NS) delay = RESTART_MAX_NS;
    crashes++;
    restart_at = time_ns() + delay;
    kprintf("[kernel] app %s: crash %u, restarting in %u ms\n", proc_name(), (unsigned)crashes,
            (unsigned)(delay / 1000000u));
}

void proc_exit(int status)
{
    kprintf("[kernel] app %s exited with status %d\n", proc_name(), status & 0xFF);
    ended(0);
    halt();
}

static void killed(uint32_t sig)
{
    kprintf("[kernel] app %s killed by signal %u (%s)\n", proc_name(), (unsigned)sig,
            signal_name(sig));
    ended(1);
    halt();
}

uint64_t proc_service(void)
{
    if (!restart_at) return UINT64_MAX;
    if (time_ns() < restart_at) return restart_at;
    kprintf("[kernel] restarting %s\n", proc_name());
    user_run(current);                             /* returns only if it cannot start */
    return UINT64_MAX;
}

void proc_start(void)
{
    if (!current) {
        kprintf("[kernel] app start: no high-level app is installed\n");
        return;
    }
    if (running) {
        kprintf("[kernel] app start: %s is already running\n", proc_name());
        return;
    }
    crashes = 0;
    user_run(current);
}

void user_fault(const char *what, uint32_t pc, uint32_t addr)
{
    if (addr >= STACK_GUARD && addr < STACK_LOW && strcmp(what, "data abort") == 0)
        kprintf("[kernel] app %s killed: stack overflow (%u KiB) at pc %#x, address %#x\n",
                proc_name(), (unsigned)(USER_STACK_SIZE / 1024u), (unsigned)pc, (unsigned)addr);
    else
        kprintf("[kernel] app %s killed: %s at pc %#x, address %#x\n", proc_name(), what,
                (unsigned)pc, (unsigned)addr);
    ended(1);
}

int32_t sys_rt_sigaction(uint32_t sig, uint32_t act, uint32_t old, uint32_t size)
{
    if (sig < 1 || sig > NSIG || size != 8) return -EINVAL;
    if (old) {
        if (!user_ok(old, sizeof(struct sigaction_k), 1)) return -EFAULT;
        memcpy((void *)old, &actions[sig], sizeof actions[sig]);
    }
    if (act) {
        if (sig == SIGKILL || sig == SIGSTOP) return -EINVAL;
        if (!user_ok(act, sizeof(struct sigaction_k), 0)) return -EFAULT;
        memcpy(&actions[sig], (const void *)act, sizeof actions[sig]);
        if (actions[sig].handler == SIG_IGN) pending &= ~BIT(sig);
    }
    return 0;
}

int32_t sys_rt_sigprocmask(uint32_t how, uint32_t set, uint32_t old, uint32_t size)
{
    if (size != 8) return -EINVAL;
    if (old) {
        if (!user_ok(old, 8, 1)) return -EFAULT;
        memcpy((void *)old, &blocked, 8);
    }
    if (!set) return 0;
    if (!user_ok(set, 8, 0)) return -EFAULT;
    uint64_t s;
    memcpy(&s, (const void *)set, 8);
    switch (how) {
    case SIG_BLOCK: blocked |= s; break;
    case SIG_UNBLOCK: blocked &= ~s; break;
    case SIG_SETMASK: blocked = s; break;
    default: return -EINVAL;
    }
    blocked &= ~UNBLOCKABLE;
    return 0;
}

/* The app is process 1 and its only thread is thread 1. */
int32_t sys_kill(int32_t pid, uint32_t sig)
{
    if (pid != 1 && pid != 0 && pid != -1) return -ESRCH;
    if (sig > NSIG) return -EINVAL;
    if (sig == 0) return 0;
    if (actions[sig].handler != SIG_IGN) pending |= BIT(sig);
    return 0;
}

int32_t sys_rt_sigpending(uint32_t set, uint32_t size)
{
    if (size != 8) return -EINVAL;
    if (!user_ok(set, 8, 1)) return -EFAULT;
    uint64_t p = pending & blocked;
    memcpy((void *)set, &p, 8);
    return 0;
}

int signal_pending(void) { return (pending & ~blocked) != 0; }

void proc_stop(void)
{
    if (!running && restart_at) {
        restart_at = 0;
        kprintf("[kernel] app stop: %s stays stopped (its restart is cancelled)\n", proc_name());
        return;
    }
    if (!running) {
        kprintf("[kernel] app stop: no high-level app is running\n");
        return;
    }
    if (stop_deadline) return;                     /* asked already: the deadline stands */
    stop_deadline = time_ns() + APP_STOP_GRACE_NS;
    kprintf("[kernel] stopping %s: SIGTERM (SIGKILL if still running in %u ms)\n", proc_name(),
            (unsigned)(APP_STOP_GRACE_NS / 1000000u));
    pending |= BIT(SIGTERM);
}

void proc_check_stop(void)
{
    if (!stop_deadline) return;
    if (time_ns() < stop_deadline) {
        wait_hint(stop_deadline);
        return;
    }
    kprintf("[kernel] app %s did not exit within %u ms of SIGTERM\n", proc_name(),
            (unsigned)(APP_STOP_GRACE_NS / 1000000u));
    killed(SIGKILL);
}

static int ignored_by_default(uint32_t sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

void signals_deliver(struct frame *f)
{
    while (pending & ~blocked) {
        uint32_t sig = (uint32_t)__builtin_ctzll(pending & ~blocked) + 1;
        pending &= ~BIT(sig);
        struct sigaction_k *a = &actions[sig];
        if (a->handler == SIG_IGN || (a->handler == SIG_DFL && ignored_by_default(sig))) continue;
        if (a->handler == SIG_DFL) killed(sig);
        uint32_t sp = (f->sp - sizeof(struct sigframe)) & ~7u;
        if (!user_ok(sp, sizeof(struct sigframe), 1)) {
            kprintf("[kernel] app %s: no room on its stack for the %s handler\n", proc_name(),
                    signal_name(sig));
            killed(SIGSEGV);
        }
        struct sigframe *sf = (struct sigframe *)sp;
        memset(sf, 0, sizeof *sf);
        sf->si_signo = (int32_t)sig;
        sf->si_code = SI_USER;
        sf->si_pid = 1;
        memcpy(sf->regs, f->r, sizeof f->r);
        sf->regs[13] = f->sp;
        sf->regs[14] = f->lr;
        sf->regs[15] = f->pc;
        sf->cpsr = f->cpsr;
        sf->uc_sigmask = blocked;
        sf->oldmask = (uint32_t)blocked;
        blocked |= a->mask | (a->flags & SA_NODEFER ? 0 : BIT(sig));
        blocked &= ~UNBLOCKABLE;
        if (a->flags & SA_RESETHAND) a->handler = SIG_DFL;
        f->r[0] = sig;
        f->r[1] = sp;
        f->r[2] = sp + (uint32_t)__builtin_offsetof(struct sigframe, uc_flags);
        f->sp = a->flags & SA_SIGINFO ? sp : f->r[2];
        f->lr = a->flags & SA_RESTORER ? a->restorer : 0;
        f->pc = a->handler & ~1u;
        f->cpsr = (f->cpsr & ~0x0600FC20u) | (a->handler & 1u ? 0x20u : 0);   /* T, IT cleared */
    }
}

/* rt_sigreturn finds the whole frame at sp; sigreturn (a handler without SA_SIGINFO) its
   ucontext, which is where such a handler's sp pointed. */
int32_t sys_rt_sigreturn(struct frame *f, int rt)
{
    uint32_t sp = f->sp - (rt ? 0 : (uint32_t)__builtin_offsetof(struct sigframe, uc_flags));
    if ((sp & 7u) || !user_ok(sp, sizeof(struct sigframe), 0)) {
        kprintf("[kernel] app %s: rt_sigreturn with no signal frame on the stack\n", proc_name());
        killed(SIGSEGV);
    }
    const struct sigframe *sf = (const struct sigframe *)sp;
    memcpy(f->r, sf->regs, sizeof f->r);
    f->sp = sf->regs[13];
    f->lr = sf->regs[14];
    f->pc = sf->regs[15];
    f->cpsr = (f->cpsr & ~CPSR_USER_BITS) | (sf->cpsr & CPSR_USER_BITS);
    blocked = sf->uc_sigmask & ~UNBLOCKABLE;
    return (int32_t)f->r[0];
}

/* A fault in the kernel itself (entry.S): nothing to end but the kernel. */
void kernel_fault(const char *what, uint32_t pc, uint32_t addr);
void kernel_fault(const char *what, uint32_t pc, uint32_t addr)
{
    kprintf("[kernel] PANIC: %s at pc %#x, address %#x\n", what, (unsigned)pc, (unsigned)addr);
    panic_stop();
}
