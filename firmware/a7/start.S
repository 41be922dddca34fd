/* Reset entry of bare-metal A7 programs: Secure SVC mode, MMU off, interrupts masked.
   Gives FIQ/IRQ/Abort/Undefined/SVC mode each a Secure stack, clears .bss, calls
   secure_main(), and sleeps if it returns. */
    .file "start.S"
    .syntax unified
    .arm
    .include "a7_asm.inc"
    .section .secure.boot, "ax"
    .global _start
_start:
    cpsid aif
    mode_stacks __secure_stack_top, fiq, irq, abt, und, svc
    ldr r0, =__secure_bss_start
    ldr r1, =__secure_bss_end
    bl zero_words
    ldr r0, =__bss_start
    ldr r1, =__bss_end
    bl zero_words
    bl secure_main
1:  wfi
    b 1b

zero_words:                 @ called, not expanded twice: keeps the boot code small
    zero_r0_to_r1
    bx lr
    .ltorg
