/* The sphere-emu OS kernel: Normal-World SVC mode on the A7, one high-level app in User
   mode, RT apps on the IO cores through the Security Monitor. docs/kernel-and-apps.md. */
#ifndef KERNEL_H
#define KERNEL_H
#include <stddef.h>
#include <stdint.h>
#include "manifest_rules.h"

/* Memory map (physical; the kernel runs identity-mapped, see mmu.c). */
#define KERNEL_BASE     0x80000000u   /* image, stacks, page table: the first MiB */
                                      /* 0x80100000-COMM_PHYS: the app's page pool (mm.c) */
#define STORAGE_PHYS    0x80200000u   /* mutable storage: its header + up to 64 KiB */
#define STORAGE_SIZE    0x11000u
#define COMM_PHYS       0x803C0000u   /* inter-core buffers: 8 KiB per IO core (intercore.c) */

/* console.c */
void console_init(void);
void kputs_n(const char *s, size_t n);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* mmu.c */
void mmu_init(void);
void mmu_map_user_tables(const uint32_t *tables, uint32_t mib);

/* mm.c: the app's virtual space (layout in mm.c). */
#define USER_VA_MIB     16u
#define MMAP_BASE       0x00800000u
#define STACK_TOP       0x01000000u
#define USER_STACK_SIZE 0x00020000u
#define STACK_LOW       (STACK_TOP - USER_STACK_SIZE)
#define STACK_GUARD     (STACK_LOW - 0x10000u)
void mm_reset(void);
int mm_map(uint32_t va, uint32_t len, int prot, const char *what);
void mm_unmap(uint32_t va, uint32_t len);
uint32_t mm_phys(uint32_t va);
int mm_protect(uint32_t va, uint32_t len, int prot);
void mm_set_brk_start(uint32_t va);
uint32_t mm_brk(uint32_t want);
int32_t mm_mmap(uint32_t addr, uint32_t len, int prot, int flags);
int mm_munmap(uint32_t addr, uint32_t len);
int32_t mm_mremap(uint32_t old, uint32_t old_len, uint32_t new_len, uint32_t flags);
uint32_t mm_free_pages(void);
int user_ok(uint32_t p, uint32_t len, int write);
int user_string(uint32_t p, char *out, uint32_t cap);

/* timer.c: the Non-secure physical timer through the GIC. */
void timer_init(void);
uint64_t time_ns(void);
void sleep_ns(uint64_t ns);
int irq_wait(unsigned id, int (*done)(void *ctx), void *ctx, uint64_t timeout_ns);
void nap_until(uint64_t when_ns);                  /* one WFI, woken by then at the latest */

/* The manifest fields the kernel enforces (manifest.c). */
#define MAX_CONNECTIONS MANIFEST_MAX_APP_CONNECTIONS
struct manifest {
    char name[MANIFEST_NAME_MAX_BYTES + 1];
    char component_id[40];           /* text form, lower case */
    char entry_point[MANIFEST_ENTRY_POINT_MAX_BYTES + 1];
    int realtime;
    uint32_t gpio[3];                /* bit n: GPIO n (0..95) */
    uint32_t uarts;                  /* bit n: ISUn */
    uint32_t i2c, spi;               /* bit n: ISUn in I2cMaster / SpiMaster */
    uint32_t adc, pwm;               /* bit n: ADC-CONTROLLER-n / PWM-CONTROLLER-n */
    uint32_t power;                  /* PowerControls: POWER_* bits */
    int sysevents;                   /* SystemEventNotifications */
    int connections;
    char allowed[MAX_CONNECTIONS][40];
    uint32_t storage_kb;
    uint32_t blocks;                 /* bit n: block SM_BLOCK_n the capabilities claim */
};
#define POWER_DOWN    1u             /* ForcePowerDown */
#define POWER_REBOOT  2u             /* ForceReboot */
#define POWER_PROFILE 4u             /* SetPowerProfile */
const char *manifest_parse(const char *json, size_t len, struct manifest *m);
int manifest_allows_connection(const struct manifest *m, const char *component_id);

/* ownership.c: the blocks a manifest claims, and claiming them for a core. */
const char *ownership_parse(const char *caps, const char *end, struct manifest *m);
int ownership_claim(const struct manifest *m, int owner);   /* 0, or -1: refused (logged) */
void ownership_release(const struct manifest *m, int owner);

