/* The kernel console on the A7 debug UART (a7-uart), polled: the kernel prints little and
   must be able to print from anywhere, faults included. */
#include <stdarg.h>
#include "kernel.h"
#include "mt3620-a7.h"
#include "stdio.h"

void console_init(void)
{
    UART_LCR(A7_UART_BASE) = 0x03;    /* 8N1 */
    UART_FCR(A7_UART_BASE) = 0x07;    /* FIFOs on and cleared */
}

static void put(char c, void *ctx)
{
    (void)ctx;
    if (c == '\n') put('\r', 0);
    while (!(UART_LSR(A7_UART_BASE) & UART_LSR_THRE)) { }
    UART_THR(A7_UART_BASE) = (uint8_t)c;
}

void kputs_n(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) put(s[i], 0);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(put, 0, fmt, ap);
    va_end(ap);
}
