/* Secure-World vectors of the three-core test: only IRQs are expected. */
    .file "vectors.S"
    .syntax unified
    .arm
    .section .secure.text, "ax"
    .align 5
    .global vectors
vectors:
    b .
    b .
    b .
    b .
    b .
    b .
    b irq_entry
    b .

irq_entry:
    sub lr, lr, #4
    push {r0-r3, r12, lr}
    bl irq_handler
    pop {r0-r3, r12, lr}
    movs pc, lr
