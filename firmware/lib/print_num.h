/* Number printing shared by the A7 and RT kits (a7print.h, rtprint.h include this). Each kit
   provides print() for its own debug UART; lib/print_num.c formats through it. */
#ifndef PRINT_NUM_H
#define PRINT_NUM_H
#include <stdint.h>

void print(const char *s);            /* the kit's: to its debug UART */
void print_u32(uint32_t value);       /* decimal */
void print_hex(uint32_t value);       /* 0x%08x */
#endif
