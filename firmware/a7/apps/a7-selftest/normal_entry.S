/* Normal-World kernel entry and exception vectors of the A7 selftest. */
    .file "normal_entry.S"
    .syntax unified
    .arm
    .include "a7_asm.inc"
    .text

    .global normal_entry
normal_entry:               @ Non-secure SVC, interrupts masked (SPSR_mon from the monitor)
    mode_stacks ns_stack_top, irq, abt, und, svc
    ldr r0, =ns_vectors
    mcr p15, 0, r0, c12, c0, 0
    bl normal_main
    b .

    .align 5
ns_vectors:                 @ no prefetch abort expected; FIQ is routed to the Secure World (SCR.FIQ)
    vector_table undef=ns_undef, svc=ns_svc, dabt=ns_dabt, irq=ns_irq

ns_undef:                   @ count it and skip the instruction (ARM: LR = insn + 4)
    call_and_return undef_handler

ns_irq:
    call_and_return irq_handler, lr_adjust=4

ns_dabt:                    @ kernel faults are skipped; a user fault kills the task
    push {r0-r3, r12, lr}
    mrs r0, spsr
    bl dabt_handler
    cmp r0, #0
    pop {r0-r3, r12, lr}
    bne 1f
    subs pc, lr, #4         @ LR = insn + 8: resume after the faulting load
1:  cps #0x13
    ldr r1, =kernel_sp
    ldr sp, [r1]
    ldr r0, =0xDEAD         @ USER_KILLED
    pop {r4-r12, pc}

    @ uint32_t run_user(void (*entry)(void), void *stack_top): runs entry in User mode
    @ until it calls SYS_EXIT (returns its code) or is killed (returns USER_KILLED).
    .global run_user
run_user:
    push {r4-r12, lr}
    ldr r2, =kernel_sp
    str sp, [r2]
    cps #0x1F               @ System mode shares User's SP
    mov sp, r1
    cps #0x13
    mov lr, r0
    mov r0, #0x10           @ User mode, interrupts enabled
    msr spsr_cxsf, r0
    movs pc, lr

ns_svc:                     @ r7 = number, r0-r2 = arguments
    cmp r7, #1              @ SYS_EXIT
    beq 1f
    push {r1-r4, r12, lr}
    mov r3, r2
    mov r2, r1
    mov r1, r0
    mov r0, r7
    bl svc_dispatch
    pop {r1-r4, r12, lr}
    movs pc, lr
1:  ldr r1, =kernel_sp
    ldr sp, [r1]
    pop {r4-r12, pc}        @ run_user returns the exit code in r0

    .bss
    .align 3
kernel_sp:
    .space 4
    .align 3
ns_stacks:
    .space 0x2000
ns_stack_top:
    .text
    .ltorg
