/* A stand-in Security Monitor, only to test the kernel before the real one exists
   (firmware/a7/sm/): it lives entirely in the Security Monitor RAM, enters the kernel at
   0x80000000 in Normal-World SVC mode with r0 = the flash table, and serves the kernel's
   SMCs (sm_abi.h) WITHOUT verifying signatures. Never ship it. */
    .file "entry.S"
    .syntax unified
    .arm
    .section .text.boot, "ax"
    .global _start
_start:
    cpsid aif
    ldr sp, =__stack_top
    bl standin_init
    ldr r0, =0x90000000             @ r0 for the kernel: the flash table
    mov r1, #0
    mov r2, #0
    mov r3, #0
    smc #0                          @ hand-over: the model resumes the Normal World
1:  b 1b

    .balign 32
    .global monitor_vectors
monitor_vectors:
    b .
    b .
    b smc_entry                     @ MVBAR + 0x08: an SMC from the Normal World
    b .
    b .
    b .
    b .
    b .

smc_entry:
    ldr sp, =__stack_top
    push {r0-r3}
    mov r0, sp
    bl standin_smc
    pop {r0-r3}
    smc #0
    .ltorg
