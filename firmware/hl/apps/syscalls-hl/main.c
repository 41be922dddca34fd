/* Exercises the system calls a high-level app may make with its manifest's blessing:
   time and sleep, GPIO out and in, an ISU UART, mutable storage, the formatter, and the
   errors a bad descriptor gives. Each result is one console line (tests/test_hl_apps.py). */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <applibs/gpio.h>
#include <applibs/log.h>
#include <applibs/storage.h>
#include <applibs/uart.h>
#include <hw/mt3620.h>

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(void)
{
    Log_Debug("format: [%5d] [%-5s] [%05x] [%c] [%lld] [%%]\n", -42, "ab", 0xbeef, 'z',
              -1234567890123LL);

    long long before = now_ms();
    struct timespec second = { 1, 0 };
    nanosleep(&second, 0);
    Log_Debug("slept %lld ms\n", now_ms() - before);

    int out = GPIO_OpenAsOutput(0, GPIO_OutputMode_PushPull, GPIO_Value_Low);
    GPIO_SetValue(out, GPIO_Value_High);
    int in = GPIO_OpenAsInput(12);
    GPIO_Value_Type value = 7;
    int r = GPIO_GetValue(in, &value);
    Log_Debug("GPIO 12 reads %d (%d)\n", value, r);
    r = GPIO_SetValue(in, GPIO_Value_High);
    Log_Debug("GPIO_SetValue on an input: %d, errno %d\n", r, errno);

    UART_Config config;
    UART_InitConfig(&config);
    int uart = UART_Open(MT3620_ISU2_UART, &config);
    static const char hello[] = "syscalls-hl on ISU2\r\n";
    Log_Debug("UART write: %d\n", (int)write(uart, hello, sizeof hello - 1));

    int fd = Storage_OpenMutableFile();
    static const char data[] = "counter=1";
    write(fd, data, sizeof data - 1);
    lseek(fd, 0, SEEK_SET);
    char back[32] = { 0 };
    int n = (int)read(fd, back, sizeof back - 1);
    Log_Debug("storage: read %d bytes \"%s\"\n", n, back);
    int t = ftruncate(fd, 7);
    int s = fsync(fd);
    long size = (long)lseek(fd, 0, SEEK_END);
    Log_Debug("storage: ftruncate 7 -> %d, fsync -> %d, size %ld\n", t, s, size);
    t = ftruncate(fd, 1 << 20);
    Log_Debug("storage: ftruncate past the quota -> %d, errno %d\n", t, errno);
    s = fsync(uart);
    Log_Debug("fsync on a tty: %d, errno %d\n", s, errno);
    close(fd);
    Storage_DeleteMutableFile();
    fd = Storage_OpenMutableFile();
    Log_Debug("storage after delete: %d bytes\n", (int)read(fd, back, sizeof back));

    r = (int)write(42, data, 1);
    Log_Debug("write to fd 42: %d, errno %d\n", r, errno);
    r = (int)write(uart, (const void *)0x80000000, 4);
    Log_Debug("write from kernel memory: %d, errno %d\n", r, errno);
    return 3;
}
