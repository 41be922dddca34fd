/* Loading a high-level app: a statically linked 32-bit ARM ELF executable, its LOAD
   segments copied from flash into fresh pages at their virtual addresses (memsz - filesz
   zero), with the protection their flags ask for; then the initial stack a Linux process
   gets (argc, argv, envp, auxv). Everything in the file is checked against the file. */
#include "kernel.h"
#include "linux.h"
#include "string.h"

#define ET_EXEC    2
#define EM_ARM     40
#define PT_LOAD    1
#define PT_INTERP  3
#define PT_PHDR    6
#define PF_X       1
#define PF_W       2
#define PF_R       4
#define PAGE       4096u
#define MAX_PHNUM  32u

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint32_t rd16(const uint8_t *p) { return p[0] | p[1] << 8; }

static const char *check_header(const uint8_t *elf, uint32_t size)
{
    static const uint8_t ident[4] = { 0x7F, 'E', 'L', 'F' };
    if (size < 52 || memcmp(elf, ident, 4) != 0) return "not an ELF file";
    if (elf[4] != 1 || elf[5] != 1) return "not a 32-bit little-endian ELF";
    if (rd16(elf + 18) != EM_ARM) return "not an ARM executable (wrong architecture)";
    if (rd16(elf + 16) != ET_EXEC) return "not a static executable (ET_EXEC); link with -static";
    uint32_t phoff = rd32(elf + 28), phent = rd16(elf + 42), phnum = rd16(elf + 44);
    if (phent != 32 || phnum == 0 || phnum > MAX_PHNUM || phoff > size || phnum * phent > size - phoff)
        return "corrupt program header table";
    return 0;
}

/* The pages a segment needs, or 0 when it lies outside the image/brk area. */
static const char *check_segment(const uint8_t *ph, uint32_t size, uint32_t *pages)
{
    uint32_t off = rd32(ph + 4), va = rd32(ph + 8), filesz = rd32(ph + 16), memsz = rd32(ph + 20);
    if (filesz > memsz || off > size || filesz > size - off) return "corrupt program header: segment outside the file";
    if (va < 0x10000u || va >= MMAP_BASE || memsz > MMAP_BASE - va)
        return "segment outside the app's image area (0x10000-0x800000): memsz too large?";
    *pages += ((va + memsz + PAGE - 1) / PAGE) - va / PAGE;
    return 0;
}

const char *elf_load_user(const uint8_t *elf, uint32_t size, struct elf_image *img)
{
    const char *err = check_header(elf, size);
    if (err) return err;
    uint32_t phoff = rd32(elf + 28), phnum = rd16(elf + 44), pages = 0, loads = 0;
    memset(img, 0, sizeof *img);
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = elf + phoff + i * 32u;
        uint32_t type = rd32(ph);
        if (type == PT_INTERP) return "dynamically linked (PT_INTERP): only static executables run";
        if (type != PT_LOAD) continue;
        if ((err = check_segment(ph, size, &pages))) return err;
        loads++;
    }
    if (!loads) return "no LOAD segment";
    if (pages + USER_STACK_SIZE / PAGE > mm_free_pages()) return "too large: not enough memory for its segments";
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = elf + phoff + i * 32u;
        if (rd32(ph) != PT_LOAD) continue;
        uint32_t off = rd32(ph + 4), va = rd32(ph + 8), filesz = rd32(ph + 16), memsz = rd32(ph + 20);
        uint32_t flags = rd32(ph + 24);
        int prot = (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
        if (mm_map(va, memsz, prot, "loading the executable") < 0) return "not enough memory for its segments";
        for (uint32_t done = 0; done < filesz;) {       /* through the physical pages */
            uint32_t at = va + done, n = PAGE - (at & (PAGE - 1));
            if (n > filesz - done) n = filesz - done;
            memcpy((void *)mm_phys(at), elf + off + done, n);
            done += n;
        }
        if (off <= phoff && phoff + phnum * 32u <= off + filesz) img->phdr = va + (phoff - off);
        if (va + memsz > img->brk) img->brk = va + memsz;
    }
    img->entry = rd32(elf + 24);
    img->phnum = phnum;
    if (!user_ok(img->entry & ~1u, 2, 0)) return "entry point outside its segments";
    return 0;
}

/* Push bytes onto the new stack through the physical pages (it is mapped, all writable). */
static uint32_t push(uint32_t sp, const void *data, uint32_t len)
{
    sp -= len;
    for (uint32_t i = 0; i < len; i++) *(uint8_t *)mm_phys(sp + i) = ((const uint8_t *)data)[i];
    return sp;
}

/* The stack Linux gives a new process, from the top: strings and AT_RANDOM bytes, then
   (16-byte aligned) argc, argv[], NULL, envp[] (empty), NULL, auxv pairs, AT_NULL. */
uint32_t elf_initial_stack(const struct elf_image *img, const char *argv0)
{
    uint32_t sp = STACK_TOP;
    sp = push(sp, argv0, (uint32_t)strlen(argv0) + 1);
    uint32_t argv0_at = sp;
    sp = push(sp, "v7l", 4);
    uint32_t platform = sp;
    uint8_t rnd[16];
    random_bytes(rnd, sizeof rnd);
    sp = push(sp, rnd, sizeof rnd);
    uint32_t random_at = sp;
    const uint32_t hwcap = HWCAP_SWP | HWCAP_HALF | HWCAP_THUMB | HWCAP_FAST_MULT | HWCAP_VFP |
                           HWCAP_EDSP | HWCAP_NEON | HWCAP_VFPv3 | HWCAP_TLS | HWCAP_VFPv4 |
                           HWCAP_IDIVA | HWCAP_IDIVT | HWCAP_VFPD32 | HWCAP_LPAE;
    const uint32_t words[] = {
        1, argv0_at, 0,                               /* argc, argv */
        0,                                            /* envp */
        AT_PHDR, img->phdr, AT_PHENT, 32, AT_PHNUM, img->phnum, AT_PAGESZ, PAGE,
        AT_BASE, 0, AT_FLAGS, 0, AT_ENTRY, img->entry, AT_UID, 0, AT_EUID, 0, AT_GID, 0,
        AT_EGID, 0, AT_PLATFORM, platform, AT_HWCAP, hwcap, AT_CLKTCK, 100, AT_SECURE, 0,
        AT_RANDOM, random_at, AT_HWCAP2, 0, AT_EXECFN, argv0_at, AT_NULL, 0,
    };
    sp = (sp - sizeof words) & ~15u;
    return push(sp + sizeof words, words, sizeof words);
}
