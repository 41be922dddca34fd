/* Polled output on the A7 debug UART, usable from either world and any privileged mode. */
#ifndef A7PRINT_H
#define A7PRINT_H
#include <stdint.h>

void uart_init(void);                 /* 115200-8-N-1 */
void putc_uart(char c);
void print(const char *s);
void print_u32(uint32_t value);       /* decimal */
void print_hex(uint32_t value);       /* 0x%08x */
#endif
