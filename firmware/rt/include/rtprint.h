/* Polled output on the IO core's debug UART, for RT apps and test firmware. */
#ifndef RTPRINT_H
#define RTPRINT_H
#include <stdint.h>

void uart_init(uintptr_t base);       /* 115200-8-N-1, as Microsoft's RT samples set it up */
void uart_putc(uintptr_t base, char c);
void print(const char *s);            /* to the debug UART */
void print_u32(uint32_t value);       /* decimal */
void print_hex(uint32_t value);       /* 0x%08x */
#endif
