/* The device files an app opens and the inter-core socket, each behind the manifest:
     /dev/console                 the A7 debug UART (also descriptors 0, 1, 2)
     /dev/gpiochip0               Linux GPIO character device (v1 line handles), Gpio
     /dev/ttyISU0 .. ttyISU4      the ISU UARTs as ttys (termios accepted), Uart "ISUn"
     /mnt/config/mutable_storage  the app's mutable storage file, MutableStorage.SizeKB
     /dev/i2c-0 .. i2c-4          ISU I2C masters as i2c-dev, I2cMaster "ISUn" (i2c.c)
     /dev/spidevN.C               ISU N SPI master, chip select C, as spidev, SpiMaster (spi.c)
     /dev/adc0                    the ADC controller, Adc "ADC-CONTROLLER-0" (adc.c)
     /dev/pwm0 .. pwm2            PWM controllers, Pwm "PWM-CONTROLLER-n" (pwm.c)
     /dev/sysevent                system-event notifications, SystemEventNotifications
   and socket(AF_UNIX, SOCK_SEQPACKET) + connect to "rtapp:<component ID>" for an RT app in
   AllowedApplicationConnections. A resource the manifest does not list gives EACCES (as
   applibs documents) and one console line `EACCES: <app> <capability> not in manifest`. */
#include "kernel.h"
#include "linux.h"
#include "mt3620-a7.h"
#include "stdio.h"
#include "string.h"

#define GPIO_BLOCK(pin)  (0x38010000u + ((uint32_t)(pin) / 4u) * 0x10000u)
#define GPIO_DIN         0x04u
#define GPIO_DOUT_SET    0x14u
#define GPIO_DOUT_RESET  0x18u
#define GPIO_OE_SET      0x24u
#define GPIO_OE_RESET    0x28u
#define ISU_UART(n)      (0x38070500u + (uint32_t)(n) * 0x10000u)

/* linux/gpio.h (v1 ABI). */
#define GPIO_GET_LINEHANDLE_IOCTL        0xC16CB403u
#define GPIOHANDLE_GET_LINE_VALUES_IOCTL 0xC040B408u
#define GPIOHANDLE_SET_LINE_VALUES_IOCTL 0xC040B409u
#define GPIOHANDLE_REQUEST_INPUT         (1u << 0)
#define GPIOHANDLE_REQUEST_OUTPUT        (1u << 1)
struct gpiohandle_request {
    uint32_t lineoffsets[64];
    uint32_t flags;
    uint8_t default_values[64];
    char consumer_label[32];
    uint32_t lines;
    int32_t fd;
};

int32_t refuse(int32_t err, const char *capability)
{
    kprintf("%s: %s %s not in manifest\n", err == -EACCES ? "EACCES" : "EPERM", proc_name(), capability);
    return err;
}

/* --- the console */
static int32_t console_write(struct file *f, const char *buf, uint32_t len)
{
    (void)f;
    kputs_n(buf, len);
    return (int32_t)len;
}

static int32_t console_read(struct file *f, char *buf, uint32_t len)
{
    (void)f, (void)buf, (void)len;
    return 0;                                /* no console input: end of file */
}

static int32_t tty_ioctl(struct file *f, uint32_t req, uint32_t arg)
{
    (void)f;
    switch (req) {
    case TCGETS:
        if (!user_ok(arg, 36, 1)) return -EFAULT;
        memset((void *)arg, 0, 36);
        ((uint32_t *)arg)[2] = 0010002u | 0000060u | 0000200u | 0004000u;   /* B115200 CS8 CREAD CLOCAL */
        return 0;
    case TCSETS: case TCSETSW: case TCSETSF:
        return user_ok(arg, 36, 0) ? 0 : -EFAULT;   /* the model's UARTs have no line timing */
    case TIOCGWINSZ:
        if (!user_ok(arg, 8, 1)) return -EFAULT;
        memset((void *)arg, 0, 8);
        ((uint16_t *)arg)[0] = 24, ((uint16_t *)arg)[1] = 80;
        return 0;
    default:
        return -ENOTTY;
    }
}

static uint32_t always_out(struct file *f)
{
    (void)f;
    return POLLOUT;
}

const struct file_ops console_ops = {
    .name = "console", .read = console_read, .write = console_write, .ioctl = tty_ioctl,
    .poll = always_out, .mode = S_IFCHR,
};

/* --- GPIO: the GRP blocks at 0x38010000 + (pin / 4) * 0x10000. Every output change is
   also logged, so it is visible whether or not the board models the pin. */
static void gpio_write(int pin, int value)
{
    if (pin < 24) REG32(GPIO_BLOCK(pin) + (value ? GPIO_DOUT_SET : GPIO_DOUT_RESET)) = 1u << (pin % 4);
    kprintf("[gpio] %s: GPIO %d = %s\n", proc_name(), pin, value ? "high" : "low");
}

