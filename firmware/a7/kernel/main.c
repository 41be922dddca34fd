/* Kernel start: console, MMU, timer, then the installed apps. */
#include "a7.h"
#include "kernel.h"

void kernel_main(uint32_t flash_table);

/* Apps are built hard-float (VFPv4 + NEON): give User mode cp10/cp11 and turn the unit on.
   The kernel itself is soft-float and never touches the registers, so they are the app's. */
static void vfp_init(void)
{
    CPACR_WRITE(CPACR_READ() | 0xFu << 20);
    isb();
    __asm__ volatile(".fpu neon-vfpv4\n vmsr fpexc, %0" :: "r"(0x40000000u));
}

void kernel_main(uint32_t flash_table)
{
    console_init();
    mmu_init();
    timer_init();
    vfp_init();
    kprintf("[kernel] sphere-emu kernel: Normal World, MMU on\n");
    apps_start(flash_table);
}
