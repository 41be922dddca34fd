/* The high-level app's memory: 4 KiB pages from a pool of Normal-World SYSRAM, mapped into
   the app's 16 MiB of virtual space through one L2 table per MiB (the L1 table is mmu.c's).

   Virtual layout (docs/kernel-and-apps.md §2):
     0x00000000-0x0000FFFF  never mapped: a NULL dereference faults
     0x00010000-...         the ELF's LOAD segments, then the brk heap up to MMAP_BASE
     MMAP_BASE-STACK_GUARD  mmap2 (anonymous), first fit
     STACK_GUARD-STACK_LOW  never mapped: running off the stack faults as "stack overflow"
     STACK_LOW-STACK_TOP    the stack (USER_STACK_SIZE, mapped at start) */
#include "a7.h"
#include "kernel.h"
#include "linux.h"
#include "string.h"

#define PAGE            4096u
#define POOL_START      0x80100000u          /* the MiB after the kernel ... */
#define POOL_END        COMM_PHYS            /* ... up to the inter-core buffers */
#define POOL_PAGES      ((POOL_END - POOL_START) / PAGE)

/* L2 small-page descriptor bits (short-descriptor format). */
#define PTE_XN          (1u << 0)
#define PTE_SMALL       (1u << 1)
#define PTE_B           (1u << 2)
#define PTE_C           (1u << 3)
#define PTE_AP_FULL     (3u << 4)            /* AP[1:0] = 11 */
#define PTE_AP2         (1u << 9)            /* with AP[1:0] = 11: read-only at PL0 and PL1 */
#define PTE_OWNED       (1u << 11)           /* nG, unused by this kernel: marks pool pages */

static uint32_t l2[USER_VA_MIB][256] __attribute__((aligned(1024)));
static uint8_t page_used[POOL_PAGES];
static uint32_t pages_free;
static uint32_t brk_start, brk_now;
static int oom_reported;

static int in_storage(uint32_t pa) { return pa >= STORAGE_PHYS && pa < STORAGE_PHYS + STORAGE_SIZE; }

static uint32_t page_alloc(void)
{
    for (uint32_t i = 0; i < POOL_PAGES; i++) {
        uint32_t pa = POOL_START + i * PAGE;
        if (page_used[i] || in_storage(pa)) continue;
        page_used[i] = 1;
        pages_free--;
        memset((void *)pa, 0, PAGE);
        return pa;
    }
    return 0;
}

static void page_free(uint32_t pa)
{
    uint32_t i = (pa - POOL_START) / PAGE;
    if (pa >= POOL_START && i < POOL_PAGES && page_used[i]) {
        page_used[i] = 0;
        pages_free++;
    }
}

static uint32_t *pte(uint32_t va) { return &l2[va >> 20][(va >> 12) & 0xFFu]; }

static uint32_t pte_bits(int prot)
{
    uint32_t bits = PTE_SMALL | PTE_B | PTE_C | PTE_AP_FULL | PTE_OWNED;
    if (!(prot & PROT_WRITE)) bits |= PTE_AP2;
    if (!(prot & PROT_EXEC)) bits |= PTE_XN;
    return bits;
}

/* After changing entries, new ones included: the emulator's TLB remembers a fault too. A
   few pages go one by one: flushing everything costs the emulator a refill, and a code
   scan, of every page the app touches next. */
static void tlb_flush_range(uint32_t start, uint32_t end)
{
    dsb();
    if (end - start > 16u * PAGE) {
        TLBIALL();
    } else {
        for (uint32_t va = start; va < end; va += PAGE) MCR(0, 8, 7, 1, va);   /* TLBIMVA */
    }
    dsb();
    isb();
}

static void tlb_flush(void) { tlb_flush_range(0, USER_VA_MIB << 20); }

