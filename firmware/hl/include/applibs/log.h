/* Log_Debug: a printf-style line to the device's debug console (applibs/log.h). */
#ifndef APPLIBS_LOG_H
#define APPLIBS_LOG_H
#include <stdarg.h>
int Log_Debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int Log_DebugVarArgs(const char *fmt, va_list args);
#endif
