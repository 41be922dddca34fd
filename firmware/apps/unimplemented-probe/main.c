/* Touches blocks the model does not implement (the infra-bus block, GPIO group 0): they must
   read as zero, ignore writes and let the app run on, each logged once by name. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

#define INFRA_REG   REG32(0x21070030u)
#define GPIO0_DOUT  REG32(0x38010010u)

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    uint32_t sum = 0;
    for (int i = 0; i < 3; i++) {
        INFRA_REG = 0x2201u;
        GPIO0_DOUT = 0xFFu;
        sum |= INFRA_REG | GPIO0_DOUT;
    }
    print("unimplemented blocks read ");
    print_hex(sum);
    print("\nstill running\n");
    for (;;) wfi();
}
