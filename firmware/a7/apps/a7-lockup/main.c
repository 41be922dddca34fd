/* A guest that locks up on purpose: its exception vectors point at nothing, so the
   undefined instruction below faults again on every vector fetch. The emulator must halt
   the core with a report (core, PC, fault) instead of spinning or crashing. */
#include "a7.h"
#include "a7print.h"

SECURE_TEXT void secure_main(void)
{
    uart_init();
    print("a7-lockup: vectors at 0x70000000, where nothing is mapped\n");
    VBAR_WRITE(0x70000000u);
    __asm__ volatile("udf #0x42");
    print("a7-lockup: FAIL still running\n");
}
