/* An RT app in all three places the loader serves: this code and its constants run from XIP
   flash (0x10000000), `greeting` is initialised data in SYSRAM (0x22000000), `counts` is
   zeroed data in TCM, and `mix` runs from TCM. It reports where each lives and checks that
   the loader copied and zero-filled them, then prints a checksum computed across all three.
   Run alone (--core io0) or through the boot chain it prints the same. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

static const uint32_t table[8] = { 3, 1, 4, 1, 5, 9, 2, 6 };   /* XIP flash (.rodata) */
static char greeting[] = "data from SYSRAM";                     /* SYSRAM (.data) */
static uint32_t counts[64];                                      /* TCM (.bss) */

__attribute__((section(".tcm_text"), noinline))
static uint32_t mix(uint32_t acc, uint32_t value)                /* runs from TCM */
{
    return (acc ^ value) * 16777619u;
}

static void where(const char *what, uintptr_t address)
{
    print(what);
    print(" at ");
    print_hex(address);
    print("\n");
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("xip-rt: vector table");
    where("", (uintptr_t)ExceptionVectorTable);
    where("xip-rt: code", (uintptr_t)RTCoreMain & ~1u);
    where("xip-rt: constants", (uintptr_t)table);
    where("xip-rt: initialised data", (uintptr_t)greeting);
    where("xip-rt: zeroed data", (uintptr_t)counts);
    where("xip-rt: TCM code", (uintptr_t)mix & ~1u);
    uint32_t zero = 1;
    for (uint32_t i = 0; i < 64; i++) zero &= counts[i] == 0;
    print("xip-rt: ");
    print(greeting);
    print(zero ? ", zero-filled bss\n" : ", bss NOT zero\n");
    uint32_t acc = 2166136261u;
    for (uint32_t round = 0; round < 1000; round++) {
        uint32_t v = table[round % 8] + (uint32_t)greeting[round % 16];
        counts[round % 64] += v;
        acc = mix(acc, counts[round % 64]);
    }
    print("xip-rt: checksum ");
    print_hex(acc);
    print("\nxip-rt: done\n");
    for (;;) __asm__ volatile("wfi");
}
