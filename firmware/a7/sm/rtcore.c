/* Starting an RT app on an IO core, as the Azure Sphere OS does (facts §4). The ELF must lie
   inside a package verified in this boot. Each PT_LOAD segment goes where its address says:
   - TCM (0x00100000, 192 KiB) and SYSRAM (0x22000000, 64 KiB): copied through the Secure-only
     windows onto that core's memories, memsz - filesz bytes after it left zero;
   - XIP flash (0x10000000): not copied. The core's XIP window is pointed at the segment's
     bytes in flash, read-only and in place; there may be one such segment, at 0x10000000
     exactly, 32-byte aligned in the file, with nothing to zero-fill.
   A segment anywhere else, or overlapping another, refuses the app with a line naming the
   segment. The core starts from the vector table at the ELF entry (SP = word 0, PC = word 1,
   VTOR = entry). The whole ELF is checked before any memory is touched. */
#include "a7.h"
#include "a7print.h"
#include "mt3620-a7.h"
#include "sm.h"
#include "sm_abi.h"

#define TCM_BASE    0x00100000u
#define SYSRAM_IO   0x22000000u
#define XIP_BASE    0x10000000u
#define XIP_SIZE    0x00100000u
#define PT_LOAD     1u
#define EM_ARM      40u
#define ET_EXEC     2u
#define PHDR_SIZE   32u
#define MAX_PHDRS   16u

enum region { NOWHERE, TCM, SYSRAM, XIP };

struct segment {
    uint32_t index, offset, vaddr, filesz, memsz;
    enum region region;
};

struct rt_image {
    uint32_t entry, count;
    struct segment seg[MAX_PHDRS];
};

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

static int within(uint32_t address, uint32_t size, uint32_t base, uint32_t length)
{
    return address >= base && address - base <= length && size <= length - (address - base);
}

static enum region region_of(uint32_t vaddr, uint32_t memsz)
{
    if (within(vaddr, memsz, TCM_BASE, IO_TCM_SIZE)) return TCM;
    if (within(vaddr, memsz, SYSRAM_IO, IO_SYSRAM_SIZE)) return SYSRAM;
    if (within(vaddr, memsz, XIP_BASE, XIP_SIZE)) return XIP;
    return NOWHERE;
}

static uint32_t refuse_segment(uint32_t core, const struct segment *s, const char *why)
{
    print("[SM] io");
    print_u32(core);
    print(": RT app refused: LOAD segment ");
    print_u32(s->index);
    print(" at ");
    print_hex(s->vaddr);
    print(" (");
    print_hex(s->memsz);
    print(" bytes) ");
    print(why);
    print("\n");
    return SM_E_BAD_ELF;
}

static uint32_t refuse_app(uint32_t core, const char *why)
{
    print("[SM] io");
    print_u32(core);
    print(": RT app refused: ");
    print(why);
    print("\n");
    return SM_E_BAD_ELF;
}

/* 0 if the ELF is one this loader can start (img filled in), else SM_E_BAD_ELF. */
static uint32_t check_elf(uint32_t core, uint32_t elf, uint32_t size, struct rt_image *img)
{
    if (size < 52 || rd32(elf) != 0x464C457Fu) return refuse_app(core, "not an ELF file");
    const volatile uint8_t *ident = (const volatile uint8_t *)elf;
    if (ident[4] != 1 || ident[5] != 1 || rd16(elf + 16) != ET_EXEC || rd16(elf + 18) != EM_ARM)
        return refuse_app(core, "not a 32-bit little-endian ARM executable");
    uint32_t phoff = rd32(elf + 28), phentsize = rd16(elf + 42), phnum = rd16(elf + 44);
    if (phentsize != PHDR_SIZE || phnum == 0 || phnum > MAX_PHDRS || phoff > size
        || phnum * PHDR_SIZE > size - phoff) return refuse_app(core, "bad program headers");
    img->entry = rd32(elf + 24);
    img->count = 0;
    const struct segment *entry_seg = 0;
    int xip = 0;
    for (uint32_t i = 0; i < phnum; i++) {
        uint32_t ph = elf + phoff + i * PHDR_SIZE;
        if (rd32(ph) != PT_LOAD || rd32(ph + 20) == 0) continue;
        struct segment *s = &img->seg[img->count];
        s->index = i;
        s->offset = rd32(ph + 4);
        s->vaddr = rd32(ph + 8);
        s->filesz = rd32(ph + 16);
        s->memsz = rd32(ph + 20);
        s->region = region_of(s->vaddr, s->memsz);
        if (s->filesz > s->memsz || s->offset > size || s->filesz > size - s->offset)
            return refuse_segment(core, s, "has file data outside the ELF");
        if (s->region == NOWHERE)
            return refuse_segment(core, s, "is outside TCM, SYSRAM and XIP flash");
        if (s->region == XIP) {
            if (xip++) return refuse_segment(core, s, "is a second XIP flash segment");
            if (s->vaddr != XIP_BASE) return refuse_segment(core, s, "is in XIP flash but not at 0x10000000");
            if (s->memsz != s->filesz) return refuse_segment(core, s, "is in XIP flash but asks for zero-fill");
            if ((elf + s->offset) % 32) return refuse_segment(core, s, "is in XIP flash but not 32-byte aligned in the file");
            if (elf + s->offset - FLASH_BASE > FLASH_SIZE - XIP_SIZE)
                return refuse_segment(core, s, "is too near the end of the flash for the XIP window");
        }
        for (uint32_t j = 0; j < img->count; j++) {
            const struct segment *o = &img->seg[j];
            if (s->vaddr < o->vaddr + o->memsz && o->vaddr < s->vaddr + s->memsz) {
                print("[SM] io");
                print_u32(core);
                print(": RT app refused: LOAD segment ");
                print_u32(s->index);
                print(" at ");
                print_hex(s->vaddr);
                print(" overlaps LOAD segment ");
                print_u32(o->index);
                print(" at ");
                print_hex(o->vaddr);
                print("\n");
                return SM_E_BAD_ELF;
            }
        }
        if (img->entry >= s->vaddr && img->entry - s->vaddr + 8 <= s->filesz) entry_seg = s;
        img->count++;
    }
    if (!img->count) return refuse_app(core, "no loadable segment");
    if (!entry_seg || img->entry % 128)
        return refuse_app(core, "the entry is not a 128-byte aligned vector table in a loaded segment");
    return 0;
}

