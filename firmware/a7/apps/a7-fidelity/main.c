/* ARMv7-A behaviours an independent test checks against the architecture (issue 15), each
   reported as "ok   NAME" or "FAIL NAME" on the A7 console:

   - CNTx_CTL.ISTATUS is live: it reads 1 as soon as TVAL is negative, 0 once it is not;
   - an interrupt pending while masked is taken right after the instruction that unmasks
     it (CPSIE, MSR CPSR_c, an exception return, GICC_PMR/GICC_CTLR/GICD_ISENABLER writes,
     an SGI), before the next instruction runs;
   - in the Secure World CPACR.cp10/cp11 read back what was written, whatever NSACR holds;
   - VFP instructions, and VMRS/VMSR FPEXC, are undefined while CPACR denies cp10/cp11;
     VFP instructions are undefined while FPEXC.EN is clear; in the Normal World they are
     undefined while NSACR denies cp10/cp11.

   Everything but the last step runs in Secure SVC mode; the SGIs are group 0, signalled as
   IRQ. */
#include "a7.h"
#include "a7print.h"

extern char vectors[];

#define CNTP_TVAL_READ()  MRC(0, 14, 2, 0)
#define CNTV_TVAL_READ()  MRC(0, 14, 3, 0)
#define CNTV_CTL_READ()   MRC(0, 14, 3, 1)
#define GICD_SGIR         GICD(0xF00)
#define SGI_TO_SELF(id)   ((2u << 24) | (id))
#define SGI_A 1u
#define SGI_B 2u
#define CPACR_CP10_CP11 (0xFu << 20)
#define FPEXC_EN (1u << 30)

static volatile uint32_t irqs, undefs;
static unsigned failures;

SECURE_TEXT void irq_handler(void)
{
    uint32_t id = GICC_IAR;
    if (id != GIC_SPURIOUS) {
        irqs++;
        GICC_EOIR = id;
    }
}

SECURE_TEXT void undef_handler(void)
{
    undefs++;
}

SECURE_TEXT static void check(int ok, const char *name)
{
    print(ok ? "ok   " : "FAIL ");
    print(name);
    print("\n");
    failures += !ok;
}

/* -- the generic timer ------------------------------------------------------------------ */

SECURE_TEXT static void timer_status(void)
{
    /* Enabled but masked at the timer: no interrupt, no deadline; only ISTATUS tells. */
    CNTV_CTL_WRITE(CNT_CTL_ENABLE | CNT_CTL_IMASK);
    CNTV_TVAL_WRITE(64);
    check(!(CNTV_CTL_READ() & CNT_CTL_ISTATUS), "CNTV_CTL.ISTATUS clear before the deadline");
    while ((int32_t)CNTV_TVAL_READ() >= 0) {}
    check(CNTV_CTL_READ() & CNT_CTL_ISTATUS, "CNTV_CTL.ISTATUS set once TVAL is negative");
    CNTV_TVAL_WRITE(1000000);
    check(!(CNTV_CTL_READ() & CNT_CTL_ISTATUS), "CNTV_CTL.ISTATUS clear after TVAL moved on");
    CNTV_CTL_WRITE(0);

    CNTP_TVAL_WRITE(64);          /* this time the deadline first, then enable */
    CNTP_CTL_WRITE(CNT_CTL_ENABLE | CNT_CTL_IMASK);
    while ((int32_t)CNTP_TVAL_READ() >= 0) {}
    check(CNTP_CTL_READ() & CNT_CTL_ISTATUS, "CNTP_CTL.ISTATUS set once TVAL is negative");
    CNTP_CTL_WRITE(0);
}

/* -- unmasking a pending interrupt -------------------------------------------------------- */

/* Store `value` at `reg`, then read the IRQ count with the very next instruction. */
SECURE_TEXT static uint32_t store_then_count(volatile uint32_t *reg, uint32_t value)
{
    uint32_t seen;
    __asm__ volatile("str %2, [%1]\n\tldr %0, [%3]"
                     : "=&r"(seen) : "r"(reg), "r"(value), "r"(&irqs) : "memory");
    return seen;
}

SECURE_TEXT static void pend_masked(unsigned sgis)
{
    irq_disable();
    irqs = 0;
    GICD_SGIR = SGI_TO_SELF(SGI_A);
    if (sgis > 1) GICD_SGIR = SGI_TO_SELF(SGI_B);
}

