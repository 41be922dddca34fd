/* Entry of a high-level app. The kernel enters _start in User mode with sp at the top of
   the app's memory and .bss already zeroed (it zero-fills memsz - filesz). */
    .file "crt0.S"
    .syntax unified
    .arm
    .section .text.start, "ax"
    .global _start
_start:
    mov r0, #0              @ argc
    mov r1, #0              @ argv
    bl main
    bl exit
1:  b 1b
