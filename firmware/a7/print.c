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
