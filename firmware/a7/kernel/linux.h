/* The Linux ARM EABI user ABI the kernel serves: system-call numbers, errno values, flags and
   the structure layouts user space passes (as the Linux UAPI headers define them for 32-bit
   ARM). Only what the kernel implements is here; syscall_names.c names every number. */
#ifndef LINUX_H
#define LINUX_H
#include <stdint.h>

/* System calls (svc #0, number in r7). */
#define NR_exit                 1
#define NR_read                 3
#define NR_write                4
#define NR_open                 5
#define NR_close                6
#define NR_unlink               10
#define NR_lseek                19
#define NR_getpid               20
#define NR_getuid               24
#define NR_kill                 37
#define NR_dup                  41
#define NR_brk                  45
#define NR_readlink             85
#define NR_sigreturn            119
#define NR_getgid               47
#define NR_geteuid              49
#define NR_getegid              50
#define NR_ioctl                54
#define NR_fcntl                55
#define NR_getppid              64
#define NR_reboot               88
#define NR_munmap               91
#define NR_uname                122
#define NR_mprotect             125
#define NR_llseek               140
#define NR_readv                145
#define NR_writev               146
#define NR_nanosleep            162
#define NR_poll                 168
#define NR_rt_sigreturn         173
#define NR_rt_sigaction         174
#define NR_rt_sigprocmask       175
#define NR_rt_sigpending        176
#define NR_mremap               163
#define NR_sigaltstack          186
#define NR_ugetrlimit           191
#define NR_mmap2                192
#define NR_fstat64              197
#define NR_getuid32             199
#define NR_getgid32             200
#define NR_geteuid32            201
#define NR_getegid32            202
#define NR_madvise              220
#define NR_ftruncate            93
#define NR_fsync                118
#define NR_fdatasync            148
#define NR_ftruncate64          194
#define NR_fcntl64              221
#define NR_gettid               224
#define NR_tkill                238
#define NR_exit_group           248
#define NR_epoll_ctl            251
#define NR_epoll_wait           252
#define NR_set_tid_address      256
#define NR_clock_gettime        263
#define NR_clock_getres         264
#define NR_clock_nanosleep      265
#define NR_tgkill               268
#define NR_socket               281
#define NR_connect              283
#define NR_send                 289
#define NR_sendto               290
#define NR_recv                 291
#define NR_recvfrom             292
#define NR_shutdown             293
#define NR_openat               322
#define NR_fstatat64            327
#define NR_unlinkat             328
#define NR_set_robust_list      338
#define NR_epoll_pwait          346
#define NR_prlimit64            369
#define NR_timerfd_create       350
#define NR_timerfd_settime      353
#define NR_timerfd_gettime      354
#define NR_eventfd2             356
#define NR_epoll_create1        357
#define NR_dup3                 358
#define NR_getrandom            384
#define NR_statx                397
#define NR_rseq                 398
#define NR_clock_gettime64      403
#define NR_clock_getres_time64  406
#define NR_clock_nanosleep_time64 407
#define NR_timerfd_gettime64    410
#define NR_timerfd_settime64    411
#define NR_ppoll_time64         414
#define NR_ARM_cacheflush       0x0F0002
#define NR_ARM_set_tls          0x0F0005
#define NR_ARM_get_tls          0x0F0006
#define NR_COUNT                460      /* numbers below this are named in syscall_names.c */

/* errno (asm-generic/errno-base.h, errno.h). */
#define EPERM    1
#define ENOENT   2
#define ESRCH    3
#define EINTR    4
#define EIO      5
#define ENXIO    6
#define EBADF    9
#define EAGAIN   11
#define ENOMEM   12
#define EACCES   13
#define EFAULT   14
#define EBUSY    16
#define EEXIST   17
#define ENODEV   19
#define EINVAL   22
#define EMFILE   24
#define ENOTTY   25
#define ENOSPC   28
#define ESPIPE   29
#define ENOSYS   38
#define ENOTSOCK 88
#define EMSGSIZE 90
#define EOPNOTSUPP 95
#define EAFNOSUPPORT 97
#define ENOTCONN 107
#define ETIMEDOUT 110
#define ECONNREFUSED 111

/* open flags, fcntl. */
#define O_ACCMODE   3
#define O_CREAT     0100
#define O_TRUNC     01000
#define O_APPEND    02000
#define O_NONBLOCK  04000
#define O_CLOEXEC   02000000
#define F_DUPFD     0
#define F_GETFD     1
#define F_SETFD     2
#define F_GETFL     3
#define F_SETFL     4
#define F_DUPFD_CLOEXEC 1030
#define AT_FDCWD    (-100)
#define AT_EMPTY_PATH 0x1000