/* apps.c: an installed app package, found in the flash table and verified. */
struct app {
    struct manifest m;
    const uint8_t *exe;              /* the executable, in flash (XIP) */
    uint32_t exe_size;
    int core;                        /* RT apps: 0 = io0, 1 = io1 */
    int debug;                       /* start in debug mode (flash table flag) */
};
void apps_start(uint32_t flash_table);

/* elf.c: a static ARM ELF into the app's space, and the initial stack Linux gives. */
struct elf_image { uint32_t entry, phdr, phnum, brk; };
const char *elf_load_user(const uint8_t *elf, uint32_t size, struct elf_image *img);
uint32_t elf_initial_stack(const struct elf_image *img, const char *argv0);

/* A system call's or an exception's view of the app's registers, as entry.S saves them. */
struct frame { uint32_t r[13]; uint32_t sp, lr, pc, cpsr; };

/* proc.c: the running high-level app, its signals and its end. */
void user_run(struct app *app);
void user_fault(const char *what, uint32_t pc, uint32_t addr);
void proc_exit(int status) __attribute__((noreturn));
const char *proc_name(void);
const struct manifest *proc_manifest(void);
int32_t sys_rt_sigaction(uint32_t sig, uint32_t act, uint32_t old, uint32_t size);
int32_t sys_rt_sigprocmask(uint32_t how, uint32_t set, uint32_t old, uint32_t size);
int32_t sys_kill(int32_t pid, uint32_t sig);
int32_t sys_rt_sigpending(uint32_t set, uint32_t size);
int32_t sys_rt_sigreturn(struct frame *f, int rt);
void signals_deliver(struct frame *f);
int signal_pending(void);
/* Stopping the app as the application manager does: SIGTERM, then SIGKILL if it has not
   exited APP_STOP_GRACE_NS later (the real OS gives two seconds). */
#define APP_STOP_GRACE_NS 2000000000ull
void proc_stop(void);
void proc_check_stop(void);                        /* from every wait: the grace deadline */
void proc_start(void);                             /* "app start": run the ended app again */
uint64_t proc_service(void);  /* idle: a crashed app's restart when due (no return); else its time */

/* mgmt.c: requests to the application manager, as lines on the console's receive side. */
void mgmt_poll(void);
void mgmt_listen(int on);

/* syscall.c */
void syscall_dispatch(struct frame *f);
int32_t sys_uname(uint32_t buf);
int32_t sys_getrandom(uint32_t buf, uint32_t len);
void random_bytes(uint8_t *out, uint32_t len);

/* clock.c: the system clocks, sleeping and the calls about time. */
uint64_t clock_now_ns(int clock);
int32_t sys_clock_gettime(uint32_t clock, uint32_t tp, int t64);
int32_t sys_clock_getres(uint32_t clock, uint32_t tp, int t64);
int32_t sys_clock_nanosleep(uint32_t clock, uint32_t flags, uint32_t req, uint32_t rem, int t64);
int read_timespec(uint32_t p, int t64, uint64_t *ns);
int write_timespec(uint32_t p, int t64, uint64_t ns);

/* file.c: the app's descriptor table and the calls on descriptors. */
struct file;
struct file_ops {
    const char *name;
    int32_t (*read)(struct file *f, char *buf, uint32_t len);
    int32_t (*write)(struct file *f, const char *buf, uint32_t len);
    int32_t (*ioctl)(struct file *f, uint32_t req, uint32_t arg);
    uint32_t (*poll)(struct file *f);              /* POLLIN / POLLOUT now */
    uint64_t (*deadline)(struct file *f);          /* when it may become ready by itself */
    void (*release)(struct file *f);
    uint64_t (*size)(struct file *f);              /* regular files */
    int32_t (*truncate)(struct file *f, uint64_t len);
    uint32_t mode;                                 /* st_mode file type */
};
struct file {
    const struct file_ops *ops;
    uint32_t flags;                                /* O_NONBLOCK, O_ACCMODE */
    int cloexec;
    int unit;                                      /* per kind: pin, ISU, core, ... */
    uint32_t pos;
    uint64_t a, b, c;                              /* per kind: timer values, counts */
    void *priv;
};
#define MAX_FDS 32
void files_reset(void);
int fd_install(const struct file_ops *ops, uint32_t flags, int unit);
struct file *fd_get(int32_t fd);
int32_t fd_close(int32_t fd);
int32_t sys_read(int32_t fd, uint32_t buf, uint32_t len);
int32_t sys_write(int32_t fd, uint32_t buf, uint32_t len);
int32_t sys_iov(int32_t fd, uint32_t iov, uint32_t count, int write);
int32_t sys_openat(int32_t dirfd, uint32_t path, uint32_t flags);
int32_t sys_unlinkat(int32_t dirfd, uint32_t path);
int32_t sys_ioctl(int32_t fd, uint32_t req, uint32_t arg);
int32_t sys_fcntl(int32_t fd, uint32_t cmd, uint32_t arg);
int32_t sys_dup(int32_t fd, int32_t to, uint32_t flags);
int32_t sys_fstat64(int32_t fd, uint32_t buf);
int32_t sys_statx(int32_t dirfd, uint32_t path, uint32_t flags, uint32_t buf);
int32_t sys_llseek(int32_t fd, uint32_t hi, uint32_t lo, uint32_t result, uint32_t whence);
int32_t sys_lseek(int32_t fd, int32_t off, uint32_t whence);
int32_t sys_ftruncate(int32_t fd, uint64_t len);
int32_t sys_fsync(int32_t fd);
/* Wait until fn() says ready (returns > 0 or an error) or the deadline (ns, 0 = none,
   UINT64_MAX = forever) passes; fn is asked again after every wake-up. */