static int32_t gpioline_ioctl(struct file *f, uint32_t req, uint32_t arg)
{
    if (!user_ok(arg, 64, req == GPIOHANDLE_GET_LINE_VALUES_IOCTL)) return -EFAULT;
    uint8_t *values = (uint8_t *)arg;
    int pin = f->unit;
    switch (req) {
    case GPIOHANDLE_GET_LINE_VALUES_IOCTL:
        memset(values, 0, 64);
        values[0] = pin < 24 ? (uint8_t)(REG32(GPIO_BLOCK(pin) + GPIO_DIN) >> (pin % 4) & 1u) : 0;
        return 0;
    case GPIOHANDLE_SET_LINE_VALUES_IOCTL:
        if (!f->a) return -EPERM;            /* an input: Linux refuses with EPERM */
        gpio_write(pin, values[0] != 0);
        return 0;
    default:
        return -ENOTTY;
    }
}

static const struct file_ops gpioline_ops = { .name = "gpio line", .ioctl = gpioline_ioctl, .mode = S_IFCHR };

static int32_t gpiochip_ioctl(struct file *f, uint32_t req, uint32_t arg)
{
    (void)f;
    if (req != GPIO_GET_LINEHANDLE_IOCTL) return -ENOTTY;
    if (!user_ok(arg, sizeof(struct gpiohandle_request), 1)) return -EFAULT;
    struct gpiohandle_request *r = (struct gpiohandle_request *)arg;
    if (r->lines != 1) return -EINVAL;       /* applibs asks for one line per descriptor */
    uint32_t pin = r->lineoffsets[0];
    int output = !!(r->flags & GPIOHANDLE_REQUEST_OUTPUT);
    if (pin > 95) return -EINVAL;
    const struct manifest *m = proc_manifest();
    if (!(m->gpio[pin / 32] >> (pin % 32) & 1u)) {
        char cap[16];
        snprintf(cap, sizeof cap, "Gpio %u", (unsigned)pin);
        return refuse(-EACCES, cap);
    }
    int fd = fd_install(&gpioline_ops, O_CLOEXEC | 2u, (int)pin);
    if (fd < 0) return fd;
    fd_get(fd)->a = (uint64_t)output;
    if (output) {
        if (pin < 24) REG32(GPIO_BLOCK(pin) + GPIO_OE_SET) = 1u << (pin % 4);
        gpio_write((int)pin, r->default_values[0] != 0);
    } else if (pin < 24) {
        REG32(GPIO_BLOCK(pin) + GPIO_OE_RESET) = 1u << (pin % 4);
    }
    r->fd = fd;
    return 0;
}

static const struct file_ops gpiochip_ops = { .name = "gpiochip", .ioctl = gpiochip_ioctl, .mode = S_IFCHR };

/* --- ISU UARTs as ttys: polled, reads never wait on the line (epoll or O_NONBLOCK). */
static int32_t uart_write(struct file *f, const char *buf, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        while (!(UART_LSR(ISU_UART(f->unit)) & UART_LSR_THRE)) { }
        UART_THR(ISU_UART(f->unit)) = (uint8_t)buf[i];
    }
    return (int32_t)len;
}

static int32_t uart_read(struct file *f, char *buf, uint32_t len)
{
    uint32_t n = 0;
    while (n < len && (UART_LSR(ISU_UART(f->unit)) & 1u)) buf[n++] = (char)UART_THR(ISU_UART(f->unit));
    return n ? (int32_t)n : -EAGAIN;
}

static uint32_t uart_poll(struct file *f) { return POLLOUT | (UART_LSR(ISU_UART(f->unit)) & 1u ? POLLIN : 0); }
static uint64_t soon(struct file *f) { (void)f; return time_ns() + 1000000u; }   /* polled: 1 ms */

static const struct file_ops uart_ops = {
    .name = "tty", .read = uart_read, .write = uart_write, .ioctl = tty_ioctl, .poll = uart_poll,
    .deadline = soon, .mode = S_IFCHR,
};

static int32_t uart_open(int isu, uint32_t flags)
{
    if (!(proc_manifest()->uarts >> isu & 1u)) {
        char cap[16];
        snprintf(cap, sizeof cap, "Uart ISU%d", isu);
        return refuse(-EACCES, cap);
    }
    for (int fd = 0; fd < MAX_FDS; fd++) {
        struct file *f = fd_get(fd);
        if (f && f->ops == &uart_ops && f->unit == isu) return -EBUSY;
    }
    UART_LCR(ISU_UART(isu)) = 0x03;
    UART_FCR(ISU_UART(isu)) = 0x07;
    return fd_install(&uart_ops, flags, isu);
}

/* --- system events: no update ever arrives here, so it never becomes readable. */
static uint32_t never(struct file *f) { (void)f; return 0; }
static const struct file_ops sysevent_ops = { .name = "sysevent", .poll = never, .mode = S_IFCHR };

static int digit(char c, int below) { return c >= '0' && c < '0' + below ? c - '0' : -1; }

