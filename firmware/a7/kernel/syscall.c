/* The Linux ARM EABI system-call interface of the running high-level app: `svc #0`, the
   number in r7, arguments in r0-r5, the answer in r0 (>= 0, or -errno). An unsupported
   call answers -ENOSYS and is logged once, by name. Pending signals are delivered on the
   way back to User mode (proc.c). docs/kernel-and-apps.md §3 lists the calls. */
#include "kernel.h"
#include "linux.h"
#include "stdio.h"
#include "string.h"

static uint32_t reported[(NR_COUNT + 31) / 32];
static uint32_t tls;
static uint64_t rng_state;

static int32_t unknown(uint32_t n)
{
    const char *name = syscall_name(n);
    if (n >= NR_COUNT || !(reported[n / 32] >> (n % 32) & 1u)) {
        if (n < NR_COUNT) reported[n / 32] |= 1u << (n % 32);
        if (name) kprintf("[kernel] %s: system call %s (%u) is not supported: ENOSYS\n", proc_name(), name, (unsigned)n);
        else kprintf("[kernel] %s: unknown system call %u: ENOSYS\n", proc_name(), (unsigned)n);
    }
    return -ENOSYS;
}

/* Deterministic bytes (splitmix64 over the virtual clock at first use): same run, same
   bytes, as everything else in the emulator. Not a source of secrets. */
void random_bytes(uint8_t *out, uint32_t len)
{
    if (!rng_state) rng_state = time_ns() ^ 0x5EED5EED5EED5EEDull;
    for (uint32_t i = 0; i < len; i += 8) {
        uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        for (uint32_t j = 0; j < 8 && i + j < len; j++) out[i + j] = (uint8_t)(z >> (8 * j));
    }
}

int32_t sys_getrandom(uint32_t buf, uint32_t len)
{
    if (len > 0x10000u) len = 0x10000u;
    if (!user_ok(buf, len, 1)) return -EFAULT;
    random_bytes((uint8_t *)buf, len);
    return (int32_t)len;
}

int32_t sys_uname(uint32_t buf)
{
    static const char *const fields[6] = { "Linux", "azure-sphere", "5.10.0-sphere-emu",
                                           "#1 sphere-emu", "armv7l", "(none)" };
    if (!user_ok(buf, 6 * UTS_LEN, 1)) return -EFAULT;
    memset((void *)buf, 0, 6 * UTS_LEN);
    for (int i = 0; i < 6; i++) memcpy((char *)buf + i * UTS_LEN, fields[i], strlen(fields[i]));
    return 0;
}

static void set_tls(uint32_t value)
{
    tls = value;
    __asm__ volatile("mcr p15, 0, %0, c13, c0, 3" :: "r"(value));   /* TPIDRURO */
}

static uint64_t poll_deadline(int32_t timeout_ms)
{
    return timeout_ms < 0 ? UINT64_MAX : time_ns() + (uint64_t)timeout_ms * 1000000u;
}

static int32_t ppoll(uint32_t fds, uint32_t nfds, uint32_t tsp)
{
    uint64_t ns = 0;
    if (tsp) {
        int r = read_timespec(tsp, 1, &ns);
        if (r < 0) return r;
    }
    return sys_poll(fds, nfds, tsp ? time_ns() + ns : UINT64_MAX);
}

/* Resource limits: the stack is USER_STACK_SIZE, the rest unlimited; none can be raised. */
static int32_t getrlimit(uint32_t resource, uint32_t out, int wide)
{
    if (resource > 15) return -EINVAL;
    if (!out) return 0;
    uint64_t limit = resource == 3 ? USER_STACK_SIZE : UINT64_MAX;   /* RLIMIT_STACK */
    if (!user_ok(out, wide ? 16 : 8, 1)) return -EFAULT;
    if (wide) {
        memcpy((void *)out, &limit, 8);
        memcpy((void *)(out + 8), &limit, 8);
    } else {
        uint32_t l = limit > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)limit;
        memcpy((void *)out, &l, 4);
        memcpy((void *)(out + 4), &l, 4);
    }
    return 0;
}

