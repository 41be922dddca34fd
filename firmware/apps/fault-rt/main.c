/* An RT app that crashes (tests/test_rt_lifecycle.py): it greets, then loads from an address
   where nothing is mapped. BusFault is not enabled, so that escalates to HardFault, whose
   handler gives up with __builtin_trap() (an undefined instruction): a fault the core cannot
   take from HardFault, so it locks up. The Security Monitor and the kernel notice, report it
   with this app's component ID and restart it (docs/kernel-and-apps.md §9). */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

#define NOTHING_THERE 0x70000000u   /* unmapped in an IO core's address map */

void HardFault_Handler(void)
{
    print("fault-rt: in HardFault, giving up\n");
    __builtin_trap();
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("fault-rt: started, reading an unmapped address\n");
    uint32_t value;
    /* fault_rt_load: the faulting instruction, for the test to compare the reported PC */
    __asm__ volatile(".global fault_rt_load\nfault_rt_load: ldr %0, [%1]"
                     : "=r"(value) : "r"(NOTHING_THERE) : "memory");
    print("fault-rt: still running after the fault\n");
    (void)value;
    for (;;) { }
}
