/* The Normal-World part of the fidelity test: its entry, stacks and vectors. */
    .file "normal.S"
    .syntax unified
    .arm
    .include "a7_asm.inc"
    .text

    .global normal_entry
normal_entry:                   @ Non-secure SVC, interrupts masked (SPSR_mon)
    mode_stacks ns_stack_top, und, svc
    ldr r0, =ns_vectors
    mcr p15, 0, r0, c12, c0, 0  @ VBAR
    bl normal_main
    smc #0                      @ r0 = the result, to the Secure World
    b .

    .align 5
ns_vectors:
    vector_table undef=ns_undef

ns_undef:                       @ count it and skip the instruction (ARM: LR = insn + 4)
    call_and_return ns_undef_handler

    .bss
    .align 3
ns_stacks:
    .space 0x1000
ns_stack_top:
    .text
    .ltorg
