/* MT3620 GPIO, PWM, GPIO counter (GPIOIF) and EINT registers as an IO core sees them,
   from the register facts MediaTek's OS-HAL drivers program (docs/peripherals.md, GPIO). */
#ifndef MT3620_GPIO_H
#define MT3620_GPIO_H
#include <stdint.h>
#include "mt3620.h"

/* GPIO0..23 live in six groups of four pins, one 64 KiB block each. */
#define GPIO_GRP_BASE(g)    (0x38010000u + (uint32_t)(g) * 0x10000u)
#define GPIO_BASE(pin)      GPIO_GRP_BASE((pin) / 4u)
#define GPIO_BIT(pin)       (1u << ((pin) % 4u))
#define GPIO_DIN(b)         REG32((b) + 0x04)   /* pad levels (read only) */
#define GPIO_DOUT(b)        REG32((b) + 0x10)   /* output latch */
#define GPIO_DOUT_SET(b)    REG32((b) + 0x14)   /* write 1s to set latch bits; reads 0 */
#define GPIO_DOUT_RESET(b)  REG32((b) + 0x18)   /* write 1s to clear latch bits; reads 0 */
#define GPIO_OE(b)          REG32((b) + 0x20)   /* 1 = output driver on */
#define GPIO_OE_SET(b)      REG32((b) + 0x24)
#define GPIO_OE_RESET(b)    REG32((b) + 0x28)
#define GPIO_PU(b)          REG32((b) + 0x30)   /* pull-up enable; bit31 = software controls pulls */
#define GPIO_PU_SET(b)      REG32((b) + 0x34)
#define GPIO_PU_RESET(b)    REG32((b) + 0x38)
#define GPIO_PD(b)          REG32((b) + 0x40)
#define GPIO_PD_SET(b)      REG32((b) + 0x44)
#define GPIO_PD_RESET(b)    REG32((b) + 0x48)
#define GPIO_IES(b)         REG32((b) + 0x60)   /* input buffer enable */
#define GPIO_IES_SET(b)     REG32((b) + 0x64)
#define GPIO_IES_RESET(b)   REG32((b) + 0x68)
#define GPIO_PAD_PU_SW      (1u << 31)

/* GPIO counter / capture ("GPIOIF"), group + 0x100. */
#define GPIOIF_STATIC_CTRL3(b)  REG32((b) + 0x10C)
#define GPIOIF_DYNAMIC_CTRL0(b) REG32((b) + 0x110)
#define GPIOIF_RST_VAL(b)       REG32((b) + 0x120)
#define GPIOIF_INT_EN(b)        REG32((b) + 0x130)
#define GPIOIF_INT_STS_CLR(b)   REG32((b) + 0x134)
#define GPIOIF_INT_STS(b)       REG32((b) + 0x138)
#define GPIOIF_COUNTER_VALUE(b) REG32((b) + 0x14C)
#define GPIOIF_EVENT_EDGE(e)    ((uint32_t)(e) << 16)   /* 0 rising, 1 falling, 2 both */
#define GPIOIF_EVENT_EN         (1u << 0)
#define GPIOIF_EVENT_SW_RST     (1u << 16)
#define GPIOIF_GLOBAL_CNT_EN    (1u << 0)               /* GLOBAL_CTRL (group + 0) */
#define GPIOIF_GLOBAL_CLK_EN    (1u << 3)
#define GPIO_GLOBAL_CTRL(b)     REG32((b) + 0x00)

/* PWM in groups 0..2, group + 0x1000; channel n drives pin 4g + n. */
#define PWM_BASE(g)           (GPIO_GRP_BASE(g) + 0x1000u)
#define PWM_GLO_CTRL(b)       REG32((b) + 0x000)
#define PWM_CTRL(b, n)        REG32((b) + 0x100 + 0x10 * (n))
#define PWM_PARAM_S0(b, n)    REG32((b) + 0x104 + 0x10 * (n))
#define PWM_PARAM_S1(b, n)    REG32((b) + 0x108 + 0x10 * (n))
#define PWM_GLO_CLK_XTAL      (2u << 1)        /* tick clock: 26 MHz */
#define PWM_GLO_DP_IDENTITY   0xE400u          /* dp_sel: PWMn drives pin n */
#define PWM_CTRL_KICK         (1u << 0)
#define PWM_CTRL_POLARITY     (1u << 2)
#define PWM_CTRL_CLK_EN       (1u << 4)
#define PWM_CTRL_S0_STAY(n)   ((uint32_t)(n) << 8)
#define PWM_PARAM(on, off)    (((uint32_t)(off) << 16) | (uint32_t)(on))

/* IRQ-config block of this IO core (EINT debounce and IRQ sense). */
#define IRQCFG_BASE           0x21000000u
#define EINT_DBNC_CON(n)      REG32(IRQCFG_BASE + 4u * (n))
#define EINT_DBNC_CNT(c)      ((uint32_t)(c) & 0xFu)
#define EINT_DBNC_PRESCALER(p) ((uint32_t)(p) << 4)  /* debounce clock 8 kHz >> p */
#define EINT_DBNC_DUAL        (1u << 7)               /* both edges */
#define EINT_DBNC_POL         (1u << 8)               /* 1 = low level / falling edge */
#define EINT_DBNC_EN          (1u << 9)
#define IRQ_SENS(n)           REG32(IRQCFG_BASE + 0x200 + 4u * (n))  /* 1 level, 0 edge */
#define CFG_IRQ_DIS(n)        REG32(IRQCFG_BASE + 0x600 + 4u * (n))
#define IRQ_EINT(n)           (20u + (n))

static inline void irq_set_edge(unsigned irq) { IRQ_SENS(irq / 32) &= ~(1u << (irq % 32)); }
static inline void irq_set_level(unsigned irq) { IRQ_SENS(irq / 32) |= 1u << (irq % 32); }

/* The MediaTek driver's debounce encoding: counts of an 8 kHz clock divided by 2^p. */
static inline uint32_t eint_debounce_ms(uint32_t ms)
{
    uint32_t count = ms * 8u, p = 0;
    while (count > 10u && p < 7u) { count /= 2u; p++; }
    return EINT_DBNC_EN | EINT_DBNC_PRESCALER(p) | EINT_DBNC_CNT(count);
}

/* MediaTek's way to make a pin an output or an input: RMW on the IES/OE registers. */
static inline void gpio_make_output(unsigned pin)
{
    uint32_t b = GPIO_BASE(pin);
    GPIO_IES_RESET(b) |= GPIO_BIT(pin);
    GPIO_OE_SET(b) |= GPIO_BIT(pin);
}

static inline void gpio_make_input(unsigned pin)
{
    uint32_t b = GPIO_BASE(pin);
    GPIO_OE_RESET(b) |= GPIO_BIT(pin);
    GPIO_IES(b) |= GPIO_BIT(pin);
}

static inline void gpio_write(unsigned pin, int level)
{
    uint32_t b = GPIO_BASE(pin);
    if (level) GPIO_DOUT(b) |= GPIO_BIT(pin); else GPIO_DOUT(b) &= ~GPIO_BIT(pin);
}

static inline int gpio_read(unsigned pin) { return (GPIO_DIN(GPIO_BASE(pin)) & GPIO_BIT(pin)) != 0; }

#endif
