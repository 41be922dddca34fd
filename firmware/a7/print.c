#include "a7print.h"
#include "mt3620-a7.h"

void uart_init(void)
{
    UART_LCR(A7_UART_BASE) = 0x03;    /* 8N1 */
    UART_FCR(A7_UART_BASE) = 0x07;    /* FIFOs on and cleared */
}

void putc_uart(char c)
{
    while (!(UART_LSR(A7_UART_BASE) & UART_LSR_THRE)) { }
    UART_THR(A7_UART_BASE) = (uint8_t)c;
}

void print(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n') putc_uart('\r');
        putc_uart(*s);
    }
}

void print_u32(uint32_t value)
{
    char buf[11];
    int i = sizeof buf - 1;
    buf[i] = '\0';
    do { buf[--i] = (char)('0' + value % 10); value /= 10; } while (value);
    print(&buf[i]);
}

void print_hex(uint32_t value)
{
    char buf[11] = "0x";
    for (int i = 0; i < 8; i++) buf[2 + i] = "0123456789abcdef"[(value >> (28 - 4 * i)) & 0xF];
    buf[10] = '\0';
    print(buf);
}
