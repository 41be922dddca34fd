/* An interrupt pending behind PRIMASK, FAULTMASK or BASEPRI is taken right after the
   instruction that unmasks it, however long the masked stretch before it ran (issue 15).
   Each check pends IRQ 30 with the mask up, spins a loop long enough to leave the model's
   straight-line walk behind, unmasks, and reads the handler's count with the very next
   instruction: it must be 1. Output: one PASS/FAIL line per check, then the summary. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"
#include "selftest.h"

#define TEST_IRQ 30
#define SPINS 2000

extern const uintptr_t ExceptionVectorTable[];

static volatile uint32_t taken;

void IRQ30_Handler(void) { taken++; }

static void masked_spin(void)
{
    taken = 0;
    nvic_pend(TEST_IRQ);
    for (volatile uint32_t i = 0; i < SPINS; i++) {}
}

_Noreturn void RTCoreMain(void)
{
    uint32_t seen, before;
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("m4-unmask: start\n");
    nvic_set_priority(TEST_IRQ, 4);
    nvic_enable(TEST_IRQ);

    irq_disable();
    masked_spin();
    before = taken;
    __asm__ volatile("cpsie i\n\tldr %0, [%1]" : "=&r"(seen) : "r"(&taken) : "memory");
    check("not taken while PRIMASK is set", before, 0);
    check("taken right after cpsie i", seen, 1);

    irq_disable();
    masked_spin();
    __asm__ volatile("msr primask, %2\n\tldr %0, [%1]"
                     : "=&r"(seen) : "r"(&taken), "r"(0u) : "memory");
    check("taken right after msr primask", seen, 1);

    __asm__ volatile("cpsid f" ::: "memory");
    masked_spin();
    __asm__ volatile("cpsie f\n\tldr %0, [%1]" : "=&r"(seen) : "r"(&taken) : "memory");
    check("taken right after cpsie f (FAULTMASK)", seen, 1);

    __asm__ volatile("msr basepri, %0" :: "r"((uint32_t)PRIORITY(2)) : "memory");
    masked_spin();
    before = taken;
    __asm__ volatile("msr basepri, %2\n\tldr %0, [%1]"
                     : "=&r"(seen) : "r"(&taken), "r"(0u) : "memory");
    check("not taken while BASEPRI masks it", before, 0);
    check("taken right after msr basepri", seen, 1);

    selftest_summary("m4-unmask");
    for (;;) wfi();
}
