/* Kernel start: console, MMU, timer, then the installed apps. */
#include "kernel.h"

void kernel_main(uint32_t flash_table);

void kernel_main(uint32_t flash_table)
{
    console_init();
    mmu_init();
    timer_init();
    kprintf("[kernel] sphere-emu kernel: Normal World, MMU on\n");
    apps_start(flash_table);
}
