/* Starting an RT app on an IO core (facts §4): the ELF must lie inside a package verified in
   this boot; each PT_LOAD segment is copied to its address in the core's TCM (through the
   Secure-only TCM window) and memsz - filesz bytes after it stay zero; the core is released
   from the vector table at the ELF entry (SP = word 0, PC = word 1, VTOR = entry). The
   whole ELF is checked before the TCM is touched, so a bad one changes nothing. */
#include "a7.h"
#include "a7print.h"
#include "mt3620-a7.h"
#include "sm.h"
#include "sm_abi.h"

#define TCM_BASE   0x00100000u
#define PT_LOAD    1u
#define EM_ARM     40u
#define ET_EXEC    2u
#define PHDR_SIZE  32u
#define MAX_PHDRS  16u

static uint32_t rd32(uint32_t address)
{
    const volatile uint8_t *p = (const volatile uint8_t *)address;
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t rd16(uint32_t address)
{
    const volatile uint8_t *p = (const volatile uint8_t *)address;
    return p[0] | p[1] << 8;
}

static int in_tcm(uint32_t address, uint32_t size)
{
    return address >= TCM_BASE && address - TCM_BASE <= IO_TCM_SIZE
        && size <= IO_TCM_SIZE - (address - TCM_BASE);
}

/* 0 if the ELF is one this loader can start, else SM_E_BAD_ELF. */
static uint32_t check_elf(uint32_t elf, uint32_t size, uint32_t *entry)
{
    if (size < 52 || rd32(elf) != 0x464C457Fu) return SM_E_BAD_ELF;
    const volatile uint8_t *ident = (const volatile uint8_t *)elf;
    if (ident[4] != 1 || ident[5] != 1) return SM_E_BAD_ELF;   /* 32-bit little-endian */
    if (rd16(elf + 16) != ET_EXEC || rd16(elf + 18) != EM_ARM) return SM_E_BAD_ELF;
    uint32_t phoff = rd32(elf + 28), phentsize = rd16(elf + 42), phnum = rd16(elf + 44);
    if (phentsize != PHDR_SIZE || phnum == 0 || phnum > MAX_PHDRS || phoff > size
        || phnum * PHDR_SIZE > size - phoff) return SM_E_BAD_ELF;
    *entry = rd32(elf + 24);
    int entry_loaded = 0, loads = 0;
    for (uint32_t i = 0; i < phnum; i++) {
        uint32_t ph = elf + phoff + i * PHDR_SIZE;
        if (rd32(ph) != PT_LOAD) continue;
        uint32_t offset = rd32(ph + 4), vaddr = rd32(ph + 8), filesz = rd32(ph + 16),
                 memsz = rd32(ph + 20);
        if (memsz == 0) continue;
        /* Only TCM segments: the XIP window (0x10000000) is not modelled for the loader. */
        if (filesz > memsz || !in_tcm(vaddr, memsz) || offset > size
            || filesz > size - offset) return SM_E_BAD_ELF;
        if (*entry >= vaddr && *entry - vaddr < memsz) entry_loaded = 1;
        loads++;
    }
    if (!loads || !entry_loaded || *entry % 128) return SM_E_BAD_ELF;   /* VTOR alignment */
    return 0;
}

uint32_t rtcore_start(uint32_t core, uint32_t elf, uint32_t size)
{
    uint32_t entry;
    if (core > 1) return SM_E_BAD_ARGUMENT;
    if (!verified_contains(elf, size)) return SM_E_DENIED;   /* only verified images run */
    if (IO_RESET_CTRL(core) & IO_RESET_RUN) return SM_E_BUSY;
    uint32_t status = check_elf(elf, size, &entry);
    if (status) return status;

    volatile uint32_t *tcm = (volatile uint32_t *)(core ? IO1_TCM_WINDOW : IO0_TCM_WINDOW);
    for (uint32_t i = 0; i < IO_TCM_SIZE / 4; i++) tcm[i] = 0;   /* no leftovers */
    uint32_t phoff = rd32(elf + 28), phnum = rd16(elf + 44);
    for (uint32_t i = 0; i < phnum; i++) {
        uint32_t ph = elf + phoff + i * PHDR_SIZE;
        if (rd32(ph) != PT_LOAD || rd32(ph + 20) == 0) continue;
        uint32_t offset = rd32(ph + 4), vaddr = rd32(ph + 8), filesz = rd32(ph + 16);
        volatile uint8_t *dst = (volatile uint8_t *)((uint32_t)tcm + (vaddr - TCM_BASE));
        const volatile uint8_t *src = (const volatile uint8_t *)(elf + offset);
        for (uint32_t b = 0; b < filesz; b++) dst[b] = src[b];
    }
    IO_RESET_VECTOR(core) = entry;
    IO_RESET_CTRL(core) = IO_RESET_RUN;
    print("[SM] io");
    print_u32(core);
    print(" started at ");
    print_hex(entry);
    print("\n");
    return SM_OK;
}

uint32_t rtcore_stop(uint32_t core)
{
    if (core > 1) return SM_E_BAD_ARGUMENT;
    IO_RESET_CTRL(core) = 0;
    print("[SM] io");
    print_u32(core);
    print(" stopped\n");
    return SM_OK;
}
