/* The stand-in Security Monitor's calls (entry.S says what it is for). Verification only
   finds the payload from the metadata footer; RT apps are copied into the IO core's TCM
   through the Secure window and released through the reset block. */
#include <stdint.h>
#include "a7.h"
#include "mt3620-a7.h"
#include "sm_abi.h"

extern const uint32_t monitor_vectors[];
void standin_init(void);
void standin_smc(uint32_t regs[4]);

void standin_init(void)
{
    MVBAR_WRITE((uint32_t)monitor_vectors);
    /* The Normal World's interrupts: its timers, the shared blocks' and its mailbox ends in
       group 1 (the kernel's drivers wait on the shared blocks' lines), and the
       mutable-storage flash's. */
    gic_set_group(27, 1);
    gic_set_group(30, 1);
    for (unsigned id = 32; id <= 144; id++) gic_set_group(id, 1);
    gic_set_group(147, 1);
    GICD_CTLR = 3u;
    lr_mon_write(0x80000000u);
    spsr_mon_write(MODE_SVC | CPSR_A | CPSR_I | CPSR_F);
    NSACR_WRITE(3u << 10);          /* the Normal World may use VFP/NEON, as the real SM allows */
    SCR_WRITE(SCR_NS);
}

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static void verify(uint32_t regs[4])
{
    const uint8_t *pkg = (const uint8_t *)regs[1];
    uint32_t size = regs[2];
    if (regs[1] < FLASH_BASE || size < 64 + 12 || size > (16u << 20)) { regs[0] = SM_E_BAD_ARGUMENT; return; }
    uint32_t mlen = rd32(pkg + size - 64 - 4);
    if (mlen < 12 || mlen > size - 64 || rd32(pkg + size - 64 - mlen) != 0x4D345834u) {
        regs[0] = SM_E_IMAGE;
        return;
    }
    regs[0] = SM_OK;
    regs[1] = 0;
    regs[2] = size - 64 - mlen;
}

static void start_rt(uint32_t regs[4])
{
    uint32_t core = regs[1];
    const uint8_t *elf = (const uint8_t *)regs[2];
    uint32_t size = regs[3];
    if (core > 1 || size < 52 || rd32(elf) != 0x464C457Fu) { regs[0] = SM_E_BAD_ELF; return; }
    uint8_t *window = (uint8_t *)(core ? IO1_TCM_WINDOW : IO0_TCM_WINDOW);
    uint32_t phoff = rd32(elf + 28), phnum = (rd32(elf + 44) & 0xFFFFu);
    IO_RESET_CTRL(core) = 0;
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = elf + phoff + 32 * i;
        if (rd32(ph) != 1) continue;
        uint32_t off = rd32(ph + 4), va = rd32(ph + 8), filesz = rd32(ph + 16), memsz = rd32(ph + 20);
        if (va < 0x00100000u || memsz > IO_TCM_SIZE || va - 0x00100000u > IO_TCM_SIZE - memsz ||
            off > size || filesz > size - off || filesz > memsz) { regs[0] = SM_E_BAD_ELF; return; }
        uint8_t *dst = window + (va - 0x00100000u);
        for (uint32_t j = 0; j < memsz; j++) dst[j] = j < filesz ? elf[off + j] : 0;
    }
    IO_RESET_VECTOR(core) = rd32(elf + 24);
    IO_RESET_CTRL(core) = IO_RESET_RUN;
    regs[0] = SM_OK;
}

void standin_smc(uint32_t regs[4])
{
    switch (regs[0]) {
    case SM_VERIFY_IMAGE: verify(regs); break;
    case SM_START_RT_CORE: start_rt(regs); break;
    case SM_SET_COMM_BUFFER: regs[0] = SM_OK; break;
    case SM_PERIPHERAL_ACQUIRE: regs[0] = SM_OK; break;   /* no firewall here to program */
    case SM_PERIPHERAL_RELEASE: regs[0] = SM_OK; break;
    default: regs[0] = SM_E_UNKNOWN_CALL; break;
    }
}
