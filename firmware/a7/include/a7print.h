/* Polled output on the A7 debug UART, usable from either world and any privileged mode. */
#ifndef A7PRINT_H
#define A7PRINT_H
#include <stdint.h>
#include "print_num.h"                /* print(), print_u32(), print_hex() */

void uart_init(void);                 /* 115200-8-N-1 */
void putc_uart(char c);
#endif
