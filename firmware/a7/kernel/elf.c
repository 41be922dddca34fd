/* Loading a high-level app's ELF into its user space: each LOAD segment copied from flash
   by virtual address, memsz - filesz zeroed, everything inside [USER_BASE, stack). */
#include "kernel.h"
#include "string.h"

#define USER_STACK_SIZE 0x10000u

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint32_t rd16(const uint8_t *p) { return p[0] | p[1] << 8; }

const char *elf_load_user(const uint8_t *elf, uint32_t size, uint32_t *entry)
{
    static const uint8_t ident[6] = { 0x7F, 'E', 'L', 'F', 1, 1 };   /* 32-bit, little */
    if (size < 52 || memcmp(elf, ident, 6) != 0) return "not a 32-bit little-endian ELF";
    if (rd16(elf + 16) != 2 || rd16(elf + 18) != 40) return "not an ARM executable";
    uint32_t phoff = rd32(elf + 28), phent = rd16(elf + 42), phnum = rd16(elf + 44);
    if (phent < 32 || phnum > 16 || phoff > size || phnum * phent > size - phoff)
        return "bad program headers";
    const uint32_t top = USER_BASE + USER_SIZE - USER_STACK_SIZE;
    memset((void *)USER_BASE, 0, USER_SIZE);
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = elf + phoff + i * phent;
        if (rd32(ph) != 1) continue;                            /* PT_LOAD */
        uint32_t off = rd32(ph + 4), va = rd32(ph + 8), filesz = rd32(ph + 16), memsz = rd32(ph + 20);
        if (filesz > memsz || off > size || filesz > size - off) return "segment outside the file";
        if (va < USER_BASE || va > top || memsz > top - va) return "segment outside user space";
        memcpy((void *)va, elf + off, filesz);                  /* the rest is zero already */
    }
    *entry = rd32(elf + 24);
    if (*entry < USER_BASE || *entry >= top) return "entry point outside user space";
    return 0;
}
