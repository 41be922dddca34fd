/* The Pluton mailbox driver and the boot reports the Security Monitor sends through it. */
#include "a7.h"
#include "a7print.h"
#include "sm.h"

uint32_t pluton_call(uint32_t cmd, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
                     uint32_t a4, uint32_t ret[4])
{
    PLUTON_CMD = cmd;
    PLUTON_ARG(0) = a0;
    PLUTON_ARG(1) = a1;
    PLUTON_ARG(2) = a2;
    PLUTON_ARG(3) = a3;
    PLUTON_ARG(4) = a4;
    PLUTON_ARG(5) = 0;
    PLUTON_DOORBELL = 1;
    while (!(PLUTON_STATUS & 1u)) { }   /* commands complete at once in the model */
    if (ret) {
        for (int i = 0; i < 4; i++) ret[i] = PLUTON_RET(i);
    }
    return PLUTON_RESULT;
}

void report(uint32_t kind, uint32_t stage, uint32_t entry, uint32_t code)
{
    pluton_call(PLUTON_SET_POSTCODE,
                kind << 24 | (stage & 0xFFu) << 16 | (entry & 0xFFu) << 8 | (code & 0xFFu),
                0, 0, 0, 0, 0);
}

static const char *stage_name(uint32_t stage)
{
    return stage == STAGE_KERNEL ? "kernel" : stage == STAGE_APP ? "app" : "security-monitor";
}

static const char *refusal_text(uint32_t code)
{
    switch (code) {
    case 0x10: return "malformed";
    case 0x11: return "bad signature";
    case 0x12: return "untrusted signer";
    case 0x13: return "downgrade (security version revoked)";
    case 0x14: return "wrong image type";
    case 0x15: return "unsupported";
    case REFUSED_NOT_FOUND: return "not found in flash";
    case REFUSED_LAYOUT: return "malformed (bad load header)";
    default: return "refused";
    }
}

/* Stop the boot: one line on the console, the report to Pluton, and the A7 sleeps with
   every interrupt masked. Nothing of the refused image has run, and nothing else will. */
_Noreturn void refuse(uint32_t stage, uint32_t entry, uint32_t code)
{
    print("[SM] REFUSED ");
    print(stage_name(stage));
    if (entry != NO_ENTRY) {
        print(" (flash entry ");
        print_u32(entry);
        print(")");
    }
    print(": ");
    print(refusal_text(code));
    print(" [");
    print_hex(code);
    print("]\n");
    report(REPORT_REFUSED, stage, entry, code);
    __asm__ volatile("cpsid aif");
    for (;;) wfi();
}

void print_status(const char *what, uint32_t code)
{
    print(what);
    print_hex(code);
    print("\n");
}
