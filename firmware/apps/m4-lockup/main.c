/* Locks up the IO core on purpose (tests/test_cortex_m_firmware.py): an undefined
 * instruction with UsageFault disabled escalates to HardFault, and the HardFault handler
 * then reads from an address where nothing is mapped. A fault the core cannot take from
 * HardFault is a lockup: the core halts and the emulator reports it. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

#define UNMAPPED 0x30000000u   /* nothing there in an IO core's address map */

void HardFault_Handler(void)
{
    print("m4-lockup: in HardFault, reading an unmapped address\n");
    (void)*(volatile uint32_t *)UNMAPPED;
    print("m4-lockup: still running after the fault\n");
    for (;;) { }
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("m4-lockup: undefined instruction with UsageFault disabled\n");
    __asm__ volatile("udf #1");
    print("m4-lockup: still running after the undefined instruction\n");
    for (;;) { }
}
