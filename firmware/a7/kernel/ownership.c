/* Peripheral ownership from app manifests (docs/security.md). Each capability that names
   hardware claims the block it lives in: a GPIO its block of 4 (or the ISU, ADC or I2S
   block its pin belongs to), Uart/I2cMaster/SpiMaster ISUn that ISU, Pwm PWM-CONTROLLER-n
   GPIO block n, Adc the ADC block, I2sSubordinate I2Sn that I2S block. An app is started
   only once the Security Monitor has given every block it claims to its core; a block
   another app holds refuses the app, naming both and the block, before anything of it runs
   (as the real OS refuses a conflicting deployment). */
#include "a7.h"
#include "json.h"
#include "kernel.h"
#include "sm_abi.h"
#include "string.h"

static const char *const block_name[SM_BLOCK_COUNT] = {
    "ADC", "GPIO0-3", "GPIO4-7", "GPIO8-11", "GPIO12-15", "GPIO16-19", "GPIO20-23",
    "ISU0", "ISU1", "ISU2", "ISU3", "ISU4", "ISU5", "I2S0", "I2S1",
};
static const char *holder[SM_BLOCK_COUNT];   /* name of the app that holds each block */

/* The block a GPIO pin lives in (peripherals §2.1), or -1 for a pin of the A7's own. */
static int pin_block(int pin)
{
    if (pin < 24) return (int)SM_BLOCK_GPIO0 + pin / 4;
    if (pin >= 26 && pin <= 40) return (int)SM_BLOCK_ISU0 + (pin - 26) / 5;
    if (pin >= 41 && pin <= 48) return (int)SM_BLOCK_ADC;
    if (pin >= 56 && pin <= 65) return (int)SM_BLOCK_I2S0 + (pin - 56) / 5;
    if (pin >= 66 && pin <= 75) return (int)SM_BLOCK_ISU0 + 3 + (pin - 66) / 5;
    return -1;
}

/* Capabilities other than Gpio and Uart: strings "<prefix><digit>". */
static const char *claim_names(const char *caps, const char *end, const char *key,
                               const char *prefix, uint32_t first, uint32_t count,
                               struct manifest *m, uint32_t *listed)
{
    const char *v = json_member(caps, end, key);
    if (!v) return 0;
    size_t n = strlen(prefix);
    for (const char *e = json_array_first(v, end); e; e = json_array_next(e, end)) {
        char text[24];
        if (json_string(e, end, text, sizeof text) != (int)n + 1 || strncmp(text, prefix, n)
            || text[n] < '0' || (uint32_t)(text[n] - '0') >= count) return key;
        m->blocks |= 1u << (first + (uint32_t)(text[n] - '0'));
        *listed |= 1u << (text[n] - '0');
    }
    return 0;
}

const char *ownership_parse(const char *caps, const char *end, struct manifest *m)
{
    for (int pin = 0; pin < 96; pin++) {
        int b = m->gpio[pin / 32] >> (pin % 32) & 1u ? pin_block(pin) : -1;
        if (b >= 0) m->blocks |= 1u << b;
    }
    m->blocks |= m->uarts << SM_BLOCK_ISU0;
    uint32_t i2s = 0;
    const char *bad = claim_names(caps, end, "I2cMaster", "ISU", SM_BLOCK_ISU0, 5, m, &m->i2c);
    if (!bad) bad = claim_names(caps, end, "SpiMaster", "ISU", SM_BLOCK_ISU0, 5, m, &m->spi);
    if (!bad) bad = claim_names(caps, end, "Pwm", "PWM-CONTROLLER-", SM_BLOCK_GPIO0, 3, m, &m->pwm);
    if (!bad) bad = claim_names(caps, end, "Adc", "ADC-CONTROLLER-", SM_BLOCK_ADC, 1, m, &m->adc);
    if (!bad) bad = claim_names(caps, end, "I2sSubordinate", "I2S", SM_BLOCK_I2S0, 2, m, &i2s);
    return bad ? "bad peripheral capability" : 0;
}

static void release_blocks(uint32_t blocks, int owner)
{
    for (uint32_t b = 0; b < SM_BLOCK_COUNT; b++) {
        if (!(blocks >> b & 1u)) continue;
        smc_call_regs(SM_PERIPHERAL_RELEASE, (uint32_t)owner, b, 0);
        holder[b] = 0;
    }
}

int ownership_claim(const struct manifest *m, int owner)
{
    for (uint32_t b = 0; b < SM_BLOCK_COUNT; b++) {
        if (m->blocks >> b & 1u && holder[b]) {
            kprintf("[kernel] %s: refused: %s is already owned by %s\n", m->name,
                    block_name[b], holder[b]);
            return -1;
        }
    }
    uint32_t done = 0;
    for (uint32_t b = 0; b < SM_BLOCK_COUNT; b++) {
        if (!(m->blocks >> b & 1u)) continue;
        struct smc_result r = smc_call_regs(SM_PERIPHERAL_ACQUIRE, (uint32_t)owner, b, 0);
        if (r.r0 != SM_OK) {   /* the Security Monitor's own table disagrees: refuse too */
            kprintf("[kernel] %s: refused: the Security Monitor did not grant %s (status %#x)\n",
                    m->name, block_name[b], (unsigned)r.r0);
            release_blocks(done, owner);
            return -1;
        }
        holder[b] = m->name;
        done |= 1u << b;
    }
    return 0;
}

void ownership_release(const struct manifest *m, int owner)
{
    release_blocks(m->blocks, owner);
}
