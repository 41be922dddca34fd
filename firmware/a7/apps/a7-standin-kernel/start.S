/* Stand-in kernel entry: Non-secure SVC mode, MMU off, interrupts masked; r0 = the flash
   table's address, r1 = the loaded image's size (docs/boot-chain.md). */
    .file "start.S"
    .syntax unified
    .arm

    .section .text.entry, "ax"
    .global kernel_entry
kernel_entry:
    ldr sp, =__stack_top
    mov r4, r0
    mov r5, r1
    ldr r0, =__bss_start
    ldr r1, =__bss_end
    mov r2, #0
1:  cmp r0, r1
    strlo r2, [r0], #4
    blo 1b
    mov r0, r4
    mov r1, r5
    bl kernel_main
2:  wfi
    b 2b
    .ltorg
