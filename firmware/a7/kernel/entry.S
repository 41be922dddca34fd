/* Kernel entry, exception vectors and the User-mode boundary. The Security Monitor (or the
   stand-in, standin/) enters _start in Normal-World SVC mode, MMU off, with r0 = physical
   address of the flash table (flash_layout.h). The vector table is the first thing in the
   image, so the entry point is its reset slot. */
    .file "entry.S"
    .syntax unified
    .arm
    .include "a7_asm.inc"
    .section .text.vectors, "ax"
    .global _start
    .global vectors
    .balign 32
vectors:
_start:
    vector_table reset=reset, undef=undef_entry, svc=svc_entry, pabt=pabt_entry, dabt=dabt_entry, irq=irq_entry, fiq=fiq_entry

reset:
    cpsid aif
    mov r4, r0
    cps #0x12               @ IRQ
    ldr sp, =__irq_stack_top
    cps #0x17               @ Abort
    ldr sp, =__abt_stack_top
    cps #0x1B               @ Undefined
    ldr sp, =__und_stack_top
    cps #0x13               @ SVC
    ldr sp, =__svc_stack_top
    ldr r0, =vectors
    mcr p15, 0, r0, c12, c0, 0      @ VBAR
    isb
    zero_area __bss_start, __bss_end
    mov r0, r4
    bl kernel_main
    .global halt
halt:
    b kernel_idle                   @ RT apps are still looked after (rtapps.c)
    .global panic_stop
panic_stop:
    wfi
    b panic_stop

/* System call: save the caller's r0-r12, User sp and lr, return address and CPSR as a
   struct frame on the SVC stack, let C read and rewrite it (results, signal frames), return
   with rfe (restoring CPSR). */
svc_entry:
    srsdb sp!, #0x13
    sub sp, sp, #8
    stmia sp, {sp, lr}^             @ the User-mode sp and lr
    push {r0-r12}
    mov r0, sp
    bl syscall_dispatch
    pop {r0-r12}
    ldmia sp, {sp, lr}^
    nop                             @ no banked access right after ldm ^
    add sp, sp, #8
    rfeia sp!

/* Faults: report which, where and on what address; user_fault() ends the app, or stops the
   kernel if the fault was its own. */
undef_entry:
    sub r1, lr, #4
    mov r2, #0
    ldr r0, =str_undef
    b fault
pabt_entry:
    sub r1, lr, #4
    mrc p15, 0, r2, c6, c0, 2       @ IFAR
    ldr r0, =str_pabt
    b fault
dabt_entry:
    sub r1, lr, #8
    mrc p15, 0, r2, c6, c0, 0       @ DFAR
    ldr r0, =str_dabt
fault:
    mrs r3, spsr
    and r3, r3, #0x1F
    cmp r3, #0x10
    bne kernel_fault
    cps #0x13                       @ an app's fault: finish in SVC mode, on a fresh stack
    ldr sp, =__svc_stack_top
    bl user_fault
    b halt

/* Interrupts stay masked in every mode (the kernel sleeps with WFI, which wakes on a
   pending interrupt anyway), so these only return. */
irq_entry:
fiq_entry:
    subs pc, lr, #4

/* enter_user(entry, sp): drop to User mode at entry (Thumb if bit 0 is set) with the given
   stack and every other register zero, as Linux starts a process; IRQ/FIQ stay masked. The
   SVC stack is reset: nothing of the caller is kept. */
    .global enter_user
enter_user:
    cps #0x1F                       @ System mode: User's sp and lr
    mov sp, r1
    mov lr, #0
    cps #0x13
    ldr sp, =__svc_stack_top
    mov r2, #0xD0                   @ User, I and F masked
    tst r0, #1
    orrne r2, r2, #0x20             @ T
    bic lr, r0, #1
    msr spsr_cxsf, r2
    mov r0, #0
    mov r1, #0
    mov r2, #0
    mov r3, #0
    mov r4, #0
    mov r5, #0
    mov r6, #0
    mov r7, #0
    mov r8, #0
    mov r9, #0
    mov r10, #0
    mov r11, #0
    mov r12, #0
    movs pc, lr
    .ltorg

    .section .rodata.fault_names, "a"
str_undef: .asciz "undefined instruction"
str_pabt:  .asciz "prefetch abort"
str_dabt:  .asciz "data abort"
