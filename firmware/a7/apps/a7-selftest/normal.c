/* Normal-World kernel of the A7 selftest: MMU, aborts, the generic timer through the GIC,
   a user-mode task with system calls, and SMC calls to the Secure World. */
#include "a7.h"
#include "a7print.h"
#include "mt3620-a7.h"
#include "selftest.h"

extern uint32_t run_user(void (*entry)(void), void *stack_top);

static uint32_t l1_table[4096] __attribute__((aligned(16384)));
static uint64_t user_stack[256];
static volatile uint32_t ticks, sgis, undef_count, abort_dfsr, abort_dfar, abort_from_user;
static volatile uint32_t late_ticks;  /* how late the busy-waited tick was taken */
static uint32_t checks;

#define AP_PRIV 0x1u   /* PL1 read/write, no user access */
#define AP_FULL 0x3u   /* read/write at every level */
#define SECTION(pa, ap, xn) (((pa) & 0xFFF00000u) | ((ap) << 10) | ((xn) << 4) | 0x2u)

static void check(int ok, const char *what)
{
    print(ok ? "NS: ok   " : "NS: FAIL ");
    print(what);
    print("\n");
    if (ok) checks++;
}

void undef_handler(void) { undef_count++; }

int dabt_handler(uint32_t spsr)
{
    abort_dfsr = DFSR_READ();
    abort_dfar = DFAR_READ();
    abort_from_user = (spsr & 0x1F) == MODE_USR;
    return abort_from_user;
}

void irq_handler(void)
{
    uint32_t id = GICC_IAR;
    if (id == GIC_SPURIOUS) return;
    if (id == GIC_ID_NS_TIMER) {
        if (ticks == 3) late_ticks = (uint32_t)(cntpct() - cntp_cval());
        ticks++;
        print("NS: timer IRQ ");
        print_u32(ticks);
        print("\n");
        if (ticks < 3) CNTP_TVAL_WRITE(CNTFRQ_READ() / 1000);
        else CNTP_CTL_WRITE(0);   /* one shot again for the busy-wait tick below */
    } else if (id == 1) {
        sgis++;
    }
    GICC_EOIR = id;
}

uint32_t svc_dispatch(uint32_t num, uint32_t a0, uint32_t a1, uint32_t a2)
{
    (void)a2;
    switch (num) {
    case SYS_PUTS: print((const char *)a0); return 0;
    case SYS_ADD: return a0 + a1;
    default: return ~0u;
    }
}

static uint32_t sys(uint32_t num, uint32_t a0, uint32_t a1)
{
    register uint32_t r7 __asm__("r7") = num;
    register uint32_t r0 __asm__("r0") = a0;
    register uint32_t r1 __asm__("r1") = a1;
    __asm__ volatile("svc #0" : "+r"(r0) : "r"(r7), "r"(r1) : "memory");
    return r0;
}

static void user_task(void)
{
    sys(SYS_PUTS, (uint32_t)"U: hello from user mode\n", 0);
    if ((cpsr_read() & 0x1F) == MODE_USR) sys(SYS_PUTS, (uint32_t)"U: CPSR says USR\n", 0);
    if (sys(SYS_ADD, 40, 2) == 42) sys(SYS_PUTS, (uint32_t)"U: svc ADD(40, 2) = 42\n", 0);
    sys(SYS_EXIT, 7, 0);
}

static void user_bad_task(void)
{
    sys(SYS_PUTS, (uint32_t)"U: reading the GIC from user mode\n", 0);
    (void)GICD(0x008);
    sys(SYS_PUTS, (uint32_t)"U: still alive?\n", 0);
    sys(SYS_EXIT, 0, 0);
}

