/* The kernel's libc string subset: byte loops, small and obviously right, except where the
   kernel moves much data (memcpy, memset). */
#include <stddef.h>
#include "string.h"

/* Eight words per LDM/STM pair where source and destination share their alignment: the
   kernel copies every app's segments out of flash with this (a few hundred KiB per app),
   and a byte loop made that most of an app's start-up, in virtual and in host time. */
void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if ((((size_t)d ^ (size_t)s) & 3u) == 0) {
        for (; n && ((size_t)d & 3u); n--) *d++ = *s++;
        for (; n >= 32; n -= 32) {
            __asm__ volatile("ldmia %1!, {r3-r10}\n\tstmia %0!, {r3-r10}"
                             : "+r"(d), "+r"(s)
                             : : "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "memory");
        }
        for (; n >= 4; n -= 4, d += 4, s += 4) *(unsigned int *)d = *(const unsigned int *)s;
    }
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) while (n--) *d++ = *s++;
    else while (n--) d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    /* Eight words per STM where it can: the kernel clears every page it hands out. */
    while (n && ((size_t)d & 3u)) { *d++ = (unsigned char)c; n--; }
    unsigned int w = (unsigned char)c * 0x01010101u;
    if (n >= 32) {
        register unsigned int w0 __asm__("r3") = w, w1 __asm__("r4") = w, w2 __asm__("r5") = w,
            w3 __asm__("r6") = w, w4 __asm__("r7") = w, w5 __asm__("r8") = w,
            w6 __asm__("r9") = w, w7 __asm__("r10") = w;
        for (; n >= 32; n -= 32) {
            __asm__ volatile("stmia %0!, {r3-r10}"
                             : "+r"(d)
                             : "r"(w0), "r"(w1), "r"(w2), "r"(w3), "r"(w4), "r"(w5), "r"(w6),
                               "r"(w7)
                             : "memory");
        }
    }
    for (; n >= 4; n -= 4, d += 4) *(unsigned int *)d = w;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++) if (*x != *y) return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b || !*a) return (unsigned char)*a - (unsigned char)*b;
    }
    return 0;
}
