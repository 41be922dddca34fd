/* applibs/log.h: printf-style lines on the device's debug output (here: the A7 console). */
#ifndef APPLIBS_LOG_H
#define APPLIBS_LOG_H
#include <stdarg.h>
#ifdef __cplusplus
extern "C" {
#endif
int Log_Debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int Log_DebugVarArgs(const char *fmt, va_list args);
#ifdef __cplusplus
}
#endif
#endif
