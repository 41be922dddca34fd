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