void mm_reset(void)
{
    for (uint32_t va = 0; va < USER_VA_MIB << 20; va += PAGE)
        if (*pte(va)) page_free(*pte(va) & ~(PAGE - 1));
    memset(l2, 0, sizeof l2);
    memset(page_used, 0, sizeof page_used);
    pages_free = 0;
    for (uint32_t i = 0; i < POOL_PAGES; i++)
        if (!in_storage(POOL_START + i * PAGE)) pages_free++;
    brk_start = brk_now = 0;
    oom_reported = 0;
    mmu_map_user_tables((const uint32_t *)l2, USER_VA_MIB);
    tlb_flush();
}

uint32_t mm_free_pages(void) { return pages_free; }

static void out_of_memory(const char *what)
{
    if (!oom_reported)
        kprintf("[kernel] %s: out of memory (%s; %u KiB in use)\n", proc_name(), what,
                (unsigned)((POOL_PAGES - 16u - pages_free) * 4u));
    oom_reported = 1;
}

/* Map [va, va + len) with fresh zeroed pages (pages already there are kept, their
   protection widened). 0 or -ENOMEM; nothing is left half-mapped on failure. */
int mm_map(uint32_t va, uint32_t len, int prot, const char *what)
{
    uint32_t start = va & ~(PAGE - 1), end = (va + len + PAGE - 1) & ~(PAGE - 1), need = 0;
    if (end < start || end > USER_VA_MIB << 20) return -ENOMEM;
    for (uint32_t p = start; p < end; p += PAGE) if (!*pte(p)) need++;
    if (need > pages_free) {
        out_of_memory(what);
        return -ENOMEM;
    }
    for (uint32_t p = start; p < end; p += PAGE) {
        uint32_t *e = pte(p);
        uint32_t pa = *e ? *e & ~(PAGE - 1) : page_alloc();
        uint32_t bits = pte_bits(prot);
        if (*e) {                            /* shared with the segment before: widen */
            if (!(*e & PTE_AP2)) bits &= ~PTE_AP2;
            if (!(*e & PTE_XN)) bits &= ~PTE_XN;
        }
        *e = pa | bits;
    }
    tlb_flush_range(start, end);
    return 0;
}

void mm_unmap(uint32_t va, uint32_t len)
{
    uint32_t start = va & ~(PAGE - 1), end = (va + len + PAGE - 1) & ~(PAGE - 1);
    if (end > USER_VA_MIB << 20) end = USER_VA_MIB << 20;
    for (uint32_t p = start; p < end; p += PAGE) {
        uint32_t *e = pte(p);
        if (*e) page_free(*e & ~(PAGE - 1));
        *e = 0;
    }
    tlb_flush_range(start, end);
}

/* The physical address behind a mapped user page (the kernel writes through it while a
   page is still read-only to the app), 0 if unmapped. */
uint32_t mm_phys(uint32_t va)
{
    if (va >= USER_VA_MIB << 20 || !*pte(va)) return 0;
    return (*pte(va) & ~(PAGE - 1)) | (va & (PAGE - 1));
}

/* Is [p, p + len) all mapped for the app (and writable, if asked)? */
int user_ok(uint32_t p, uint32_t len, int write)
{
    if (p + len < p || p + len > USER_VA_MIB << 20) return 0;
    if (!len) return 1;
    for (uint32_t v = p & ~(PAGE - 1); v < p + len; v += PAGE) {
        uint32_t e = *pte(v);
        if (!e || (write && (e & PTE_AP2))) return 0;
    }
    return 1;
}

/* A NUL-terminated string of the app, copied out: its length, or -EFAULT / -ENAMETOOLONG. */
int user_string(uint32_t p, char *out, uint32_t cap)
{
    for (uint32_t i = 0; i < cap; i++) {
        if (!user_ok(p + i, 1, 0)) return -EFAULT;
        out[i] = *(const char *)(p + i);
        if (!out[i]) return (int)i;
    }
    return -36;                              /* ENAMETOOLONG */
}

int mm_protect(uint32_t va, uint32_t len, int prot)
{
    if (va & (PAGE - 1)) return -EINVAL;
    uint32_t end = (va + len + PAGE - 1) & ~(PAGE - 1);
    if (end < va || end > USER_VA_MIB << 20) return -ENOMEM;
    for (uint32_t p = va; p < end; p += PAGE) if (!*pte(p)) return -ENOMEM;
    for (uint32_t p = va; p < end; p += PAGE) *pte(p) = (*pte(p) & ~(PAGE - 1)) | pte_bits(prot);
    tlb_flush_range(va, end);
    return 0;
}

