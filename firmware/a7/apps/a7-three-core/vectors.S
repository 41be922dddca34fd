/* Secure-World vectors of the three-core test: only IRQs are expected. */
    .file "vectors.S"
    .syntax unified
    .arm
    .include "a7_asm.inc"
    .section .secure.text, "ax"
    .align 5
    .global vectors
vectors:
    vector_table irq=irq_entry

irq_entry:
    call_and_return irq_handler, lr_adjust=4
