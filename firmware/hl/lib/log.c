/* Log_Debug: format in user space, hand the text to the kernel's console in one call. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <applibs/log.h>

int sphere_log(const char *text, size_t len);

int Log_DebugVarArgs(const char *fmt, va_list args)
{
    char line[256];
    int n = vsnprintf(line, sizeof line, fmt, args);
    if (n < 0) return -1;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    return sphere_log(line, len) < 0 ? -1 : 0;
}

int Log_Debug(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = Log_DebugVarArgs(fmt, ap);
    va_end(ap);
    return r;
}