/* brk: the heap starts at the page after the highest LOAD segment. */
void mm_set_brk_start(uint32_t va)
{
    brk_start = brk_now = (va + PAGE - 1) & ~(PAGE - 1);
}

uint32_t mm_brk(uint32_t want)
{
    if (want < brk_start || want > MMAP_BASE) return brk_now;
    uint32_t old_end = (brk_now + PAGE - 1) & ~(PAGE - 1), new_end = (want + PAGE - 1) & ~(PAGE - 1);
    if (new_end > old_end && mm_map(old_end, new_end - old_end, PROT_READ | PROT_WRITE, "brk") < 0)
        return brk_now;
    if (new_end < old_end) mm_unmap(new_end, old_end - new_end);
    brk_now = want;
    return brk_now;
}

/* Anonymous mmap2: first fit in [MMAP_BASE, STACK_GUARD), or exactly at addr with MAP_FIXED. */
int32_t mm_mmap(uint32_t addr, uint32_t len, int prot, int flags)
{
    if (!len) return -EINVAL;
    if (!(flags & MAP_ANONYMOUS)) return -ENODEV;       /* no file mappings */
    len = (len + PAGE - 1) & ~(PAGE - 1);
    if (len > STACK_GUARD - MMAP_BASE) return -ENOMEM;
    if (flags & MAP_FIXED) {
        if (addr & (PAGE - 1) || addr < MMAP_BASE || addr + len > STACK_GUARD) return -EINVAL;
        mm_unmap(addr, len);
        int r = mm_map(addr, len, prot, "mmap");
        return r < 0 ? r : (int32_t)addr;
    }
    uint32_t run = 0;
    for (uint32_t p = MMAP_BASE; p < STACK_GUARD; p += PAGE) {
        run = *pte(p) ? 0 : run + PAGE;
        if (run == len) {
            uint32_t start = p + PAGE - len;
            int r = mm_map(start, len, prot, "mmap");
            return r < 0 ? r : (int32_t)start;
        }
    }
    out_of_memory("mmap: no free address range");
    return -ENOMEM;
}

int mm_munmap(uint32_t addr, uint32_t len)
{
    if (addr & (PAGE - 1) || !len) return -EINVAL;
    if (addr < MMAP_BASE || addr + len > STACK_GUARD || addr + len < addr) return -EINVAL;
    mm_unmap(addr, len);
    return 0;
}

/* mremap: shrink in place, grow in place when the pages after are free, or (MAYMOVE) move
   to a new range; the copy goes through the app's own mapping. */
int32_t mm_mremap(uint32_t old, uint32_t old_len, uint32_t new_len, uint32_t flags)
{
    old_len = (old_len + PAGE - 1) & ~(PAGE - 1);
    new_len = (new_len + PAGE - 1) & ~(PAGE - 1);
    if (old & (PAGE - 1) || !new_len || old < MMAP_BASE || old + old_len > STACK_GUARD || old + old_len < old)
        return -EINVAL;
    if (new_len <= old_len) {
        mm_unmap(old + new_len, old_len - new_len);
        return (int32_t)old;
    }
    int in_place = old + new_len <= STACK_GUARD;
    for (uint32_t p = old + old_len; in_place && p < old + new_len; p += PAGE) if (*pte(p)) in_place = 0;
    if (in_place) {
        int r = mm_map(old + old_len, new_len - old_len, PROT_READ | PROT_WRITE, "mremap");
        return r < 0 ? r : (int32_t)old;
    }
    if (!(flags & 1u)) return -ENOMEM;                    /* MREMAP_MAYMOVE */
    int32_t to = mm_mmap(0, new_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    if (to < 0) return to;
    memcpy((void *)to, (const void *)old, old_len);
    mm_unmap(old, old_len);
    return to;
}