int32_t wait_until(int32_t (*fn)(void *ctx), void *ctx, uint64_t deadline);
void wait_hint(uint64_t when);                     /* fn: look again no later than this */

/* events.c: epoll, poll, timerfd, eventfd. */
int32_t sys_epoll_create1(uint32_t flags);
int32_t sys_epoll_ctl(int32_t epfd, uint32_t op, int32_t fd, uint32_t event);
int32_t sys_epoll_wait(int32_t epfd, uint32_t events, int32_t max, int32_t timeout_ms);
int32_t sys_poll(uint32_t fds, uint32_t nfds, uint64_t deadline);
int32_t sys_timerfd_create(uint32_t clock, uint32_t flags);
int32_t sys_timerfd_settime(int32_t fd, uint32_t flags, uint32_t new, uint32_t old, int t64);
int32_t sys_timerfd_gettime(int32_t fd, uint32_t cur, int t64);
int32_t sys_eventfd2(uint32_t initval, uint32_t flags);

/* devices.c: the device files (console, GPIO chip, ISU ttys, mutable storage) and the
   inter-core socket; every open checks the manifest. */
extern const struct file_ops console_ops;
int32_t dev_open(const char *path, uint32_t flags);
int32_t dev_unlink(const char *path);
int32_t sys_socket(uint32_t domain, uint32_t type, uint32_t protocol);
int32_t sys_connect(int32_t fd, uint32_t addr, uint32_t len);
int32_t refuse(int32_t err, const char *capability);

/* storage.c: the app's mutable storage file, kept in the mutable-storage flash. */
#define STORAGE_PATH "/mnt/config/mutable_storage"
int32_t storage_open(uint32_t flags);
int32_t storage_delete(void);

/* The peripheral drivers behind dev_open, each checking its capability: i2c.c, spi.c,
   adc.c, pwm.c; power.c the reboot call (PowerControls). */
int32_t i2c_open(int isu, uint32_t flags);
int32_t spi_open(int isu, int cs, uint32_t flags);
int32_t adc_open(int controller, uint32_t flags);
int32_t pwm_open(int controller, uint32_t flags);
int32_t sys_reboot(uint32_t magic1, uint32_t magic2, uint32_t cmd, uint32_t arg);

/* syscall_names.c */
const char *syscall_name(uint32_t n);

/* intercore.c */
void intercore_setup(int core);      /* before the RT core starts */
void intercore_start(int core);      /* after: the 0xBA5E000x handshake */
int intercore_send(int core, const char *sender_id, const void *buf, uint32_t len);
int intercore_recv(int core, void *buf, uint32_t cap);
int intercore_pending(int core);     /* a message is waiting */
int guid_to_bytes(const char *text, uint8_t out[16]);
extern struct app *rt_apps[2];

/* rtapps.c: RT apps started, watched and restarted (docs/kernel-and-apps.md §9). */
void rtapps_init(void);
void rtapps_start(struct app *app);
uint64_t rtapps_service(void);      /* -> time_ns() of the next restart, or UINT64_MAX */
void kernel_idle(void) __attribute__((noreturn));

/* entry.S */
void enter_user(uint32_t entry, uint32_t sp) __attribute__((noreturn));
void halt(void) __attribute__((noreturn));     /* nothing left but RT apps: kernel_idle */
void panic_stop(void) __attribute__((noreturn)); /* the kernel itself failed */
#endif
