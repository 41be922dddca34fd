/* The Security Monitor's internals: the Pluton mailbox driver, boot reports, helpers. */
#ifndef SM_H
#define SM_H
#include <stdint.h>
#include "flash_layout.h"

/* Pluton mailbox (docs/pluton.md): Secure World only. */
#define PLUTON_BASE        0x3F000000u
#define PLUTON_REG(off)    (*(volatile uint32_t *)(PLUTON_BASE + (off)))
#define PLUTON_CMD         PLUTON_REG(0x04)
#define PLUTON_ARG(n)      PLUTON_REG(0x08 + 4 * (n))
#define PLUTON_DOORBELL    PLUTON_REG(0x20)
#define PLUTON_STATUS      PLUTON_REG(0x24)
#define PLUTON_RESULT      PLUTON_REG(0x28)
#define PLUTON_RET(n)      PLUTON_REG(0x2C + 4 * (n))

#define PLUTON_SET_POSTCODE     0x02u
#define PLUTON_VERIFY_IMAGE     0x42u
#define PLUTON_SIGN_ATTESTATION 0x4Cu
#define PLUTON_GET_DEVICE_ID    0x64u

#define MEASURE_KERNEL        1u
#define MEASURE_APPLICATIONS  2u
#define IMAGE_TYPE_KERNEL     7u

/* Boot reports, sent to Pluton as postcodes (SetPostcode): only the Secure World can reach
   Pluton, so the host can trust them (docs/boot-chain.md). 0xKKSSEECC: KK kind, SS stage,
   EE flash table entry (0xFF: none), CC step or refusal code. */
#define REPORT_PROGRESS   0x53u  /* 'S' */
#define REPORT_REFUSED    0x52u  /* 'R' */
#define REPORT_REBOOT     0x42u  /* 'B' */
#define REPORT_POWER_DOWN 0x44u  /* 'D' */
#define STAGE_SM          1u
#define STAGE_KERNEL      2u
#define STAGE_APP         3u
#define STEP_STARTED      1u
#define STEP_VERIFIED     2u
#define STEP_ENTERED      3u
/* Refusal codes: Pluton's image status codes (0x10-0x15), and the Security Monitor's own. */
#define REFUSED_NOT_FOUND 0x20u  /* no such image in the flash table */
#define REFUSED_LAYOUT    0x21u  /* the payload's os_image_header is unusable */
#define NO_ENTRY          0xFFu

uint32_t pluton_call(uint32_t cmd, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
                     uint32_t a4, uint32_t ret[4]);
void report(uint32_t kind, uint32_t stage, uint32_t entry, uint32_t code);
_Noreturn void refuse(uint32_t stage, uint32_t entry, uint32_t code);

/* Flash table of contents (flash_layout.h), bounds-checked. */
const struct flash_table *flash_table(void);
uint32_t flash_entry_for(uint32_t address);  /* index of the entry at address, or NO_ENTRY */

/* Buffers handed over by the Normal World must be Normal-World memory. */
int ns_range_ok(uint32_t address, uint32_t size);

/* SMC services (services.c) and the RT-core loader (rtcore.c). */
void verified_add(uint32_t payload, uint32_t size);
int verified_contains(uint32_t address, uint32_t size);
uint32_t rtcore_start(uint32_t core, uint32_t elf, uint32_t size);
uint32_t rtcore_stop(uint32_t core);
void rtcore_lockup(void);
uint32_t rtcore_event(uint32_t core, uint32_t buffer, uint32_t *found);

void print_status(const char *what, uint32_t code);

/* The I/O firewall (firewall.c): owner SM_OWNER_*, or anything else for Secure-only. Comm
   windows are page granular; each IO core has one. */
#define FIREWALL_PAGE 0x1000u
void firewall_set_block(uint32_t block, uint32_t owner);
void firewall_set_window(uint32_t core, uint32_t address, uint32_t size);
#endif
