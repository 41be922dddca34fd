/* Exception handlers of m4-selftest that need exact control of registers and stacks. */
    .file   "handlers.S"          /* names the object: otherwise the temporary one, which varies */
    .syntax unified
    .thumb
    .fpu fpv4-sp-d16

    .macro FRAME_TO_R0
    tst     lr, #4                  /* EXC_RETURN bit 2: the frame is on PSP */
    ite     eq
    mrseq   r0, msp
    mrsne   r0, psp
    .endm

/* Faults: fault_recover(frame, exc_return) records the fault and steps past the
   faulting instruction; it returns straight to EXC_RETURN (a tail call). */
    .global HardFault_Handler, BusFault_Handler, UsageFault_Handler
    .type HardFault_Handler, %function
    .type BusFault_Handler, %function
    .type UsageFault_Handler, %function
HardFault_Handler:
BusFault_Handler:
UsageFault_Handler:
    FRAME_TO_R0
    mov     r1, lr
    b       fault_recover

/* SVC: svc_handler(frame) reads the immediate from the instruction and may rewrite r0. */
    .global SVC_Handler
    .type SVC_Handler, %function
SVC_Handler:
    FRAME_TO_R0
    b       svc_handler

/* Tail-chaining probes: tail_note(letter, sp, exc_return) at the very first instruction. */
    .global IRQ33_Handler, IRQ34_Handler, IRQ35_Handler
    .type IRQ33_Handler, %function
    .type IRQ34_Handler, %function
    .type IRQ35_Handler, %function
IRQ33_Handler:
    movs    r0, #'D'
    b       1f
IRQ34_Handler:
    movs    r0, #'E'
    b       1f
IRQ35_Handler:
    movs    r0, #'F'
1:  mov     r1, sp
    mov     r2, lr
    b       tail_note

/* An interrupt that uses the FPU: clobbers S0-S15 and FPSCR's rounding mode. */
    .global IRQ36_Handler
    .type IRQ36_Handler, %function
IRQ36_Handler:
    ldr     r0, =fp_irq_exc_return
    str     lr, [r0]
    .irp    n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    vmov.f32 s\n, #-2.0
    .endr
    vmrs    r0, fpscr
    bic     r0, r0, #0x00C00000
    orr     r0, r0, #0x00800000     /* RMode: towards minus infinity */
    vmsr    fpscr, r0
    ldr     r0, =fp_irq_count
    ldr     r1, [r0]
    adds    r1, #1
    str     r1, [r0]
    bx      lr

/* int fp_context_check(void): load S0-S15 and FPSCR, let IRQ36 run, check all survived. */
    .macro EXPECT reg, value
    vmov.f32 s16, #\value
    vcmp.f32 \reg, s16
    vmrs    APSR_nzcv, fpscr
    it      ne
    movne   r6, #0
    .endm
    .global fp_context_check
    .type fp_context_check, %function
fp_context_check:
    push    {r4-r6, lr}
    vpush   {s16}
    vmov.f32 s0, #1.0
    vmov.f32 s1, #2.0
    vmov.f32 s2, #3.0
    vmov.f32 s3, #4.0
    vmov.f32 s4, #5.0
    vmov.f32 s5, #6.0
    vmov.f32 s6, #7.0
    vmov.f32 s7, #8.0
    vmov.f32 s8, #9.0
    vmov.f32 s9, #10.0
    vmov.f32 s10, #11.0
    vmov.f32 s11, #12.0
    vmov.f32 s12, #13.0
    vmov.f32 s13, #14.0
    vmov.f32 s14, #15.0
    vmov.f32 s15, #16.0
    vmrs    r4, fpscr
    bic     r5, r4, #0x00C00000
    orr     r5, r5, #0x00400000     /* RMode: towards plus infinity */
    vmsr    fpscr, r5
    ldr     r0, =0xE000E204         /* NVIC_ISPR1 */
    movs    r1, #(1 << (36 - 32))
    str     r1, [r0]
    dsb
    isb
    movs    r6, #1
    vmrs    r0, fpscr
    cmp     r0, r5
    it      ne
    movne   r6, #0
    EXPECT  s0, 1.0
    EXPECT  s1, 2.0
    EXPECT  s2, 3.0
    EXPECT  s3, 4.0
    EXPECT  s4, 5.0
    EXPECT  s5, 6.0
    EXPECT  s6, 7.0
    EXPECT  s7, 8.0
    EXPECT  s8, 9.0
    EXPECT  s9, 10.0
    EXPECT  s10, 11.0
    EXPECT  s11, 12.0
    EXPECT  s12, 13.0
    EXPECT  s13, 14.0
    EXPECT  s14, 15.0
    EXPECT  s15, 16.0
    vmsr    fpscr, r4
    mov     r0, r6
    vpop    {s16}
    pop     {r4-r6, pc}

/* PendSV: switch between main (ctx_current = -1, on MSP) and two threads on PSP.
   A thread's context on its stack: the hardware frame, then S16-S31 when its EXC_RETURN
   says it uses the FPU, then R4-R11 and the EXC_RETURN itself. Main's is kept in main_ctx.
   pendsv_next() picks who runs next: 0, 1, or -1 for main. */
    .global PendSV_Handler
    .type PendSV_Handler, %function
PendSV_Handler:
    ldr     r2, =ctx_current
    ldr     r3, [r2]
    cmp     r3, #0
    blt     1f
    mrs     r0, psp
    tst     lr, #0x10
    it      eq
    vstmdbeq r0!, {s16-s31}
    stmdb   r0!, {r4-r11, lr}
    ldr     r1, =thread_sp
    str     r0, [r1, r3, lsl #2]
    b       2f
1:  ldr     r1, =main_ctx
    stmia   r1!, {r4-r11, lr}
    tst     lr, #0x10
    it      eq
    vstmiaeq r1, {s16-s31}
2:  bl      pendsv_next
    ldr     r2, =ctx_current
    str     r0, [r2]
    cmp     r0, #0
    blt     3f
    ldr     r1, =thread_sp
    ldr     r0, [r1, r0, lsl #2]
    ldmia   r0!, {r4-r11, lr}
    tst     lr, #0x10
    it      eq
    vldmiaeq r0!, {s16-s31}
    msr     psp, r0
    bx      lr
3:  ldr     r1, =main_ctx
    ldmia   r1!, {r4-r11, lr}
    tst     lr, #0x10
    it      eq
    vldmiaeq r1, {s16-s31}
    bx      lr
