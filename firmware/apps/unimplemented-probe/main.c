/* Touches blocks the model does not implement (the infra-bus block, the cache controller): they must
   read as zero, ignore writes and let the app run on, each logged once by name. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

#define INFRA_REG   REG32(0x21070030u)
#define CACHE_REG   REG32(0x20080010u)

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    uint32_t sum = 0;
    for (int i = 0; i < 3; i++) {
        INFRA_REG = 0x2201u;
        CACHE_REG = 0xFFu;
        sum |= INFRA_REG | CACHE_REG;
    }
    print("unimplemented blocks read ");
    print_hex(sum);
    print("\nstill running\n");
    for (;;) wfi();
}
