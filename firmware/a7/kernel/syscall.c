/* System calls of the running high-level app (sphere_syscall.h). Each one that touches a
   resource checks the app's manifest first: a resource the manifest does not list gives
   -EPERM and a console line `EPERM: <app> <call> not in manifest`, and the app runs on. */
#include "../../hl/include/sphere_syscall.h"
#include "a7.h"
#include "kernel.h"
#include "mt3620-a7.h"
#include "stdio.h"
#include "string.h"

#define MAX_FDS 16
enum fd_kind { FD_FREE, FD_GPIO, FD_UART, FD_SOCKET, FD_STORAGE };
struct fd { enum fd_kind kind; int unit; uint32_t pos; };

static struct app *current;
static struct fd fds[MAX_FDS];
static uint32_t storage_len;

#define GPIO_BLOCK(pin)  (0x38010000u + ((uint32_t)(pin) / 4u) * 0x10000u)
#define GPIO_DOUT_SET    0x14u
#define GPIO_DOUT_RESET  0x18u
#define GPIO_OE_SET      0x24u
#define GPIO_OE_RESET    0x28u
#define ISU_UART(n)      (0x38070500u + (uint32_t)(n) * 0x10000u)

/* `call` names the call and what it asked for, e.g. "GPIO_OpenAsOutput(9)". */
static int refuse(const char *call)
{
    kprintf("EPERM: %s %s not in manifest\n", current->m.name, call);
    return -EPERM;
}

static int user_ok(uint32_t p, uint32_t len)
{
    return p >= USER_BASE && p < USER_BASE + USER_SIZE && len <= USER_BASE + USER_SIZE - p;
}

static int new_fd(enum fd_kind kind, int unit)
{
    for (int i = 3; i < MAX_FDS; i++) {      /* 0-2 stay free, as stdio would be */
        if (fds[i].kind == FD_FREE) {
            fds[i] = (struct fd){ kind, unit, 0 };
            return i;
        }
    }
    return -EMFILE;
}

static struct fd *get_fd(uint32_t fd, enum fd_kind kind)
{
    if (fd >= MAX_FDS || fds[fd].kind == FD_FREE) return 0;
    if (kind != FD_FREE && fds[fd].kind != kind) return 0;
    return &fds[fd];
}

/* GPIO 0-23 are the GRP blocks at 0x38010000 + (pin / 4) * 0x10000. The model leaves those
   blocks unimplemented, so every change is also logged on the console to be observable. */
static void gpio_write(int pin, int value)
{
    if (pin < 24) {
        REG32(GPIO_BLOCK(pin) + (value ? GPIO_DOUT_SET : GPIO_DOUT_RESET)) = 1u << (pin % 4);
    }
    kprintf("[gpio] %s: GPIO %d = %s\n", current->m.name, pin, value ? "high" : "low");
}

static int gpio_allowed(int pin)
{
    return pin >= 0 && pin < 96 && (current->m.gpio[pin / 32] >> (pin % 32) & 1u);
}

static int sys_gpio_open(int pin, int output, int value)
{
    if (!gpio_allowed(pin)) {
        char call[40];
        snprintf(call, sizeof call, "GPIO_OpenAs%s(%d)", output ? "Output" : "Input", pin);
        return refuse(call);
    }
    int fd = new_fd(FD_GPIO, pin);
    if (fd < 0) return fd;
    if (output) {
        if (pin < 24) REG32(GPIO_BLOCK(pin) + GPIO_OE_SET) = 1u << (pin % 4);
        fds[fd].pos = 1;                      /* an output */
        gpio_write(pin, value);
    } else if (pin < 24) {
        REG32(GPIO_BLOCK(pin) + GPIO_OE_RESET) = 1u << (pin % 4);
    }
    return fd;
}