/* mmap. */
#define PROT_READ   1
#define PROT_WRITE  2
#define PROT_EXEC   4
#define MAP_SHARED  0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED   0x10
#define MAP_ANONYMOUS 0x20

/* Signals. */
#define SIGHUP   1
#define SIGINT   2
#define SIGQUIT  3
#define SIGILL   4
#define SIGTRAP  5
#define SIGABRT  6
#define SIGBUS   7
#define SIGFPE   8
#define SIGKILL  9
#define SIGUSR1  10
#define SIGSEGV  11
#define SIGUSR2  12
#define SIGPIPE  13
#define SIGALRM  14
#define SIGTERM  15
#define SIGCHLD  17
#define SIGCONT  18
#define SIGSTOP  19
#define SIGURG   23
#define SIGWINCH 28
#define NSIG     64
#define SIG_DFL  0u
#define SIG_IGN  1u
#define SA_SIGINFO   0x00000004u
#define SA_RESTORER  0x04000000u
#define SA_NODEFER   0x40000000u
#define SA_RESETHAND 0x80000000u
#define SIG_BLOCK    0
#define SIG_UNBLOCK  1
#define SIG_SETMASK  2
#define SI_USER      0
#define SI_TKILL     (-6)

/* Clocks and timers. */
#define CLOCK_REALTIME  0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1
#define TFD_TIMER_ABSTIME 1
struct timespec32 { int32_t tv_sec, tv_nsec; };
struct timespec64 { int64_t tv_sec, tv_nsec; };
struct itimerspec32 { struct timespec32 interval, value; };
struct itimerspec64 { struct timespec64 interval, value; };

/* poll / epoll. The ARM EABI struct epoll_event is not packed: data sits at offset 8. */
#define POLLIN   0x001
#define POLLPRI  0x002
#define POLLOUT  0x004
#define POLLERR  0x008
#define POLLHUP  0x010
#define POLLNVAL 0x020
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLLONESHOT (1u << 30)
#define EPOLLET      (1u << 31)
struct pollfd { int32_t fd; int16_t events, revents; };
struct epoll_event { uint32_t events; uint32_t pad; uint64_t data; };

/* stat64 of 32-bit ARM (asm/stat.h) and statx. */
#define S_IFCHR  0020000u
#define S_IFREG  0100000u
#define S_IFSOCK 0140000u
#define S_IFIFO  0010000u
struct stat64 {
    uint64_t st_dev; uint8_t pad0[4]; uint32_t st_ino_lo;
    uint32_t st_mode, st_nlink, st_uid, st_gid;
    uint64_t st_rdev; uint8_t pad3[4];
    int64_t st_size; uint32_t st_blksize; uint32_t pad4; uint64_t st_blocks;
    uint32_t st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
    uint64_t st_ino;
};
struct statx {
    uint32_t stx_mask, stx_blksize; uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid; uint16_t stx_mode, pad1;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    struct { int64_t tv_sec; uint32_t tv_nsec; int32_t reserved; } stx_atime, stx_btime,
        stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t spare[14];
};

/* ioctl requests (asm-generic/ioctls.h, linux/gpio.h, linux/i2c-dev.h). */
#define TCGETS      0x5401
#define TCSETS      0x5402
#define TCSETSW     0x5403
#define TCSETSF     0x5404
#define TIOCGWINSZ  0x5413
#define FIONBIO     0x5421
#define FIONREAD    0x541B

/* auxv (linux/auxvec.h) and AT_HWCAP bits (asm/hwcap.h). */
#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7
#define AT_FLAGS 8
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_PLATFORM 15
#define AT_HWCAP 16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_HWCAP2 26
#define AT_EXECFN 31
#define HWCAP_SWP (1u << 0)
#define HWCAP_HALF (1u << 1)
#define HWCAP_THUMB (1u << 2)
#define HWCAP_FAST_MULT (1u << 4)
#define HWCAP_VFP (1u << 6)
#define HWCAP_EDSP (1u << 7)
#define HWCAP_NEON (1u << 12)
#define HWCAP_VFPv3 (1u << 13)
#define HWCAP_TLS (1u << 15)
#define HWCAP_VFPv4 (1u << 16)
#define HWCAP_IDIVA (1u << 17)
#define HWCAP_IDIVT (1u << 18)
#define HWCAP_VFPD32 (1u << 19)
#define HWCAP_LPAE (1u << 20)

/* utsname: six fields of 65 bytes. */
#define UTS_LEN 65

/* Sockets: the inter-core socket family and type Application_Connect uses. */
#define AF_UNIX 1
#define SOCK_STREAM 1
#define SOCK_SEQPACKET 5
#define SOCK_TYPE_MASK 0xF
#define SOCK_NONBLOCK O_NONBLOCK
#define SOCK_CLOEXEC O_CLOEXEC
#endif
