#include "mt3620.h"
#include "rtprint.h"

void uart_init(uintptr_t base)
{
    UART_LCR(base) = 0xBF;          /* enhanced-register access */
    REG32(base + 0x08) = 0x10;      /* EFR: enable enhanced features */
    UART_LCR(base) = 0x80;          /* divisor latch */
    REG32(base + 0x24) = 3;         /* HIGHSPEED */
    UART_DLM(base) = 0;
    UART_DLL(base) = 1;
    REG32(base + 0x28) = 224;       /* SAMPLE_COUNT */
    REG32(base + 0x2C) = 110;       /* SAMPLE_POINT */
    REG32(base + 0x58) = 0;         /* FRACDIV_M */
    REG32(base + 0x54) = 223;       /* FRACDIV_L */
    UART_LCR(base) = 0x03;          /* 8N1 */
    UART_FCR(base) = 0x07;          /* FIFOs on and cleared */
}

void uart_putc(uintptr_t base, char c)
{
    while (!(UART_LSR(base) & UART_LSR_THRE)) { }
    UART_THR(base) = (uint8_t)c;
}

void print(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n') uart_putc(IO_UART_BASE, '\r');
        uart_putc(IO_UART_BASE, *s);
    }
}
