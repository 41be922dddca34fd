/* Self-test reporting shared by the RT self-test apps: one PASS/FAIL line per check, then
   "NAME: P passed, F failed", the line the tests wait for. */
#ifndef SELFTEST_H
#define SELFTEST_H
#include <stdint.h>

void check(const char *name, uint32_t measured, uint32_t expected);
void check_range(const char *name, uint32_t measured, uint32_t lo, uint32_t hi);
void selftest_summary(const char *app);

#endif
