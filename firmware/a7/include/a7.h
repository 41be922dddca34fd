/* ARMv7-A helpers for bare-metal Cortex-A7 code: modes, CP15, the generic timer, the GIC,
   and the TrustZone contract of the emulator (docs/cortex-a7.md). */
#ifndef A7_H
#define A7_H
#include <stdint.h>

/* Code and data that belong to the Secure World go to the Security Monitor RAM (0x803D0000,
   invisible to the Normal World); everything else goes to SYSRAM, reachable by both. */
#define SECURE_TEXT __attribute__((section(".secure.text")))
#define SECURE_DATA __attribute__((section(".secure.data")))

#define MODE_USR 0x10u
#define MODE_FIQ 0x11u
#define MODE_IRQ 0x12u
#define MODE_SVC 0x13u
#define MODE_ABT 0x17u
#define MODE_UND 0x1Bu
#define MODE_SYS 0x1Fu
#define CPSR_F   (1u << 6)
#define CPSR_I   (1u << 7)
#define CPSR_A   (1u << 8)

#define STR(x) #x
#define XSTR(x) STR(x)
#define MRC(opc1, crn, crm, opc2) ({ uint32_t v_; __asm__ volatile( \
    "mrc p15, " #opc1 ", %0, c" #crn ", c" #crm ", " #opc2 : "=r"(v_)); v_; })
#define MCR(opc1, crn, crm, opc2, val) __asm__ volatile( \
    "mcr p15, " #opc1 ", %0, c" #crn ", c" #crm ", " #opc2 :: "r"((uint32_t)(val)) : "memory")

#define SCTLR_READ()     MRC(0, 1, 0, 0)
#define SCTLR_WRITE(v)   MCR(0, 1, 0, 0, v)
#define SCR_READ()       MRC(0, 1, 1, 0)
#define SCR_WRITE(v)     MCR(0, 1, 1, 0, v)
#define NSACR_WRITE(v)   MCR(0, 1, 1, 2, v)
#define CPACR_READ()     MRC(0, 1, 0, 2)
#define CPACR_WRITE(v)   MCR(0, 1, 0, 2, v)
#define TTBR0_WRITE(v)   MCR(0, 2, 0, 0, v)
#define TTBCR_WRITE(v)   MCR(0, 2, 0, 2, v)
#define DACR_WRITE(v)    MCR(0, 3, 0, 0, v)
#define DFSR_READ()      MRC(0, 5, 0, 0)
#define DFAR_READ()      MRC(0, 6, 0, 0)
#define IFSR_READ()      MRC(0, 5, 0, 1)
#define IFAR_READ()      MRC(0, 6, 0, 2)
#define VBAR_WRITE(v)    MCR(0, 12, 0, 0, v)
#define MVBAR_WRITE(v)   MCR(0, 12, 0, 1, v)
#define TLBIALL()        MCR(0, 8, 7, 0, 0)
#define ICIALLU()        MCR(0, 7, 5, 0, 0)
#define CNTFRQ_READ()    MRC(0, 14, 0, 0)
#define CNTP_TVAL_WRITE(v) MCR(0, 14, 2, 0, v)
#define CNTP_CTL_READ()  MRC(0, 14, 2, 1)
#define CNTP_CTL_WRITE(v) MCR(0, 14, 2, 1, v)
#define CNTV_TVAL_WRITE(v) MCR(0, 14, 3, 0, v)
#define CNTV_CTL_WRITE(v) MCR(0, 14, 3, 1, v)
#define SCTLR_M  (1u << 0)
#define SCR_NS   (1u << 0)
#define SCR_IRQ  (1u << 1)
#define SCR_FIQ  (1u << 2)
#define CNT_CTL_ENABLE (1u << 0)
#define CNT_CTL_IMASK  (1u << 1)
#define CNT_CTL_ISTATUS (1u << 2)

static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void dsb(void) { __asm__ volatile("dsb" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("cpsie i" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cpsid i" ::: "memory"); }
static inline uint32_t cpsr_read(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, cpsr" : "=r"(v));
    return v;
}

static inline uint64_t cntpct(void)
{
    uint32_t lo, hi;
    __asm__ volatile("isb\n\tmrrc p15, 0, %0, %1, c14" : "=r"(lo), "=r"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t cntp_cval(void)
{
    uint32_t lo, hi;
    __asm__ volatile("mrrc p15, 2, %0, %1, c14" : "=r"(lo), "=r"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Secure Monitor Call: r0-r3 go to the other world and come back (docs/cortex-a7.md). */
struct smc_result { uint32_t r0, r1, r2, r3; };

static inline struct smc_result smc_call_regs(uint32_t fn, uint32_t a1, uint32_t a2,
                                              uint32_t a3)
{
    register uint32_t r0 __asm__("r0") = fn;
    register uint32_t r1 __asm__("r1") = a1;
    register uint32_t r2 __asm__("r2") = a2;
    register uint32_t r3 __asm__("r3") = a3;
    __asm__ volatile("smc #0" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) :: "memory");
    return (struct smc_result){r0, r1, r2, r3};
}

static inline uint32_t smc_call(uint32_t fn, uint32_t a1, uint32_t a2, uint32_t a3)
{
    return smc_call_regs(fn, a1, a2, a3).r0;
}

/* Monitor-mode banked registers, which Secure PL1 code reaches through the model. */
static inline void lr_mon_write(uint32_t v) { __asm__ volatile("msr lr_mon, %0" :: "r"(v)); }
static inline void spsr_mon_write(uint32_t v) { __asm__ volatile("msr spsr_mon, %0" :: "r"(v)); }
static inline uint32_t lr_mon_read(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, lr_mon" : "=r"(v));
    return v;
}
static inline uint32_t spsr_mon_read(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, spsr_mon" : "=r"(v));
    return v;
}

/* GIC-400 layout at 0x2C000000: distributor +0x1000, CPU interface +0x2000. */
#define GIC_BASE       0x2C000000u
#define GICD(off)      (*(volatile uint32_t *)(GIC_BASE + 0x1000u + (off)))
#define GICD_B(off)    (*(volatile uint8_t *)(GIC_BASE + 0x1000u + (off)))
#define GICC(off)      (*(volatile uint32_t *)(GIC_BASE + 0x2000u + (off)))
#define GICD_CTLR      GICD(0x000)
#define GICD_IGROUPR(n)   GICD(0x080 + 4 * (n))
#define GICD_ISENABLER(n) GICD(0x100 + 4 * (n))
#define GICD_ICENABLER(n) GICD(0x180 + 4 * (n))
#define GICD_ISPENDR(n)   GICD(0x200 + 4 * (n))
#define GICD_IPRIORITYR_B(id) GICD_B(0x400 + (id))
#define GICD_SGIR      GICD(0xF00)
#define GICC_CTLR      GICC(0x000)
#define GICC_PMR       GICC(0x004)
#define GICC_IAR       GICC(0x00C)
#define GICC_EOIR      GICC(0x010)
#define GIC_SPURIOUS   1023u

static inline void gic_enable(unsigned id, unsigned priority)
{
    GICD_IPRIORITYR_B(id) = (uint8_t)priority;
    GICD_ISENABLER(id / 32) = 1u << (id % 32);
}

/* Put an interrupt in group 1 (Non-secure, IRQ) or group 0 (Secure); Secure access only. */
static inline void gic_set_group(unsigned id, unsigned group)
{
    uint32_t v = GICD_IGROUPR(id / 32);
    v = group ? (v | (1u << (id % 32))) : (v & ~(1u << (id % 32)));
    GICD_IGROUPR(id / 32) = v;
}
#endif
