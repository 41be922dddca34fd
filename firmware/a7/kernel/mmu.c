/* One short-descriptor L1 table of 1 MiB sections. The kernel, SYSRAM, flash and the
   devices are identity-mapped for PL1 only; the app's 16 MiB of virtual space (from 0) go
   through mm.c's L2 tables of 4 KiB pages. Nothing else is mapped, so a stray app pointer
   faults. */
#include "a7.h"
#include "kernel.h"

#define SECTION       0x2u
#define S_B           (1u << 2)
#define S_C           (1u << 3)
#define S_XN          (1u << 4)
#define AP_PRIV       (1u << 10)              /* AP = 01: PL1 read/write, PL0 none */
#define MEM_PRIV      (SECTION | S_B | S_C | AP_PRIV)
#define DEVICE        (SECTION | S_B | S_XN | AP_PRIV)

static uint32_t l1[4096] __attribute__((section(".bss.page_table"), aligned(16384)));

static void map(uint32_t va, uint32_t pa, uint32_t mib, uint32_t attrs)
{
    for (uint32_t i = 0; i < mib; i++) l1[(va >> 20) + i] = ((pa >> 20) + i) << 20 | attrs;
}

void mmu_init(void)
{
    map(0x2C000000u, 0x2C000000u, 1, DEVICE);     /* GIC */
    map(0x31000000u, 0x31000000u, 1, DEVICE);     /* mailboxes */
    map(0x38000000u, 0x38000000u, 2, DEVICE);     /* shared peripherals: GPIO, ISUs */
    map(0x3F000000u, 0x3F000000u, 1, DEVICE);     /* A7 UART */
    map(KERNEL_BASE, KERNEL_BASE, 4, MEM_PRIV);   /* SYSRAM */
    map(0x90000000u, 0x90000000u, 16, MEM_PRIV);  /* flash (writes fault on the bus) */
    TTBCR_WRITE(0);
    TTBR0_WRITE((uint32_t)l1);
    DACR_WRITE(1u);                               /* domain 0: client, AP checked */
    TLBIALL();
    dsb();
    isb();
    SCTLR_WRITE(SCTLR_READ() | SCTLR_M);
    isb();
}

/* Point the first `mib` L1 entries at the app's L2 tables (coarse page tables, domain 0). */
void mmu_map_user_tables(const uint32_t *tables, uint32_t mib)
{
    for (uint32_t i = 0; i < mib; i++) l1[i] = (uint32_t)(tables + i * 256u) | 0x1u;
}
