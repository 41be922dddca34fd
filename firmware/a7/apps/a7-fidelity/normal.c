/* The Normal World with NSACR.cp10/cp11 = 0 (the Secure World never grants them): CPACR's
   cp10/cp11 read as zero whatever is written, and VFP instructions, VMSR FPEXC included,
   are undefined. Returns a bit per check that failed (0: all passed). */
#include "a7.h"

static volatile uint32_t ns_undefs;

void ns_undef_handler(void);
void ns_undef_handler(void) { ns_undefs++; }

uint32_t normal_main(void);
uint32_t normal_main(void)
{
    uint32_t failed = 0;
    CPACR_WRITE(CPACR_READ() | (0xFu << 20));
    isb();
    if (CPACR_READ() & (0xFu << 20)) failed |= 1;
    ns_undefs = 0;
    __asm__ volatile(".fpu neon-vfpv4\n\tvmsr fpexc, %0" :: "r"(1u << 30) : "memory");
    if (ns_undefs != 1) failed |= 2;
    ns_undefs = 0;
    __asm__ volatile(".fpu neon-vfpv4\n\tvadd.f32 s0, s0, s1" ::: "memory");
    if (ns_undefs != 1) failed |= 4;
    return failed;
}
