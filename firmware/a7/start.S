/* Reset entry of bare-metal A7 programs: Secure SVC mode, MMU off, interrupts masked.
   Gives FIQ/IRQ/Abort/Undefined/SVC mode each a Secure stack, clears .bss, calls
   secure_main(), and sleeps if it returns. */
    .file "start.S"
    .syntax unified
    .arm
    .section .secure.boot, "ax"
    .global _start
_start:
    cpsid aif
    ldr r0, =__secure_stack_top
    cps #0x11               @ FIQ
    mov sp, r0
    sub r0, r0, #0x400
    cps #0x12               @ IRQ
    mov sp, r0
    sub r0, r0, #0x400
    cps #0x17               @ Abort
    mov sp, r0
    sub r0, r0, #0x400
    cps #0x1B               @ Undefined
    mov sp, r0
    sub r0, r0, #0x400
    cps #0x13               @ SVC keeps the rest
    mov sp, r0
    ldr r0, =__secure_bss_start
    ldr r1, =__secure_bss_end
    bl zero_words
    ldr r0, =__bss_start
    ldr r1, =__bss_end
    bl zero_words
    bl secure_main
1:  wfi
    b 1b

zero_words:
    mov r2, #0
1:  cmp r0, r1
    strlo r2, [r0], #4
    blo 1b
    bx lr
    .ltorg