static int sys_uart_open(int isu, uint32_t baud)
{
    if (isu < 0 || isu > 4) return -EINVAL;
    if (!(current->m.uarts >> isu & 1u)) {
        char call[24];
        snprintf(call, sizeof call, "UART_Open(ISU%d)", isu);
        return refuse(call);
    }
    for (int i = 0; i < MAX_FDS; i++)
        if (fds[i].kind == FD_UART && fds[i].unit == isu) return -EBUSY;
    (void)baud;                               /* the model's UARTs have no line timing */
    UART_LCR(ISU_UART(isu)) = 0x03;
    UART_FCR(ISU_UART(isu)) = 0x07;
    return new_fd(FD_UART, isu);
}

static int sys_connect(uint32_t text)
{
    if (!user_ok(text, 37)) return -EFAULT;
    char id[37];
    memcpy(id, (const char *)text, 36);
    id[36] = '\0';
    for (int i = 0; i < 36; i++) if (id[i] >= 'A' && id[i] <= 'F') id[i] = (char)(id[i] - 'A' + 'a');
    uint8_t bytes[16];
    if (guid_to_bytes(id, bytes) < 0) return -EINVAL;
    if (!manifest_allows_connection(&current->m, id)) {
        char call[64];
        snprintf(call, sizeof call, "Application_Connect(%s)", id);
        return refuse(call);
    }
    for (int core = 0; core < 2; core++) {
        struct app *rt = rt_apps[core];
        if (!rt || strcmp(rt->m.component_id, id) != 0) continue;
        if (!manifest_allows_connection(&rt->m, current->m.component_id)) {
            kprintf("[kernel] %s: %s does not list it in AllowedApplicationConnections\n",
                    current->m.name, rt->m.name);
            return -ECONNREFUSED;
        }
        return new_fd(FD_SOCKET, core);
    }
    kprintf("[kernel] %s: no RT app %s is running\n", current->m.name, id);
    return -ECONNREFUSED;
}

static int sys_write(uint32_t fd, uint32_t buf, uint32_t len)
{
    struct fd *f = get_fd(fd, FD_FREE);
    if (!f) return -EBADF;
    if (!user_ok(buf, len)) return -EFAULT;
    const char *p = (const char *)buf;
    switch (f->kind) {
    case FD_UART:
        for (uint32_t i = 0; i < len; i++) {
            while (!(UART_LSR(ISU_UART(f->unit)) & UART_LSR_THRE)) { }
            UART_THR(ISU_UART(f->unit)) = (uint8_t)p[i];
        }
        return (int)len;
    case FD_SOCKET: {
        if (len > 1024) return -EMSGSIZE;
        int r = intercore_send(f->unit, current->m.component_id, p, len);
        return r >= 0 ? r : (r == -3 ? -EAGAIN : -EIO);
    }
    case FD_STORAGE: {
        uint32_t cap = current->m.storage_kb * 1024u;
        if (f->pos > cap || len > cap - f->pos) return -ENOSPC;
        memcpy((char *)STORAGE_PHYS + f->pos, p, len);
        f->pos += len;
        if (f->pos > storage_len) storage_len = f->pos;
        return (int)len;
    }
    default:
        return -EINVAL;
    }
}

static int sys_read(uint32_t fd, uint32_t buf, uint32_t len)
{
    struct fd *f = get_fd(fd, FD_FREE);
    if (!f) return -EBADF;
    if (!user_ok(buf, len)) return -EFAULT;
    char *p = (char *)buf;
    switch (f->kind) {
    case FD_UART: {
        uint32_t n = 0;
        while (n < len && (UART_LSR(ISU_UART(f->unit)) & 1u)) p[n++] = (char)UART_THR(ISU_UART(f->unit));
        return n ? (int)n : -EAGAIN;
    }
    case FD_SOCKET: {
        int r = intercore_recv(f->unit, p, len);
        return r >= 0 ? r : (r == -1 ? -EAGAIN : -EIO);
    }
    case FD_STORAGE: {
        uint32_t n = f->pos < storage_len ? storage_len - f->pos : 0;
        if (n > len) n = len;
        memcpy(p, (const char *)STORAGE_PHYS + f->pos, n);
        f->pos += n;
        return (int)n;
    }
    default:
        return -EINVAL;
    }
}

static int sys_storage_open(void)
{
    if (!current->m.storage_kb) return refuse("Storage_OpenMutableFile");
    return new_fd(FD_STORAGE, 0);
}

