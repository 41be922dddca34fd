/* Security Monitor entry and vectors.

   Pluton's ROM (sphere_emu/boot.py) copies the verified image to its load address and
   starts the A7 at `entry` in Secure SVC mode, MMU off, interrupts masked. The emulator
   plays Monitor mode (docs/cortex-a7.md §2): an SMC from the Normal World enters
   monitor_vectors + 0x08 in Secure SVC mode with r0-r3 carried across; `smc #0` here goes
   back with r0-r3 as the results. */
    .file "start.S"
    .syntax unified
    .arm
    .include "a7_asm.inc"

    .section .text.entry, "ax"
    .global sm_entry
sm_entry:
    cpsid aif
    mode_stacks __sm_stack_top, fiq, irq, abt, und, svc
    zero_area __bss_start, __bss_end
    bl sm_main              @ never returns: it enters the Normal World or stops the boot
2:  wfi
    b 2b

    .align 5
    .global monitor_vectors
monitor_vectors:            @ +0x08: SMC from the Normal World; +0x1C: FIQ while it runs (SCR.FIQ)
    vector_table svc=mon_smc, fiq=mon_fiq

mon_smc:                    @ fresh entry: take the monitor stack, pass r0-r3 by memory
    ldr sp, =__monitor_stack_top
    sub sp, sp, #16
    stm sp, {r0-r3}
    mov r0, sp
    bl sm_smc               @ void sm_smc(uint32_t regs[4]): results written back in place
    ldm sp, {r0-r3}
    smc #0                  @ back to the Normal World with r0-r3

mon_fiq:                    @ no Secure interrupt is in use: acknowledge and resume
    ldr sp, =__monitor_stack_top
    bl sm_fiq
    smc #0

    .global enter_normal_world
enter_normal_world:         @ (r0, r1): the kernel's first r0/r1; LR_mon/SPSR_mon are set
    mov r2, #0
    mov r3, #0
    smc #0
    b .

    .align 5
    .global secure_vectors
secure_vectors:             @ a fault inside the Security Monitor stops the boot
    vector_table undef=sm_fault_undef, pabt=sm_fault_pabt, dabt=sm_fault_dabt

sm_fault_undef:
    mov r1, lr
    mov r0, #1
    b sm_fault
sm_fault_pabt:
    mov r1, lr
    mov r0, #3
    b sm_fault
sm_fault_dabt:
    mov r1, lr
    mov r0, #4
    b sm_fault
    .ltorg
