/* Calls between the worlds and from the user task, shared by both sides of the selftest. */
#ifndef SELFTEST_H
#define SELFTEST_H

/* Secure Monitor Calls (r0 = function, r1-r3 = arguments, result in r0) */
#define SMC_ADD   0x1u
#define SMC_DONE  0xFFu

/* System calls of the Normal-World kernel (r7 = number, r0-r1 = arguments) */
#define SYS_EXIT  1u
#define SYS_PUTS  2u
#define SYS_ADD   3u
#define USER_KILLED 0xDEADu

#endif
