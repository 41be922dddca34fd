/* Stand-in kernel entry: Non-secure SVC mode, MMU off, interrupts masked; r0 = the flash
   table's address, r1 = the loaded image's size (docs/boot-chain.md). */
    .file "start.S"
    .syntax unified
    .arm
    .include "a7_asm.inc"

    .section .text.entry, "ax"
    .global kernel_entry
kernel_entry:
    ldr sp, =__stack_top
    mov r4, r0
    mov r5, r1
    zero_area __bss_start, __bss_end
    mov r0, r4
    mov r1, r5
    bl kernel_main
2:  wfi
    b 2b
    .ltorg
