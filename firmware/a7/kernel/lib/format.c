/* The printf-style formatter behind snprintf/Log_Debug, also compiled into the kernel for
   its console. No floating point: the kits build with soft-float and apps log integers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "stdio.h"

struct spec { int left, zero, alt, width, prec; };

static int pad(void (*put)(char, void *), void *ctx, int n, char c)
{
    int out = 0;
    for (; n > 0; n--, out++) put(c, ctx);
    return out;
}

static int emit(void (*put)(char, void *), void *ctx, const struct spec *sp,
                const char *s, int len)
{
    int out = 0, fill = sp->width - len;
    if (!sp->left) out += pad(put, ctx, fill, sp->zero ? '0' : ' ');
    for (int i = 0; i < len; i++, out++) put(s[i], ctx);
    if (sp->left) out += pad(put, ctx, fill, ' ');
    return out;
}

static int number(void (*put)(char, void *), void *ctx, struct spec *sp,
                  uint64_t v, int negative, unsigned base, int upper)
{
    char buf[24];
    int i = sizeof buf;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do { buf[--i] = digits[v % base]; v /= base; } while (v);
    if (negative) {
        /* The sign goes before zero padding, so pad the digits and put the sign first. */
        if (sp->zero && !sp->left) {
            put('-', ctx);
            sp->width = sp->width > 0 ? sp->width - 1 : 0;
            return 1 + emit(put, ctx, sp, &buf[i], (int)sizeof buf - i);
        }
        buf[--i] = '-';
    }
    return emit(put, ctx, sp, &buf[i], (int)sizeof buf - i);
}

int vformat(void (*put)(char c, void *ctx), void *ctx, const char *fmt, va_list ap)
{
    int out = 0;
    for (; *fmt; fmt++) {
        if (*fmt != '%') { put(*fmt, ctx); out++; continue; }
        struct spec sp = { 0, 0, 0, 0, -1 };
        for (;; fmt++) {
            if (fmt[1] == '-') sp.left = 1;
            else if (fmt[1] == '0') sp.zero = 1;
            else if (fmt[1] == '#') sp.alt = 1;
            else break;
        }
        fmt++;
        if (*fmt == '*') { sp.width = va_arg(ap, int); fmt++; }
        while (*fmt >= '0' && *fmt <= '9') sp.width = sp.width * 10 + (*fmt++ - '0');
        if (*fmt == '.') {
            sp.prec = 0;
            fmt++;
            if (*fmt == '*') { sp.prec = va_arg(ap, int); fmt++; }
            while (*fmt >= '0' && *fmt <= '9') sp.prec = sp.prec * 10 + (*fmt++ - '0');
        }
        int longs = 0;
        while (*fmt == 'l' || *fmt == 'z' || *fmt == 'h') { if (*fmt == 'l') longs++; fmt++; }
        switch (*fmt) {
        case 'd': case 'i': {
            int64_t v = longs >= 2 ? va_arg(ap, long long) : va_arg(ap, int);
            out += number(put, ctx, &sp, v < 0 ? (uint64_t)-v : (uint64_t)v, v < 0, 10, 0);
            break;
        }
        case 'u': case 'x': case 'X': {
            uint64_t v = longs >= 2 ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
            if (sp.alt && *fmt != 'u') { put('0', ctx); put(*fmt, ctx); out += 2; }
            out += number(put, ctx, &sp, v, 0, *fmt == 'u' ? 10 : 16, *fmt == 'X');
            break;
        }
        case 'p':
            put('0', ctx); put('x', ctx); out += 2;
            sp.width = 8; sp.zero = 1;
            out += number(put, ctx, &sp, (uintptr_t)va_arg(ap, void *), 0, 16, 0);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            int len = 0;
            while (s[len] && (sp.prec < 0 || len < sp.prec)) len++;
            sp.zero = 0;
            out += emit(put, ctx, &sp, s, len);
            break;
        }
        case 'c': { char c = (char)va_arg(ap, int); out += emit(put, ctx, &sp, &c, 1); break; }
        case '%': put('%', ctx); out++; break;
        case '\0': return out;
        default: put('%', ctx); put(*fmt, ctx); out += 2; break;
        }
    }
    return out;
}

struct sink { char *buf; size_t size, used; };

static void to_buffer(char c, void *ctx)
{
    struct sink *s = ctx;
    if (s->used + 1 < s->size) s->buf[s->used] = c;
    s->used++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sink s = { buf, size, 0 };
    int n = vformat(to_buffer, &s, fmt, ap);
    if (size) buf[s.used < size ? s.used : size - 1] = '\0';
    return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
