/* Log_Debug: format in the app, then one write() of the whole text to the debug output
   (stderr, which the kernel gives the console), so lines never interleave. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <applibs/log.h>

int Log_DebugVarArgs(const char *fmt, va_list args)
{
    char line[512];
    int n = vsnprintf(line, sizeof line, fmt, args);
    if (n < 0) return -1;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    return write(STDERR_FILENO, line, len) < 0 ? -1 : 0;
}

int Log_Debug(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = Log_DebugVarArgs(fmt, ap);
    va_end(ap);
    return r;
}
