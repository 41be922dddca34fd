/* A stand-in for the OS kernel (issue 5), enough to drive the Security Monitor: say hello,
   read the device ID and an attestation quote through SMCs, then verify every application
   in the flash table with SM_VERIFY_IMAGE and start each RT app's ELF on the next free IO
   core with SM_START_RT_CORE. The real kernel replaces it. */
#include <stdint.h>
#include "a7.h"
#include "a7print.h"
#include "flash_layout.h"
#include "sm_abi.h"

#define ASXIPFS_MAGIC 0x28CD3D45u
#define S_IFMT   0xF000u
#define S_IFDIR  0x4000u
#define S_IFREG  0x8000u

static void print_bytes(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        putc_uart("0123456789abcdef"[p[i] >> 4]);
        putc_uart("0123456789abcdef"[p[i] & 15]);
    }
}

static uint32_t rd32(uint32_t a) { return *(const volatile uint32_t *)a; }

static uint32_t next_core;

/* An RT app's executable: an ARM ELF whose entry (its vector table) is in TCM. */
static void maybe_start(uint32_t data, uint32_t size)
{
    if (size < 52 || rd32(data) != 0x464C457Fu) return;
    uint32_t entry = rd32(data + 24);
    if (entry < 0x00100000u || entry >= 0x00130000u || next_core > 1) return;
    uint32_t status = smc_call_regs(SM_START_RT_CORE, next_core, data, size).r0;
    print("kernel: start RT app on io");
    print_u32(next_core);
    print(": ");
    print_hex(status);
    print("\n");
    if (status == SM_OK) next_core++;
}

/* Walk an ASXipFS directory (inodes of 12 bytes plus the padded name), two levels deep. */
static void walk(uint32_t fs, uint32_t dir, uint32_t size, int depth)
{
    for (uint32_t at = dir; at + 12 <= dir + size;) {
        uint32_t mode = rd32(at) & 0xFFFFu, fsize = rd32(at + 4) & 0xFFFFFFu,
                 loc = rd32(at + 8);
        uint32_t data = fs + (loc >> 6) * 4;
        if ((mode & S_IFMT) == S_IFREG) maybe_start(data, fsize);
        else if ((mode & S_IFMT) == S_IFDIR && depth < 2 && fsize) walk(fs, data, fsize, depth + 1);
        at += 12 + (loc & 63u) * 4;
    }
}

/* The Security Monitor's argument checks and bookkeeping, seen from the Normal World:
   each line says what a call returned (tests/test_boot_services.py checks them). */
static uint8_t comm[4096];

static void check(const char *name, uint32_t fn, uint32_t a1, uint32_t a2, uint32_t a3)
{
    uint32_t status = smc_call_regs(fn, a1, a2, a3).r0;   /* before printing: the SM logs too */
    print("kernel: check ");
    print(name);
    print(": ");
    print_hex(status);
    print("\n");
}

static void service_checks(void)
{
    check("device-id-into-secure-ram", SM_GET_DEVICE_ID, 0x803D0000u, 0, 0);
    check("quote-into-flash", SM_GET_ATTESTATION, 0x80000000u, FLASH_BASE, 512);
    check("comm-buffer", SM_SET_COMM_BUFFER, 0, (uint32_t)comm, sizeof comm);
    check("comm-buffer-secure", SM_SET_COMM_BUFFER, 1, 0x803D0000u, 4096);
    check("acquire-isu0-io0", SM_PERIPHERAL_ACQUIRE, SM_OWNER_IO0, SM_BLOCK_ISU0, 0);
    check("acquire-isu0-io1", SM_PERIPHERAL_ACQUIRE, SM_OWNER_IO1, SM_BLOCK_ISU0, 0);
    check("release-isu0-io1", SM_PERIPHERAL_RELEASE, SM_OWNER_IO1, SM_BLOCK_ISU0, 0);
    check("release-isu0-io0", SM_PERIPHERAL_RELEASE, SM_OWNER_IO0, SM_BLOCK_ISU0, 0);
    check("acquire-bad-block", SM_PERIPHERAL_ACQUIRE, SM_OWNER_A7, SM_BLOCK_COUNT, 0);
    check("start-unverified", SM_START_RT_CORE, 0, (uint32_t)comm, sizeof comm);
    check("verify-secure-ram", SM_VERIFY_IMAGE, 0x803D0000u, 4096, SM_IMAGE_TYPE_APPLICATION);
    check("unknown-call", 0x53000FFFu, 0, 0, 0);
}

static uint8_t device_id[64];
static const uint8_t nonce[32] = "stand-in kernel attestation 0001";
static uint8_t quote[512];

void kernel_main(uint32_t flash, uint32_t image_size)
{
    (void)image_size;
    uart_init();
    print("kernel: hello\n");
    struct smc_result r = smc_call_regs(SM_GET_DEVICE_ID, (uint32_t)device_id, 0, 0);
    print("kernel: device id ");
    if (r.r0 == SM_OK) print_bytes(device_id, sizeof device_id);
    else print_hex(r.r0);
    print("\n");
    r = smc_call_regs(SM_GET_ATTESTATION, (uint32_t)nonce, (uint32_t)quote, sizeof quote);
    print("kernel: quote ");
    if (r.r0 == SM_OK) print_bytes(quote, r.r1);
    else print_hex(r.r0);
    print("\n");

    service_checks();

    const struct flash_table *t = (const struct flash_table *)flash;
    for (uint32_t i = 0; t->magic == FLASH_TABLE_MAGIC && i < t->count && i < FLASH_TABLE_MAX;
         i++) {
        if (t->entries[i].kind != FLASH_APPLICATION) continue;
        uint32_t package = FLASH_BASE + t->entries[i].offset;
        r = smc_call_regs(SM_VERIFY_IMAGE, package, t->entries[i].size, SM_IMAGE_TYPE_APPLICATION);
        print("kernel: app in flash entry ");
        print_u32(i);
        print(": ");
        print_hex(r.r0);
        print("\n");
        if (r.r0 != SM_OK) continue;   /* never reached: a refusal stops the boot */
        uint32_t fs = package + r.r1;
        if (rd32(fs) == ASXIPFS_MAGIC) {
            uint32_t root = rd32(fs + 64 + 4) & 0xFFFFFFu, loc = rd32(fs + 64 + 8);
            walk(fs, fs + (loc >> 6) * 4, root, 0);
        }
    }
    print("kernel: boot complete\n");
    for (;;) wfi();
}
