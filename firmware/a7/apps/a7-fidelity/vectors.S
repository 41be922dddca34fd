/* Secure-World vectors of the fidelity test: IRQs (SGIs) and undefined instructions, which
   are counted and skipped. */
    .file "vectors.S"
    .syntax unified
    .arm
    .include "a7_asm.inc"
    .section .secure.text, "ax"
    .align 5
    .global vectors
vectors:
    vector_table undef=undef_entry, irq=irq_entry

irq_entry:
    call_and_return irq_handler, lr_adjust=4

undef_entry:                    @ LR = the undefined ARM instruction + 4: resume after it
    call_and_return undef_handler

/* The Monitor's vectors (MVBAR): the Normal World's SMC at +0x08 ends the test. */
    .align 5
    .global monitor_vectors
monitor_vectors:
    vector_table svc=mon_smc

mon_smc:                        @ r0: the Normal World's result
    ldr sp, =__monitor_stack_top
    bl normal_world_done
    b .

    .global enter_normal_world
enter_normal_world:
    smc #0                      @ to the Normal World at LR_mon, CPSR = SPSR_mon
    b .
    .ltorg
