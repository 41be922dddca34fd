/* A guest that never stops: it prints a line forever and, between lines, polls a register
   offset the UART does not have, so each poll is a logged guest error. The CLI's wall-clock
   limit, Ctrl-C and the rate limit on repeated guest-error lines are tested against it. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

#define UART_UNKNOWN REG32(IO_UART_BASE + 0x7Cu)

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    uint32_t sum = 0;
    for (uint32_t n = 0;; n++) {
        print("runaway ");
        print_u32(n);
        print("\n");
        for (int i = 0; i < 1000; i++) sum += UART_UNKNOWN;
        if (sum) print("never\n");
    }
}