int32_t dev_open(const char *path, uint32_t flags)
{
    int n;
    if (strncmp(path, "/dev/i2c-", 9) == 0 && (n = digit(path[9], 5)) >= 0 && !path[10])
        return i2c_open(n, flags);
    if (strncmp(path, "/dev/spidev", 11) == 0 && (n = digit(path[11], 5)) >= 0 && path[12] == '.'
        && digit(path[13], 2) >= 0 && !path[14])
        return spi_open(n, path[13] - '0', flags);
    if (strcmp(path, "/dev/adc0") == 0) return adc_open(0, flags);
    if (strncmp(path, "/dev/pwm", 8) == 0 && (n = digit(path[8], 3)) >= 0 && !path[9])
        return pwm_open(n, flags);
    if (strcmp(path, "/dev/sysevent") == 0) {
        if (!proc_manifest()->sysevents) return refuse(-EACCES, "SystemEventNotifications");
        return fd_install(&sysevent_ops, flags, 0);
    }
    if (strcmp(path, "/dev/console") == 0 || strcmp(path, "/dev/tty") == 0)
        return fd_install(&console_ops, flags, 0);
    if (strcmp(path, "/dev/gpiochip0") == 0) return fd_install(&gpiochip_ops, flags, 0);
    if (strncmp(path, "/dev/ttyISU", 11) == 0 && path[11] >= '0' && path[11] <= '4' && !path[12])
        return uart_open(path[11] - '0', flags);
    if (strcmp(path, STORAGE_PATH) == 0) return storage_open(flags);
    return -ENOENT;
}

int32_t dev_unlink(const char *path)
{
    if (strcmp(path, STORAGE_PATH) != 0) return -ENOENT;
    return storage_delete();
}

/* --- inter-core sockets: unit = IO core once connected, -1 before. */
static int32_t sock_write(struct file *f, const char *buf, uint32_t len)
{
    if (f->unit < 0) return -ENOTCONN;
    if (len > 1024) return -EMSGSIZE;
    int r = intercore_send(f->unit, proc_manifest()->component_id, buf, len);
    return r >= 0 ? r : (r == -3 ? -EAGAIN : -EIO);
}

static int32_t sock_read(struct file *f, char *buf, uint32_t len)
{
    if (f->unit < 0) return -ENOTCONN;
    int r = intercore_recv(f->unit, buf, len);
    return r >= 0 ? r : (r == -1 ? -EAGAIN : -EIO);
}

static uint32_t sock_poll(struct file *f)
{
    return f->unit < 0 ? 0 : POLLOUT | (intercore_pending(f->unit) ? POLLIN : 0);
}

static const struct file_ops socket_ops = {
    .name = "socket", .read = sock_read, .write = sock_write, .poll = sock_poll,
    .deadline = soon, .mode = S_IFSOCK,
};

int32_t sys_socket(uint32_t domain, uint32_t type, uint32_t protocol)
{
    if (domain != AF_UNIX) return -EAFNOSUPPORT;
    if ((type & SOCK_TYPE_MASK) != SOCK_SEQPACKET || protocol) return -EINVAL;
    return fd_install(&socket_ops, (type & (SOCK_NONBLOCK | SOCK_CLOEXEC)) | 2u, -1);
}

int32_t sys_connect(int32_t fd, uint32_t addr, uint32_t len)
{
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    if (f->ops != &socket_ops) return -ENOTSOCK;
    if (len < 2 + 6 + 36 || len > 110 || !user_ok(addr, len, 0)) return -EFAULT;
    const char *path = (const char *)addr + 2;
    if (*(const uint16_t *)addr != AF_UNIX || strncmp(path, "rtapp:", 6) != 0) return -ECONNREFUSED;
    char id[37];
    for (int i = 0; i < 36; i++) {
        char c = path[6 + i];
        id[i] = c >= 'A' && c <= 'F' ? (char)(c - 'A' + 'a') : c;
    }
    id[36] = '\0';
    uint8_t bytes[16];
    if (guid_to_bytes(id, bytes) < 0) return -EINVAL;
    const struct manifest *m = proc_manifest();
    if (!manifest_allows_connection(m, id)) {
        char cap[72];
        snprintf(cap, sizeof cap, "AllowedApplicationConnections %s", id);
        return refuse(-EACCES, cap);
    }
    for (int core = 0; core < 2; core++) {
        struct app *rt = rt_apps[core];
        if (!rt || strcmp(rt->m.component_id, id) != 0) continue;
        if (!manifest_allows_connection(&rt->m, m->component_id)) {
            kprintf("[kernel] %s: %s does not list it in AllowedApplicationConnections\n",
                    m->name, rt->m.name);
            return -ECONNREFUSED;
        }
        f->unit = core;
        return 0;
    }
    kprintf("[kernel] %s: no RT app %s is running\n", m->name, id);
    return -ECONNREFUSED;
}
