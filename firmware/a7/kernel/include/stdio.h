/* printf-style formatting into a buffer: %d %i %u %x %X %p %s %c %%, flags '-', '0' and '#',
   width, '.precision' for strings, and the l / ll / z length modifiers. */
#ifndef STDIO_H
#define STDIO_H
#include <stdarg.h>
#include <stddef.h>
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/* The formatter behind both, shared with the kernel's console: calls put() per character. */
int vformat(void (*put)(char c, void *ctx), void *ctx, const char *fmt, va_list ap);
#endif
