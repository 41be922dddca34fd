#include "selftest.h"
#include "rtprint.h"

static uint32_t passed, failed;

static void count(int ok, const char *name)
{
    if (ok) passed++; else failed++;
    print(ok ? "PASS " : "FAIL ");
    print(name);
    print(": ");
}

void check(const char *name, uint32_t measured, uint32_t expected)
{
    count(measured == expected, name);
    print_hex(measured);
    print(" (expected ");
    print_hex(expected);
    print(")\n");
}

void check_range(const char *name, uint32_t measured, uint32_t lo, uint32_t hi)
{
    count(measured >= lo && measured <= hi, name);
    print_u32(measured);
    print(" (expected ");
    print_u32(lo);
    print("..");
    print_u32(hi);
    print(")\n");
}

void selftest_summary(const char *app)
{
    print(app);
    print(": ");
    print_u32(passed);
    print(" passed, ");
    print_u32(failed);
    print(" failed\n");
}
