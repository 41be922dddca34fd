/* Isolation: a high-level app reading kernel memory takes a data abort (the kernel's MiB is
   mapped for PL1 only) and the kernel ends the app, not itself. */
#include <stdint.h>
#include <applibs/log.h>

int main(void)
{
    Log_Debug("fault-hl: reading the kernel's memory\n");
    uint32_t word = *(volatile uint32_t *)0x80000000u;
    Log_Debug("fault-hl: read %x, which must not happen\n", (unsigned)word);
    return 0;
}
