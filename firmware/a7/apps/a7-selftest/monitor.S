/* Secure-World vectors. monitor_vectors is installed in MVBAR: the emulator, playing
   Monitor mode, enters it at +0x08 when the Normal World executes SMC (r0-r3 carried
   across) and at +0x1C for an FIQ taken while the Normal World runs (SCR.FIQ = 1); each
   entry is fresh, so it takes its own stack. SMC from here resumes the Normal World. */
    .file "monitor.S"
    .syntax unified
    .arm
    .include "a7_asm.inc"
    .section .secure.text, "ax"

    .align 5
    .global monitor_vectors
monitor_vectors:            @ +0x08: SMC from the Normal World; +0x1C: FIQ (IRQ is not routed here)
    vector_table svc=mon_smc, fiq=mon_fiq

mon_smc:
    ldr sp, =__monitor_stack_top
    bl secure_smc           @ r0-r3: the Normal World's arguments; r0: the result
    mov r1, #0
    mov r2, #0
    mov r3, #0
    smc #0                  @ back to the Normal World

mon_fiq:
    ldr sp, =__monitor_stack_top
    bl secure_fiq
    smc #0                  @ resume the Normal World where it was interrupted

    .global enter_normal_world
enter_normal_world:
    smc #0                  @ to the Normal World at LR_mon, CPSR = SPSR_mon
    b .

    .align 5
    .global secure_vectors
secure_vectors:             @ no exception is expected in the Secure World itself
    vector_table
    .ltorg
