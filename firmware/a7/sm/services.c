/* The SMC services of sm_abi.h. Every Normal-World address is checked before the Security
   Monitor or Pluton touches it: a buffer must lie in Normal-World SYSRAM (or, for a package,
   in flash), so the Normal World cannot make the Secure World read or write its own RAM. */
#include "a7.h"
#include "a7print.h"
#include "sm.h"
#include "sm_abi.h"

#define MAX_VERIFIED 32
#define OWNER_FREE 0xFFu

static struct { uint32_t start, size; } verified[MAX_VERIFIED];
static uint32_t verified_count;
static struct { uint32_t address, size; } comm_buffer[2];
static uint8_t owner[SM_BLOCK_COUNT];
static int owners_ready;

static const char *const owner_name[] = {"io0", "io1", "a7"};

void verified_add(uint32_t payload, uint32_t size)
{
    if (verified_count < MAX_VERIFIED) {
        verified[verified_count].start = payload;
        verified[verified_count].size = size;
        verified_count++;
    }
}

int verified_contains(uint32_t address, uint32_t size)
{
    for (uint32_t i = 0; i < verified_count; i++) {
        if (address >= verified[i].start && address - verified[i].start <= verified[i].size
            && size <= verified[i].size - (address - verified[i].start)) return 1;
    }
    return 0;
}

static int flash_range_ok(uint32_t address, uint32_t size)
{
    return address >= FLASH_BASE && address - FLASH_BASE < FLASH_SIZE
        && size <= FLASH_SIZE - (address - FLASH_BASE);
}

static void verify_image(uint32_t r[4])
{
    uint32_t ret[4], address = r[1], size = r[2], type = r[3];
    /* Flash only: the cores cannot write it, so what Pluton verified is what later runs
       (a package in Normal-World RAM could be changed after its check). */
    if (size == 0 || !flash_range_ok(address, size)) {
        r[0] = SM_E_BAD_ARGUMENT;
        return;
    }
    uint32_t entry = flash_entry_for(address);
    uint32_t status = pluton_call(PLUTON_VERIFY_IMAGE, address, size, type, 0,
                                  MEASURE_APPLICATIONS, ret);
    if (status == 0x02u || status == 0x03u) {   /* bad argument / memory fault: not an image */
        r[0] = SM_E_BAD_ARGUMENT;
        return;
    }
    if (status != 0) refuse(STAGE_APP, entry, status);   /* stops the boot */
    verified_add(address + ret[2], ret[3]);
    print("[SM] app verified, measurement extended (flash entry ");
    print_u32(entry);
    print(")\n");
    report(REPORT_PROGRESS, STAGE_APP, entry, STEP_VERIFIED);
    r[0] = SM_OK;
    r[1] = ret[2];
    r[2] = ret[3];
    r[3] = 0;
}

static uint32_t set_comm_buffer(uint32_t core, uint32_t address, uint32_t size)
{
    if (core > 1 || !ns_range_ok(address, size)) return SM_E_BAD_ARGUMENT;
    comm_buffer[core].address = address;
    comm_buffer[core].size = size;
    /* The firewall is page granular: the core sees the whole pages the buffers touch. */
    uint32_t first = address & ~(FIREWALL_PAGE - 1);
    firewall_set_window(core, first,
                        ((address + size + FIREWALL_PAGE - 1) & ~(FIREWALL_PAGE - 1)) - first);
    print("[SM] io");
    print_u32(core);
    print(" comm buffer at ");
    print_hex(address);
    print(", ");
    print_u32(size);
    print(" bytes\n");
    return SM_OK;
}

static uint32_t peripheral(uint32_t acquire, uint32_t who, uint32_t block)
{
    if (!owners_ready) {
        for (unsigned i = 0; i < SM_BLOCK_COUNT; i++) owner[i] = OWNER_FREE;
        owners_ready = 1;
    }
    if (who > SM_OWNER_A7 || block >= SM_BLOCK_COUNT) return SM_E_BAD_ARGUMENT;
    if (acquire) {
        if (owner[block] != OWNER_FREE && owner[block] != who) return SM_E_BUSY;
        owner[block] = (uint8_t)who;
    } else {
        if (owner[block] != who) return SM_E_DENIED;
        owner[block] = OWNER_FREE;
    }
    firewall_set_block(block, owner[block]);
    print("[SM] block ");
    print_u32(block);
    print(acquire ? " acquired by " : " released by ");
    print(owner_name[who]);
    print("\n");
    return SM_OK;
}

void sm_smc(uint32_t r[4])
{
    uint32_t ret[4], status;
    switch (r[0]) {
    case SM_VERIFY_IMAGE:
        verify_image(r);
        return;
    case SM_START_RT_CORE:
        r[0] = rtcore_start(r[1], r[2], r[3]);
        break;
    case SM_STOP_RT_CORE:
        r[0] = rtcore_stop(r[1]);
        break;
    case SM_RT_CORE_EVENT:
        r[0] = rtcore_event(r[1], r[2], &r[1]);
        r[2] = r[3] = 0;
        return;
    case SM_SET_COMM_BUFFER:
        r[0] = set_comm_buffer(r[1], r[2], r[3]);
        break;
    case SM_PERIPHERAL_ACQUIRE:
    case SM_PERIPHERAL_RELEASE:
        r[0] = peripheral(r[0] == SM_PERIPHERAL_ACQUIRE, r[1], r[2]);
        break;
    case SM_GET_DEVICE_ID:
        if (!ns_range_ok(r[1], 64)) {
            r[0] = SM_E_BAD_ARGUMENT;
            break;
        }
        status = pluton_call(PLUTON_GET_DEVICE_ID, r[1], 0, 0, 0, 0, ret);
        r[0] = status ? SM_E_BAD_ARGUMENT : SM_OK;
        break;
    case SM_GET_ATTESTATION:
        if (!ns_range_ok(r[1], 32) || !ns_range_ok(r[2], r[3])) {
            r[0] = SM_E_BAD_ARGUMENT;
            break;
        }
        status = pluton_call(PLUTON_SIGN_ATTESTATION, r[1], r[2], r[3], 0, 0, ret);
        r[0] = status ? SM_E_BAD_ARGUMENT : SM_OK;
        r[1] = status ? 0 : ret[0];
        r[2] = r[3] = 0;
        return;
    case SM_REBOOT:
        print("[SM] reboot requested\n");
        report(REPORT_REBOOT, STAGE_SM, NO_ENTRY, 0);
        __asm__ volatile("cpsid aif");   /* the host resets the machine (boot.py) */
        for (;;) wfi();
    case SM_POWER_DOWN:
        print("[SM] power down requested\n");
        report(REPORT_POWER_DOWN, STAGE_SM, NO_ENTRY, 0);
        __asm__ volatile("cpsid aif");   /* the host ends the run (boot.py) */
        for (;;) wfi();
    default:
        r[0] = SM_E_UNKNOWN_CALL;
        break;
    }
    r[1] = r[2] = r[3] = 0;
}