static void load(uint32_t core, uint32_t elf, const struct rt_image *img)
{
    volatile uint32_t *tcm = (volatile uint32_t *)(core ? IO1_TCM_WINDOW : IO0_TCM_WINDOW);
    volatile uint32_t *sysram = (volatile uint32_t *)(core ? IO1_SYSRAM_WINDOW : IO0_SYSRAM_WINDOW);
    for (uint32_t i = 0; i < IO_TCM_SIZE / 4; i++) tcm[i] = 0;          /* no leftovers */
    for (uint32_t i = 0; i < IO_SYSRAM_SIZE / 4; i++) sysram[i] = 0;
    IO_RESET_XIP(core) = 0;
    for (uint32_t i = 0; i < img->count; i++) {
        const struct segment *s = &img->seg[i];
        if (s->region == XIP) {
            IO_RESET_XIP(core) = (elf + s->offset - FLASH_BASE) | IO_RESET_XIP_ON;
            continue;
        }
        uint32_t base = s->region == TCM ? (uint32_t)tcm + (s->vaddr - TCM_BASE)
                                         : (uint32_t)sysram + (s->vaddr - SYSRAM_IO);
        volatile uint8_t *dst = (volatile uint8_t *)base;
        const volatile uint8_t *src = (const volatile uint8_t *)(elf + s->offset);
        for (uint32_t b = 0; b < s->filesz; b++) dst[b] = src[b];
    }
}

/* What each core showed when it last locked up, until the kernel collects it. */
static struct sm_rt_event events[2];
static int event_pending[2];

uint32_t rtcore_start(uint32_t core, uint32_t elf, uint32_t size)
{
    static struct rt_image img;
    uint32_t debug = core & SM_START_DEBUG;
    core &= ~SM_START_DEBUG;
    if (core > 1) return SM_E_BAD_ARGUMENT;
    if (!verified_contains(elf, size)) return SM_E_DENIED;   /* only verified images run */
    if (IO_RESET_CTRL(core) & IO_RESET_RUN) return SM_E_BUSY;
    uint32_t status = check_elf(core, elf, size, &img);
    if (status) return status;
    load(core, elf, &img);
    event_pending[core] = 0;
    IO_RESET_VECTOR(core) = img.entry;
    IO_RESET_CTRL(core) = IO_RESET_RUN | (debug ? IO_RESET_DBGHALT : 0);
    print("[SM] io");
    print_u32(core);
    print(debug ? " started held for a debugger at " : " started at ");
    print_hex(img.entry);
    print("\n");
    return SM_OK;
}

/* The io-reset block's lockup interrupt (FIQ, whatever the Normal World was doing): hold
   each core that stopped in reset, keep what it showed, and tell the kernel with an SGI. */
void rtcore_lockup(void)
{
    int any = 0;
    for (uint32_t core = 0; core < 2; core++) {
        if (!(IO_RESET_STATUS(core) & IO_RESET_LOCKUP)) continue;
        struct sm_rt_event *e = &events[core];
        e->pc = IO_RESET_PC(core);
        e->fault_pc = IO_RESET_FAULT_PC(core);
        e->cfsr = IO_RESET_CFSR(core);
        e->hfsr = IO_RESET_HFSR(core);
        e->fault_address = IO_RESET_FAR(core);
        event_pending[core] = 1;
        IO_RESET_CTRL(core) = 0;
        IO_RESET_STATUS(core) = IO_RESET_LOCKUP;
        print("[SM] io");
        print_u32(core);
        print(" locked up at ");
        print_hex(e->pc);
        print(", held in reset\n");
        any = 1;
    }
    if (any) GICD_SGIR = 2u << 24 | 1u << 15 | SM_SGI_RT_EVENT;  /* this CPU, group 1 */
}

uint32_t rtcore_event(uint32_t core, uint32_t buffer, uint32_t *found)
{
    *found = 0;
    if (core > 1 || !ns_range_ok(buffer, sizeof(struct sm_rt_event))) return SM_E_BAD_ARGUMENT;
    if (!event_pending[core]) return SM_OK;
    event_pending[core] = 0;
    volatile uint32_t *out = (volatile uint32_t *)buffer;
    const uint32_t *in = (const uint32_t *)&events[core];
    for (uint32_t i = 0; i < sizeof(struct sm_rt_event) / 4; i++) out[i] = in[i];
    *found = 1;
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
