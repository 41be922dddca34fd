/* Secure World of the A7 selftest: sets up the GIC, a Secure timer FIQ and the monitor,
   then drops to the Normal World and serves its SMC calls. */
#include "a7.h"
#include "a7print.h"
#include "mt3620-a7.h"
#include "selftest.h"

extern char monitor_vectors[], secure_vectors[];
extern void normal_entry(void);
extern _Noreturn void enter_normal_world(void);

SECURE_TEXT static uint32_t vfp_add(void)
{
    uint32_t result;
    CPACR_WRITE(CPACR_READ() | (0xFu << 20));     /* cp10 and cp11: full access */
    isb();
    __asm__ volatile(
        ".fpu neon-vfpv4\n\t"
        "vmsr fpexc, %1\n\t"
        "vmov.f32 s0, #1.5\n\t"
        "vadd.f32 s1, s0, s0\n\t"
        "vmov %0, s1"
        : "=r"(result) : "r"(1u << 30) : "memory");
    return result;
}

SECURE_TEXT void secure_main(void)
{
    uart_init();
    print("S: secure world up, mode ");
    print_hex(cpsr_read() & 0x1F);
    print("\n");
    print("S: VFP 1.5 + 1.5 = ");
    print_hex(vfp_add());
    print("\n");
    VBAR_WRITE((uint32_t)secure_vectors);
    MVBAR_WRITE((uint32_t)monitor_vectors);

    /* GIC: Secure timer = group 0 (FIQ), the Normal World's timer = group 1 (IRQ). */
    GICD_CTLR = 3;
    GICC_CTLR = 1u | 2u | 8u;      /* EnableGrp0, EnableGrp1, FIQEn */
    GICC_PMR = 0xF8;
    gic_set_group(GIC_ID_NS_TIMER, 1);
    gic_set_group(1, 1);           /* SGI 1 belongs to the Normal World */
    gic_set_group(GIC_ID_SECURE_TIMER, 0);
    gic_enable(GIC_ID_SECURE_TIMER, 0x00);
    CNTP_TVAL_WRITE(CNTFRQ_READ() / 1000 * 3);     /* an FIQ 3 ms from now */
    CNTP_CTL_WRITE(CNT_CTL_ENABLE);

    NSACR_WRITE(3u << 10);         /* let the Normal World use VFP */
    SCR_WRITE(SCR_NS | SCR_FIQ);   /* FIQs go to the monitor */
    lr_mon_write((uint32_t)normal_entry);
    spsr_mon_write(MODE_SVC | CPSR_A | CPSR_I | CPSR_F);
    print("S: SCR = ");
    print_hex(SCR_READ());
    print(", entering the normal world\n");
    enter_normal_world();
}

SECURE_TEXT uint32_t secure_smc(uint32_t fn, uint32_t a1, uint32_t a2, uint32_t a3)
{
    (void)a3;
    switch (fn) {
    case SMC_ADD:
        print("S: smc ADD(");
        print_u32(a1);
        print(", ");
        print_u32(a2);
        print(") from normal-world mode ");
        print_hex(spsr_mon_read() & 0x1F);
        print("\n");
        return a1 + a2;
    case SMC_DONE:
        print("S: normal world reports ");
        print_u32(a1);
        print(" checks passed\n");
        print("A7 selftest done\n");
        for (;;) wfi();
    default:
        print("S: unknown smc ");
        print_hex(fn);
        print("\n");
        return ~0u;
    }
}

SECURE_TEXT void secure_fiq(void)
{
    uint32_t id = GICC_IAR;
    print("S: FIQ ");
    print_u32(id);
    print(" from the secure timer, normal world was in mode ");
    print_hex(spsr_mon_read() & 0x1F);
    print("\n");
    CNTP_CTL_WRITE(0);
    GICC_EOIR = id;
}
