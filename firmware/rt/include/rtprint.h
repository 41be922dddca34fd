/* Polled output on the IO core's debug UART, for RT apps and test firmware. */
#ifndef RTPRINT_H
#define RTPRINT_H
#include <stdint.h>
#include "print_num.h"                /* print(), print_u32(), print_hex() */

void uart_init(uintptr_t base);       /* 115200-8-N-1, as Microsoft's RT samples set it up */
void uart_putc(uintptr_t base, char c);
#endif