/* Only the fstat form (empty path, AT_EMPTY_PATH): the app has no file system to name. */
static int32_t fstatat64(int32_t fd, uint32_t path, uint32_t buf, uint32_t flags)
{
    char name[4];
    if (!(flags & AT_EMPTY_PATH) || user_string(path, name, sizeof name) != 0) return -ENOENT;
    return sys_fstat64(fd, buf);
}

static int32_t dispatch(struct frame *f)
{
    const uint32_t *a = f->r;
    uint32_t n = f->r[7];
    switch (n) {
    case NR_exit:
    case NR_exit_group: proc_exit((int)a[0]);
    case NR_read: case NR_recv: return sys_read((int32_t)a[0], a[1], a[2]);
    case NR_write: case NR_send: return sys_write((int32_t)a[0], a[1], a[2]);
    case NR_recvfrom: return a[4] ? -EINVAL : sys_read((int32_t)a[0], a[1], a[2]);
    case NR_sendto: return a[4] ? -EINVAL : sys_write((int32_t)a[0], a[1], a[2]);
    case NR_readv: return sys_iov((int32_t)a[0], a[1], a[2], 0);
    case NR_writev: return sys_iov((int32_t)a[0], a[1], a[2], 1);
    case NR_open: return sys_openat(AT_FDCWD, a[0], a[1]);
    case NR_openat: return sys_openat((int32_t)a[0], a[1], a[2]);
    case NR_close: return fd_close((int32_t)a[0]);
    case NR_unlink: return sys_unlinkat(AT_FDCWD, a[0]);
    case NR_unlinkat: return sys_unlinkat((int32_t)a[0], a[1]);
    case NR_lseek: return sys_lseek((int32_t)a[0], (int32_t)a[1], a[2]);
    case NR_llseek: return sys_llseek((int32_t)a[0], a[1], a[2], a[3], a[4]);
    case NR_ftruncate: return sys_ftruncate((int32_t)a[0], a[1]);
    case NR_ftruncate64: return sys_ftruncate((int32_t)a[0], (uint64_t)a[3] << 32 | a[2]);
    case NR_fsync: case NR_fdatasync: return sys_fsync((int32_t)a[0]);
    case NR_ioctl: return sys_ioctl((int32_t)a[0], a[1], a[2]);
    case NR_fcntl: case NR_fcntl64: return sys_fcntl((int32_t)a[0], a[1], a[2]);
    case NR_dup: return sys_dup((int32_t)a[0], -1, 0);
    case NR_dup3: return a[0] == a[1] ? -EINVAL : sys_dup((int32_t)a[0], (int32_t)a[1], a[2]);
    case NR_fstat64: return sys_fstat64((int32_t)a[0], a[1]);
    case NR_fstatat64: return fstatat64((int32_t)a[0], a[1], a[2], a[3]);
    case NR_statx: return sys_statx((int32_t)a[0], a[1], a[2], a[4]);
    case NR_getpid: case NR_gettid: return 1;
    case NR_getppid: return 0;
    case NR_getuid: case NR_getgid: case NR_geteuid: case NR_getegid:
    case NR_getuid32: case NR_getgid32: case NR_geteuid32: case NR_getegid32: return 0;
    case NR_kill: return sys_kill((int32_t)a[0], a[1]);
    case NR_tkill: return a[0] == 1 ? sys_kill(1, a[1]) : -ESRCH;
    case NR_tgkill: return a[0] == 1 && a[1] == 1 ? sys_kill(1, a[2]) : -ESRCH;
    case NR_rt_sigaction: return sys_rt_sigaction(a[0], a[1], a[2], a[3]);
    case NR_rt_sigprocmask: return sys_rt_sigprocmask(a[0], a[1], a[2], a[3]);
    case NR_rt_sigpending: return sys_rt_sigpending(a[0], a[1]);
    case NR_rt_sigreturn: return sys_rt_sigreturn(f, 1);
    case NR_sigreturn: return sys_rt_sigreturn(f, 0);
    case NR_brk: return (int32_t)mm_brk(a[0]);
    case NR_mmap2: return a[5] ? -EINVAL : mm_mmap(a[0], a[1], (int)a[2], (int)a[3]);
    case NR_munmap: return mm_munmap(a[0], a[1]);
    case NR_mremap: return mm_mremap(a[0], a[1], a[2], a[3]);
    case NR_mprotect: return mm_protect(a[0], a[1], (int)a[2]);
    case NR_madvise: return 0;
    case NR_uname: return sys_uname(a[0]);
    case NR_getrandom: return sys_getrandom(a[0], a[1]);
    case NR_set_tid_address: return 1;
    case NR_set_robust_list: return 0;
    case NR_ARM_set_tls: set_tls(a[0]); return 0;
    case NR_ARM_get_tls: return (int32_t)tls;
    case NR_ARM_cacheflush: return 0;
    case NR_rseq: return -ENOSYS;            /* glibc copes; not worth a line per start */
    case NR_readlink: return -ENOENT;        /* no file system: /proc/self/exe is not there */
    case NR_ugetrlimit: return getrlimit(a[0], a[1], 0);
    case NR_prlimit64: return a[0] > 1 ? -ESRCH : a[2] ? -EPERM : getrlimit(a[1], a[3], 1);
    case NR_clock_gettime: return sys_clock_gettime(a[0], a[1], 0);
    case NR_clock_gettime64: return sys_clock_gettime(a[0], a[1], 1);
    case NR_clock_getres: return sys_clock_getres(a[0], a[1], 0);
    case NR_clock_getres_time64: return sys_clock_getres(a[0], a[1], 1);
    case NR_nanosleep: return sys_clock_nanosleep(CLOCK_MONOTONIC, 0, a[0], a[1], 0);
    case NR_clock_nanosleep: return sys_clock_nanosleep(a[0], a[1], a[2], a[3], 0);
    case NR_clock_nanosleep_time64: return sys_clock_nanosleep(a[0], a[1], a[2], a[3], 1);
    case NR_poll: return sys_poll(a[0], a[1], poll_deadline((int32_t)a[2]));
    case NR_ppoll_time64: return ppoll(a[0], a[1], a[2]);
    case NR_epoll_create1: return sys_epoll_create1(a[0]);
    case NR_epoll_ctl: return sys_epoll_ctl((int32_t)a[0], a[1], (int32_t)a[2], a[3]);
    case NR_epoll_wait: case NR_epoll_pwait:
        return sys_epoll_wait((int32_t)a[0], a[1], (int32_t)a[2], (int32_t)a[3]);
    case NR_timerfd_create: return sys_timerfd_create(a[0], a[1]);
    case NR_timerfd_settime: return sys_timerfd_settime((int32_t)a[0], a[1], a[2], a[3], 0);
    case NR_timerfd_settime64: return sys_timerfd_settime((int32_t)a[0], a[1], a[2], a[3], 1);
    case NR_timerfd_gettime: return sys_timerfd_gettime((int32_t)a[0], a[1], 0);
    case NR_timerfd_gettime64: return sys_timerfd_gettime((int32_t)a[0], a[1], 1);
    case NR_eventfd2: return sys_eventfd2(a[0], a[1]);
    case NR_socket: return sys_socket(a[0], a[1], a[2]);
    case NR_connect: return sys_connect((int32_t)a[0], a[1], a[2]);
    case NR_shutdown: return fd_get((int32_t)a[0]) ? 0 : -EBADF;
    case NR_reboot: return sys_reboot(a[0], a[1], a[2], a[3]);
    default: return unknown(n);
    }
}

void syscall_dispatch(struct frame *f)
{
    int32_t r = dispatch(f);
    f->r[0] = (uint32_t)r;
    signals_deliver(f);
}
