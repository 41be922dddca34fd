/* Decimal and hex printing for the A7 and RT kits: the formatting is the same on both cores,
   only print() differs (a7/print.c, rt/print.c), so both kits compile this one file. */
#include "print_num.h"

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