static void mmu_on(void)
{
    for (unsigned i = 0; i < 4096; i++) l1_table[i] = 0;
    for (unsigned mb = 0x800; mb < 0x804; mb++) l1_table[mb] = SECTION(mb << 20, AP_FULL, 0);
    l1_table[0x2C0] = SECTION(0x2C000000u, AP_PRIV, 1);     /* GIC */
    l1_table[0x310] = SECTION(0x31000000u, AP_PRIV, 1);     /* mailboxes */
    l1_table[0x3F0] = SECTION(0x3F000000u, AP_PRIV, 1);     /* A7 UART */
    l1_table[0x400] = SECTION(0x80200000u, AP_PRIV, 1);     /* an alias of SYSRAM + 2 MiB */
    /* VA 0x50000000 stays unmapped on purpose */
    dsb();
    TTBCR_WRITE(0);
    TTBR0_WRITE((uint32_t)l1_table);
    DACR_WRITE(0x1);               /* domain 0: client, permissions checked */
    TLBIALL();
    dsb();
    isb();
    SCTLR_WRITE(SCTLR_READ() | SCTLR_M);
    isb();
}

void normal_main(void)
{
    print("NS: normal world up, mode ");
    print_hex(cpsr_read() & 0x1F);
    print("\n");
    check(smc_call(SMC_ADD, 2, 3, 0) == 5, "smc ADD(2, 3) = 5");

    uint32_t undefs = undef_count;
    (void)SCR_READ();
    check(undef_count == undefs + 1, "SCR is undefined in the normal world");

    mmu_on();
    check(SCTLR_READ() & SCTLR_M, "MMU on");
    *(volatile uint32_t *)0x40000010u = 0xC0FFEEu;
    check(*(volatile uint32_t *)0x80200010u == 0xC0FFEEu, "VA 0x40000010 reaches PA 0x80200010");

    (void)*(volatile uint32_t *)0x50000000u;
    print("NS: data abort DFSR=");
    print_hex(abort_dfsr);
    print(" DFAR=");
    print_hex(abort_dfar);
    print("\n");
    check(abort_dfsr == 0x005 && abort_dfar == 0x50000000u, "translation fault reported and survived");
    (void)*(volatile uint32_t *)SECURE_SRAM_BASE;
    check(abort_dfsr == 0x008 && abort_dfar == SECURE_SRAM_BASE, "secure RAM refused: external abort");

    GICD_CTLR = 1;                 /* Non-secure view: EnableGrp1 */
    GICC_CTLR = 1;
    GICC_PMR = 0xF8;
    gic_enable(GIC_ID_NS_TIMER, 0x80);
    uint64_t start = cntpct();
    CNTP_TVAL_WRITE(CNTFRQ_READ() / 1000);
    CNTP_CTL_WRITE(CNT_CTL_ENABLE);
    irq_enable();
    while (ticks < 3) wfi();
    gic_enable(1, 0x80);           /* SGI 1, put in group 1 by the Secure World */
    GICD(0xF00) = (2u << 24) | 1u; /* SGI 1 to this CPU */
    uint32_t sgis_now = sgis;
    irq_disable();
    uint32_t us = (uint32_t)((cntpct() - start) / (CNTFRQ_READ() / 1000000));
    print("NS: three 1 ms timer IRQs took ");
    print_u32(us);
    print(" us\n");
    check(us >= 3000 && us < 3600, "generic timer IRQs through the GIC");
    check(sgis_now == 1, "SGI taken right after the GICD_SGIR write");

    /* Busy-wait (no WFI) for a fourth tick: it must still be taken on time. */
    CNTP_TVAL_WRITE(CNTFRQ_READ() / 1000);
    CNTP_CTL_WRITE(CNT_CTL_ENABLE);
    irq_enable();
    while (ticks < 4) { }
    irq_disable();
    print("NS: busy-waited tick taken ");
    print_u32(late_ticks * 16);
    print(" ns after its deadline\n");
    check(late_ticks * 16 < 1000, "timer IRQ on time while busy");

    uint32_t code = run_user(user_task, &user_stack[256]);
    check(code == 7, "user task made SVC calls and exited with 7");
    code = run_user(user_bad_task, &user_stack[256]);
    print("NS: user task killed, DFSR=");
    print_hex(abort_dfsr);
    print(" DFAR=");
    print_hex(abort_dfar);
    print("\n");
    check(code == USER_KILLED && abort_dfsr == 0x00D && abort_from_user,
          "user permission fault kills only the task");

    smc_call(SMC_DONE, checks, 0, 0);
}
