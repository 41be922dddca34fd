/* The Security Monitor's boot stage: set up the Secure World, find the kernel through the
   flash table, have Pluton verify and measure it, copy it into Normal-World SYSRAM and enter
   the Normal World at its entry. Any failure stops the boot (refuse() in pluton.c). */
#include "a7.h"
#include "a7print.h"
#include "mt3620-a7.h"
#include "sm.h"

extern char monitor_vectors[], secure_vectors[];
extern _Noreturn void enter_normal_world(uint32_t r0, uint32_t r1);

#define GIC_ID_PLUTON 145u
#define CPSR_T (1u << 5)

const struct flash_table *flash_table(void)
{
    const struct flash_table *t = (const struct flash_table *)FLASH_BASE;
    if (t->magic != FLASH_TABLE_MAGIC || t->count > FLASH_TABLE_MAX) return 0;
    return t;
}

static int entry_ok(const struct flash_entry *e)
{
    return e->offset % FLASH_ALIGN == 0 && e->offset < FLASH_SIZE && e->size != 0
        && e->size <= FLASH_SIZE - e->offset;
}

uint32_t flash_entry_for(uint32_t address)
{
    const struct flash_table *t = flash_table();
    if (!t) return NO_ENTRY;
    for (uint32_t i = 0; i < t->count; i++) {
        if (entry_ok(&t->entries[i]) && FLASH_BASE + t->entries[i].offset == address) return i;
    }
    return NO_ENTRY;
}

int ns_range_ok(uint32_t address, uint32_t size)
{
    return address >= NW_SYSRAM_BASE && address < NW_SYSRAM_END
        && size <= NW_SYSRAM_END - address;
}

/* Every interrupt belongs to the Normal World (group 1, IRQ) except Pluton's, which stays
   Secure and disabled (the Security Monitor polls Pluton), and the io-reset block's lockup
   line, a Secure FIQ the monitor takes whatever the Normal World is doing. */
static void gic_setup(void)
{
    for (unsigned n = 0; n < 5; n++) GICD_IGROUPR(n) = 0xFFFFFFFFu;
    gic_set_group(GIC_ID_PLUTON, 0);
    gic_set_group(GIC_ID_IO_RESET, 0);  /* an IO core locked up: a FIQ to the monitor */
    gic_enable(GIC_ID_IO_RESET, 0x40u);
    GICD_CTLR = 3;                   /* both groups forwarded */
    GICC_CTLR = 1u | 2u | 8u;        /* EnableGrp0, EnableGrp1, FIQEn: group 0 as FIQ */
    GICC_PMR = 0xF8;
}

static uint32_t find_kernel(void)
{
    const struct flash_table *t = flash_table();
    if (!t) return NO_ENTRY;
    for (uint32_t i = 0; i < t->count; i++) {
        if (t->entries[i].kind == FLASH_KERNEL && entry_ok(&t->entries[i])) return i;
    }
    return NO_ENTRY;
}

static void copy_words(uint32_t dst, uint32_t src, uint32_t size)
{
    volatile uint32_t *d = (volatile uint32_t *)dst;
    const volatile uint32_t *s = (const volatile uint32_t *)src;
    for (uint32_t i = 0; i < (size + 3) / 4; i++) d[i] = s[i];
}

/* The kernel's load header, checked against Normal-World SYSRAM and its own payload. */
static int header_ok(const struct os_image_header *h, uint32_t payload_size)
{
    return payload_size >= sizeof *h && h->magic == OS_IMAGE_MAGIC && h->image_size != 0
        && h->image_size <= payload_size - sizeof *h && h->load_address % 4 == 0
        && ns_range_ok(h->load_address, h->image_size)
        && (h->entry & ~1u) >= h->load_address
        && (h->entry & ~1u) < h->load_address + h->image_size;
}

void sm_main(void)
{
    uint32_t ret[4];
    uart_init();
    VBAR_WRITE((uint32_t)secure_vectors);
    MVBAR_WRITE((uint32_t)monitor_vectors);
    print("[SM] security monitor started (Secure SVC)\n");
    report(REPORT_PROGRESS, STAGE_SM, NO_ENTRY, STEP_STARTED);
    gic_setup();

    uint32_t idx = find_kernel();
    if (idx == NO_ENTRY) refuse(STAGE_KERNEL, NO_ENTRY, REFUSED_NOT_FOUND);
    const struct flash_entry *e = &flash_table()->entries[idx];
    uint32_t package = FLASH_BASE + e->offset;
    print("[SM] kernel: flash entry ");
    print_u32(idx);
    print(", ");
    print_u32(e->size);
    print(" bytes at ");
    print_hex(package);
    print("\n");

    /* Verify first without measuring: a package whose load header is unusable is refused,
       and a refused image is never measured. */
    uint32_t status = pluton_call(PLUTON_VERIFY_IMAGE, package, e->size, IMAGE_TYPE_KERNEL,
                                  0, 0xFFFFFFFFu, ret);
    if (status != 0) refuse(STAGE_KERNEL, idx, status);
    const struct os_image_header *h = (const struct os_image_header *)(package + ret[2]);
    uint32_t payload_size = ret[3];
    if (!header_ok(h, payload_size)) refuse(STAGE_KERNEL, idx, REFUSED_LAYOUT);
    status = pluton_call(PLUTON_VERIFY_IMAGE, package, e->size, IMAGE_TYPE_KERNEL, 0,
                         MEASURE_KERNEL, ret);
    if (status != 0) refuse(STAGE_KERNEL, idx, status);
    print("[SM] kernel verified, measurement extended\n");
    report(REPORT_PROGRESS, STAGE_KERNEL, idx, STEP_VERIFIED);

    uint32_t load = h->load_address, size = h->image_size, entry = h->entry;
    copy_words(load, (uint32_t)(h + 1), size);
    print("[SM] kernel loaded at ");
    print_hex(load);
    print(", entering the normal world at ");
    print_hex(entry);
    print("\n");
    report(REPORT_PROGRESS, STAGE_KERNEL, idx, STEP_ENTERED);

    NSACR_WRITE(3u << 10);           /* the Normal World may use VFP/NEON */
    SCR_WRITE(SCR_NS | SCR_FIQ);     /* Secure interrupts (FIQ) come to the monitor */
    lr_mon_write(entry & ~1u);
    spsr_mon_write(MODE_SVC | CPSR_A | CPSR_I | CPSR_F | ((entry & 1u) ? CPSR_T : 0));
    enter_normal_world(FLASH_BASE, size);
}

void sm_fiq(void)
{
    uint32_t id = GICC_IAR;
    if (id == GIC_ID_IO_RESET) rtcore_lockup();
    if (id != GIC_SPURIOUS) GICC_EOIR = id;
}

_Noreturn void sm_fault(uint32_t kind, uint32_t lr)
{
    print("[SM] FATAL: exception ");
    print_u32(kind);
    print(" in the security monitor at ");
    print_hex(lr);
    print("\n");
    __asm__ volatile("cpsid aif");
    for (;;) wfi();
}

/* GCC may turn loops into these calls even in freestanding code. */
void *memcpy(void *dst, const void *src, unsigned n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, unsigned n)
{
    uint8_t *d = dst;
    while (n--) *d++ = (uint8_t)c;
    return dst;
}