SECURE_TEXT static void unmasking(void)
{
    uint32_t seen;
    uint32_t unmasked = cpsr_read() & ~CPSR_I;

    pend_masked(1);
    check(irqs == 0, "no IRQ taken while CPSR.I is set");
    __asm__ volatile("cpsie i\n\tldr %0, [%1]" : "=&r"(seen) : "r"(&irqs) : "memory");
    check(seen == 1, "pending IRQ taken right after cpsie i");

    pend_masked(1);
    __asm__ volatile("msr cpsr_c, %2\n\tldr %0, [%1]"
                     : "=&r"(seen) : "r"(&irqs), "r"(unmasked) : "memory");
    check(seen == 1, "pending IRQ taken right after msr cpsr_c");

    pend_masked(1);
    __asm__ volatile("msr spsr_cxsf, %2\n\t"
                     "adr lr, 1f\n\t"
                     "movs pc, lr\n"
                     "1:\tldr %0, [%1]"
                     : "=&r"(seen) : "r"(&irqs), "r"(unmasked) : "lr", "memory");
    check(seen == 1, "pending IRQ taken right after an exception return that unmasks");

    pend_masked(2);
    __asm__ volatile("cpsie i\n\tldr %0, [%1]" : "=&r"(seen) : "r"(&irqs) : "memory");
    check(seen == 2, "second pending IRQ taken right after the first handler returns");

    irq_enable();
    GICC_PMR = 0;
    irqs = 0;
    GICD_SGIR = SGI_TO_SELF(SGI_A);
    check(irqs == 0, "no IRQ taken while GICC_PMR masks it");
    check(store_then_count(&GICC_PMR, 0xF8) == 1, "pending IRQ taken right after a GICC_PMR write");

    GICC_CTLR = 0;
    irqs = 0;
    GICD_SGIR = SGI_TO_SELF(SGI_A);
    check(irqs == 0, "no IRQ taken while GICC_CTLR is off");
    check(store_then_count(&GICC_CTLR, 1) == 1, "pending IRQ taken right after a GICC_CTLR write");

    GICD_ICENABLER(0) = 1u << SGI_A;
    irqs = 0;
    GICD_SGIR = SGI_TO_SELF(SGI_A);
    check(irqs == 0, "no IRQ taken while the SGI is disabled");
    check(store_then_count(&GICD_ISENABLER(0), 1u << SGI_A) == 1,
          "pending IRQ taken right after a GICD_ISENABLER write");

    irqs = 0;
    check(store_then_count(&GICD_SGIR, SGI_TO_SELF(SGI_A)) == 1,
          "SGI taken right after the GICD_SGIR write");
    irq_disable();
}

/* -- CPACR and VFP access ------------------------------------------------------------------ */

SECURE_TEXT static void vfp_add(void)
{
    __asm__ volatile(".fpu neon-vfpv4\n\tvadd.f32 s0, s0, s1" ::: "memory");
}

SECURE_TEXT static void fpexc_write(uint32_t v)
{
    __asm__ volatile(".fpu neon-vfpv4\n\tvmsr fpexc, %0" :: "r"(v) : "memory");
}

SECURE_TEXT static uint32_t fpexc_read(void)
{
    uint32_t v = 0xDEADBEEFu;
    __asm__ volatile(".fpu neon-vfpv4\n\tvmrs %0, fpexc" : "+r"(v) :: "memory");
    return v;
}

SECURE_TEXT static void vfp_access(void)
{
    /* NSACR is 0 (its reset value): it must not matter in the Secure World. */
    CPACR_WRITE(CPACR_READ() | CPACR_CP10_CP11);
    isb();
    check((CPACR_READ() & CPACR_CP10_CP11) == CPACR_CP10_CP11,
          "Secure CPACR.cp10/cp11 read back as written with NSACR clear");

    fpexc_write(FPEXC_EN);
    undefs = 0;
    vfp_add();
    check(undefs == 0, "VFP runs with CPACR full access and FPEXC.EN set");

    CPACR_WRITE(CPACR_READ() & ~CPACR_CP10_CP11);
    isb();
    check((CPACR_READ() & CPACR_CP10_CP11) == 0, "Secure CPACR.cp10/cp11 cleared");
    undefs = 0;
    vfp_add();
    check(undefs == 1, "VFP instruction undefined with CPACR.cp10/cp11 = 0");
    undefs = 0;
    fpexc_write(FPEXC_EN);
    check(undefs == 1, "vmsr fpexc undefined with CPACR.cp10/cp11 = 0");
    undefs = 0;
    (void)fpexc_read();
    check(undefs == 1, "vmrs fpexc undefined with CPACR.cp10/cp11 = 0");

    CPACR_WRITE(CPACR_READ() | CPACR_CP10_CP11);
    isb();
    undefs = 0;
    fpexc_write(0);
    check(undefs == 0 && fpexc_read() == 0, "vmsr/vmrs fpexc allowed with FPEXC.EN clear");
    vfp_add();
    check(undefs == 1, "VFP instruction undefined with FPEXC.EN clear");
    fpexc_write(FPEXC_EN);
    undefs = 0;
    vfp_add();
    check(undefs == 0 && fpexc_read() == FPEXC_EN, "VFP runs again once re-enabled");
}

extern char monitor_vectors[];
extern void normal_entry(void);
extern void enter_normal_world(void);
void normal_world_done(uint32_t failed);

/* Last: the Normal World, which NSACR denies VFP (normal.c), reports back by SMC. */
SECURE_TEXT static void normal_world(void)
{
    MVBAR_WRITE((uint32_t)monitor_vectors);
    lr_mon_write((uint32_t)normal_entry);
    spsr_mon_write(MODE_SVC | CPSR_A | CPSR_I | CPSR_F);
    SCR_WRITE(SCR_NS);
    enter_normal_world();
}

SECURE_TEXT void normal_world_done(uint32_t failed)
{
    check(!(failed & 1), "Normal CPACR.cp10/cp11 read as 0 while NSACR denies them");
    check(!(failed & 2), "Normal vmsr fpexc undefined while NSACR denies cp10/cp11");
    check(!(failed & 4), "Normal VFP instruction undefined while NSACR denies cp10/cp11");
    print(failures ? "a7-fidelity: FAIL\n" : "a7-fidelity: all passed\n");
    print("a7-fidelity done\n");
    for (;;) wfi();
}

SECURE_TEXT void secure_main(void)
{
    uart_init();
    print("a7-fidelity: start\n");
    VBAR_WRITE((uint32_t)vectors);
    GICD_CTLR = 1;                 /* group 0 only: the Secure World takes them as IRQs */
    GICC_CTLR = 1;
    GICC_PMR = 0xF8;
    gic_enable(SGI_A, 0x80);
    gic_enable(SGI_B, 0x80);
    timer_status();
    unmasking();
    vfp_access();
    normal_world();
}
