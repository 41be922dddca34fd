/* Exception vector table for RT apps: 16 system exceptions + 100 MT3620 interrupts.
   Every handler is a weak alias an app overrides by defining a function of that name.
   The reset vector is Reset_Handler, which calls the app's RTCoreMain. */
#include <stdint.h>

extern uint32_t StackTop;

void Default_Handler(void);
void Default_Handler(void) { for (;;) { } }

/* The core leaves reset with LR = 0xFFFFFFFF, which GDB (13 on) takes for a lockup address
   and shows as a "<signal handler called>" frame under whatever function saved it. This
   handler is the outermost frame instead: its CFI says there is no return address, so a
   backtrace ends here. Naked, so RTCoreMain gets the whole stack; it must not return (udf
   faults if it does). */
void Reset_Handler(void);
__attribute__((naked, noreturn)) void Reset_Handler(void)
{
    __asm__ volatile(".cfi_undefined lr\n\t"
                     "bl RTCoreMain\n\t"
                     "udf #0");
}

#define WEAK_HANDLER(name) void name(void) __attribute__((weak, alias("Default_Handler")))
WEAK_HANDLER(NMI_Handler);
WEAK_HANDLER(HardFault_Handler);
WEAK_HANDLER(MemManage_Handler);
WEAK_HANDLER(BusFault_Handler);
WEAK_HANDLER(UsageFault_Handler);
WEAK_HANDLER(SVC_Handler);
WEAK_HANDLER(DebugMon_Handler);
WEAK_HANDLER(PendSV_Handler);
WEAK_HANDLER(SysTick_Handler);
/* External interrupt n is handled by IRQn_Handler, weak like the rest. */
#define IRQ_HANDLER(n) WEAK_HANDLER(IRQ##n##_Handler);
#define TEN_HANDLERS(t) IRQ_HANDLER(t##0) IRQ_HANDLER(t##1) IRQ_HANDLER(t##2) IRQ_HANDLER(t##3) \
    IRQ_HANDLER(t##4) IRQ_HANDLER(t##5) IRQ_HANDLER(t##6) IRQ_HANDLER(t##7) IRQ_HANDLER(t##8) \
    IRQ_HANDLER(t##9)
IRQ_HANDLER(0) IRQ_HANDLER(1) IRQ_HANDLER(2) IRQ_HANDLER(3) IRQ_HANDLER(4)
IRQ_HANDLER(5) IRQ_HANDLER(6) IRQ_HANDLER(7) IRQ_HANDLER(8) IRQ_HANDLER(9)
TEN_HANDLERS(1) TEN_HANDLERS(2) TEN_HANDLERS(3) TEN_HANDLERS(4) TEN_HANDLERS(5)
TEN_HANDLERS(6) TEN_HANDLERS(7) TEN_HANDLERS(8) TEN_HANDLERS(9)

#define IRQ(n) (uintptr_t)IRQ##n##_Handler,
#define TEN_IRQS(t) IRQ(t##0) IRQ(t##1) IRQ(t##2) IRQ(t##3) IRQ(t##4) IRQ(t##5) IRQ(t##6) \
    IRQ(t##7) IRQ(t##8) IRQ(t##9)

__attribute__((section(".vector_table"), used))
const uintptr_t ExceptionVectorTable[16 + 100] = {
    [0] = (uintptr_t)&StackTop,
    [1] = (uintptr_t)Reset_Handler,
    [2] = (uintptr_t)NMI_Handler,
    [3] = (uintptr_t)HardFault_Handler,
    [4] = (uintptr_t)MemManage_Handler,
    [5] = (uintptr_t)BusFault_Handler,
    [6] = (uintptr_t)UsageFault_Handler,
    [11] = (uintptr_t)SVC_Handler,
    [12] = (uintptr_t)DebugMon_Handler,
    [14] = (uintptr_t)PendSV_Handler,
    [15] = (uintptr_t)SysTick_Handler,
    [16] =
    IRQ(0) IRQ(1) IRQ(2) IRQ(3) IRQ(4) IRQ(5) IRQ(6) IRQ(7) IRQ(8) IRQ(9)
    TEN_IRQS(1) TEN_IRQS(2) TEN_IRQS(3) TEN_IRQS(4) TEN_IRQS(5)
    TEN_IRQS(6) TEN_IRQS(7) TEN_IRQS(8) TEN_IRQS(9)
};