static int sys_lseek(uint32_t fd, int32_t off, int whence)
{
    struct fd *f = get_fd(fd, FD_STORAGE);
    if (!f) return -EBADF;
    int32_t base = whence == 0 ? 0 : whence == 1 ? (int32_t)f->pos : whence == 2 ? (int32_t)storage_len : -1;
    if (base < 0 || base + off < 0 || (uint32_t)(base + off) > current->m.storage_kb * 1024u) return -EINVAL;
    f->pos = (uint32_t)(base + off);
    return (int)f->pos;
}

static int dispatch(uint32_t n, uint32_t a, uint32_t b, uint32_t c)
{
    switch (n) {
    case SYS_EXIT:
        kprintf("[kernel] app %s exited with status %d\n", current->m.name, (int)a);
        halt();
    case SYS_LOG:
        if (!user_ok(a, b)) return -EFAULT;
        kputs_n((const char *)a, b);
        return 0;
    case SYS_TIME: {
        if (!user_ok(a, 8) || (a & 7u)) return -EFAULT;
        *(uint64_t *)a = time_ns();
        return 0;
    }
    case SYS_SLEEP:
        sleep_ns((uint64_t)b << 32 | a);
        return 0;
    case SYS_GPIO_OPEN_OUT: return sys_gpio_open((int)a, 1, (int)c);
    case SYS_GPIO_OPEN_IN: return sys_gpio_open((int)a, 0, 0);
    case SYS_GPIO_SET: {
        struct fd *f = get_fd(a, FD_GPIO);
        if (!f) return -EBADF;
        if (!f->pos) return -EINVAL;          /* an input */
        gpio_write(f->unit, b != 0);
        return 0;
    }
    case SYS_GPIO_GET: {
        struct fd *f = get_fd(a, FD_GPIO);
        if (!f) return -EBADF;
        return f->unit < 24 ? (int)(REG32(GPIO_BLOCK(f->unit) + 0x04u) >> (f->unit % 4) & 1u) : 0;
    }
    case SYS_UART_OPEN: return sys_uart_open((int)a, b);
    case SYS_WRITE:
    case SYS_SEND: return sys_write(a, b, c);
    case SYS_READ:
    case SYS_RECV: return sys_read(a, b, c);
    case SYS_CLOSE: {
        struct fd *f = get_fd(a, FD_FREE);
        if (!f) return -EBADF;
        f->kind = FD_FREE;
        return 0;
    }
    case SYS_APP_CONNECT: return sys_connect(a);
    case SYS_STORAGE_OPEN: return sys_storage_open();
    case SYS_STORAGE_DELETE:
        if (!current->m.storage_kb) return refuse("Storage_DeleteMutableFile");
        storage_len = 0;
        return 0;
    case SYS_LSEEK: return sys_lseek(a, (int32_t)b, (int)c);
    default:
        return -ENOSYS;
    }
}

void syscall_dispatch(struct frame *f)
{
    f->r[0] = (uint32_t)dispatch(f->r[7], f->r[0], f->r[1], f->r[2]);
}

void user_run(struct app *app)
{
    uint32_t entry;
    const char *err = elf_load_user(app->exe, app->exe_size, &entry);
    if (err) {
        kprintf("[kernel] %s: %s\n", app->m.name, err);
        return;
    }
    current = app;
    memset(fds, 0, sizeof fds);
    kprintf("[kernel] starting %s\n", app->m.name);
    enter_user(entry, USER_BASE + USER_SIZE);
}

void user_fault(const char *what, uint32_t pc, uint32_t addr)
{
    kprintf("[kernel] app %s killed: %s at pc %#x, address %#x\n",
            current ? current->m.name : "?", what, (unsigned)pc, (unsigned)addr);
}

void kernel_fault(const char *what, uint32_t pc, uint32_t addr);
void kernel_fault(const char *what, uint32_t pc, uint32_t addr)
{
    kprintf("[kernel] PANIC: %s at pc %#x, address %#x\n", what, (unsigned)pc, (unsigned)addr);
    halt();
}
