/* The system-call wrappers (sphere_syscall.h): svc #0 with r7 = number; a negative answer
   becomes -1 and errno, as POSIX callers expect. */
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <applibs/application.h>
#include <applibs/gpio.h>
#include <applibs/storage.h>
#include <applibs/uart.h>
#include "sphere_syscall.h"

int errno;

static int32_t syscall4(uint32_t n, uint32_t a, uint32_t b, uint32_t c)
{
    register uint32_t r0 __asm__("r0") = a;
    register uint32_t r1 __asm__("r1") = b;
    register uint32_t r2 __asm__("r2") = c;
    register uint32_t r7 __asm__("r7") = n;
    __asm__ volatile("svc #0" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "r3", "memory");
    return (int32_t)r0;
}

static int check(int32_t r)
{
    if (r < 0) { errno = -r; return -1; }
    return r;
}

#define CALL(n, a, b, c) check(syscall4((n), (uint32_t)(a), (uint32_t)(b), (uint32_t)(c)))

_Noreturn void exit(int status)
{
    syscall4(SYS_EXIT, (uint32_t)status, 0, 0);
    for (;;) { }
}

int sphere_log(const char *text, size_t len) { return CALL(SYS_LOG, text, len, 0); }

int clock_gettime(clockid_t clock, struct timespec *tp)
{
    uint64_t ns;
    (void)clock;
    if (CALL(SYS_TIME, &ns, 0, 0) < 0) return -1;
    tp->tv_sec = (time_t)(ns / 1000000000u);
    tp->tv_nsec = (long)(ns % 1000000000u);
    return 0;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
    if (req->tv_nsec < 0 || req->tv_nsec >= 1000000000L || req->tv_sec < 0) {
        errno = EINVAL;
        return -1;
    }
    uint64_t ns = (uint64_t)req->tv_sec * 1000000000u + (uint64_t)req->tv_nsec;
    if (rem) rem->tv_sec = 0, rem->tv_nsec = 0;
    return CALL(SYS_SLEEP, (uint32_t)ns, (uint32_t)(ns >> 32), 0) < 0 ? -1 : 0;
}

unsigned int sleep(unsigned int seconds)
{
    struct timespec t = { seconds, 0 };
    nanosleep(&t, 0);
    return 0;
}

int usleep(unsigned int usec)
{
    struct timespec t = { usec / 1000000u, (long)(usec % 1000000u) * 1000 };
    return nanosleep(&t, 0);
}

ssize_t write(int fd, const void *buf, size_t count) { return CALL(SYS_WRITE, fd, buf, count); }
ssize_t read(int fd, void *buf, size_t count) { return CALL(SYS_READ, fd, buf, count); }
int close(int fd) { return CALL(SYS_CLOSE, fd, 0, 0); }
off_t lseek(int fd, off_t offset, int whence) { return CALL(SYS_LSEEK, fd, offset, whence); }

int GPIO_OpenAsOutput(GPIO_Id gpioId, GPIO_OutputMode_Type outputMode,
                      GPIO_Value_Type initialValue)
{
    return CALL(SYS_GPIO_OPEN_OUT, gpioId, outputMode, initialValue);
}

int GPIO_OpenAsInput(GPIO_Id gpioId) { return CALL(SYS_GPIO_OPEN_IN, gpioId, 0, 0); }
int GPIO_SetValue(int gpioFd, GPIO_Value_Type value) { return CALL(SYS_GPIO_SET, gpioFd, value, 0) < 0 ? -1 : 0; }

int GPIO_GetValue(int gpioFd, GPIO_Value_Type *outValue)
{
    int v = CALL(SYS_GPIO_GET, gpioFd, 0, 0);
    if (v < 0) return -1;
    *outValue = v;
    return 0;
}

void UART_InitConfig(UART_Config *config)
{
    memset(config, 0, sizeof *config);
    config->baudRate = 115200;
    config->dataBits = UART_DataBits_Eight;
    config->parity = UART_Parity_None;
    config->stopBits = UART_StopBits_One;
    config->flowControl = UART_FlowControl_None;
}

int UART_Open(UART_Id uartId, const UART_Config *config)
{
    return CALL(SYS_UART_OPEN, uartId, config ? config->baudRate : 115200u, 0);
}

int Application_Connect(const char *componentId) { return CALL(SYS_APP_CONNECT, componentId, 0, 0); }

ssize_t send(int sockfd, const void *buf, size_t len, int flags)
{
    (void)flags;
    return CALL(SYS_SEND, sockfd, buf, len);
}

ssize_t recv(int sockfd, void *buf, size_t len, int flags)
{
    (void)flags;
    return CALL(SYS_RECV, sockfd, buf, len);
}

int Storage_OpenMutableFile(void) { return CALL(SYS_STORAGE_OPEN, 0, 0, 0); }
int Storage_DeleteMutableFile(void) { return CALL(SYS_STORAGE_DELETE, 0, 0, 0) < 0 ? -1 : 0; }

char *strerror(int errnum)
{
    switch (errnum) {
    case EPERM: return "Operation not permitted";
    case ENOENT: return "No such file or directory";
    case EBADF: return "Bad file descriptor";
    case EAGAIN: return "Resource temporarily unavailable";
    case EINVAL: return "Invalid argument";
    case ECONNREFUSED: return "Connection refused";
    default: return "Error";
    }
}
