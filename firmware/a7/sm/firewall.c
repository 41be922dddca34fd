/* Programming the I/O firewall (docs/security.md): the ownership table of services.c made
   real. The Pluton ROM leaves the firewall enforcing with every slot and range Secure-only;
   the Security Monitor opens one slot to one owner per SM_PERIPHERAL_ACQUIRE and one range
   per IO core per SM_SET_COMM_BUFFER. Only the Secure World can reach these registers. */
#include <stdint.h>
#include "sm.h"
#include "sm_abi.h"

#define FW_BASE             0x30000000u
#define FW_REG(off)         (*(volatile uint32_t *)(FW_BASE + (off)))
#define FW_SLOT(n)          FW_REG(0x100 + 4 * (n))
#define FW_RANGE_BASE(k)    FW_REG(0x200 + 16 * (k))
#define FW_RANGE_SIZE(k)    FW_REG(0x204 + 16 * (k))
#define FW_RANGE_ACCESS(k)  FW_REG(0x208 + 16 * (k))
#define FW_I2S_DATA_SLOT    2u   /* an I2S block's data port: the slot two after it */

/* Read and write for one owner (docs/security.md: two bits per initiator, io0 first). */
static uint32_t access_for(uint32_t owner)
{
    return owner <= SM_OWNER_A7 ? 3u << (2 * owner) : 0;
}

void firewall_set_block(uint32_t block, uint32_t owner)
{
    uint32_t bits = access_for(owner);
    FW_SLOT(block) = bits;
    if (block == SM_BLOCK_I2S0 || block == SM_BLOCK_I2S1) FW_SLOT(block + FW_I2S_DATA_SLOT) = bits;
}

void firewall_set_window(uint32_t core, uint32_t address, uint32_t size)
{
    FW_RANGE_ACCESS(core) = 0;   /* never a moment with the new range and the old rights */
    FW_RANGE_BASE(core) = address;
    FW_RANGE_SIZE(core) = size;
    FW_RANGE_ACCESS(core) = access_for(core);
}
