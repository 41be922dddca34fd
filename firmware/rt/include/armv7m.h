/* The ARMv7-M System Control Space registers and instructions the RT-app kit uses. */
#ifndef ARMV7M_H
#define ARMV7M_H
#include <stdint.h>

#define SCS_REG(off)   (*(volatile uint32_t *)(0xE000E000u + (off)))
#define SYST_CSR       SCS_REG(0x010)
#define SYST_RVR       SCS_REG(0x014)
#define SYST_CVR       SCS_REG(0x018)
#define NVIC_ISER(n)   SCS_REG(0x100 + 4 * (n))
#define NVIC_ICER(n)   SCS_REG(0x180 + 4 * (n))
#define NVIC_ISPR(n)   SCS_REG(0x200 + 4 * (n))
#define NVIC_ICPR(n)   SCS_REG(0x280 + 4 * (n))
#define NVIC_IABR(n)   SCS_REG(0x300 + 4 * (n))
#define NVIC_IPR8(n)   (*(volatile uint8_t *)(0xE000E400u + (n)))
#define SCB_ICSR       SCS_REG(0xD04)
#define SCB_VTOR       SCS_REG(0xD08)
#define SCB_AIRCR      SCS_REG(0xD0C)
#define SCB_SCR        SCS_REG(0xD10)
#define SCB_CCR        SCS_REG(0xD14)
#define SCB_SHPR8(n)   (*(volatile uint8_t *)(0xE000ED18u + (n) - 4))  /* n = exception number */
#define SCB_SHCSR      SCS_REG(0xD24)
#define SCB_CFSR       SCS_REG(0xD28)
#define SCB_HFSR       SCS_REG(0xD2C)
#define SCB_MMFAR      SCS_REG(0xD34)
#define SCB_BFAR       SCS_REG(0xD38)
#define SCB_CPACR      SCS_REG(0xD88)
#define NVIC_STIR      SCS_REG(0xF00)
#define FPU_FPCCR      SCS_REG(0xF34)

#define ICSR_PENDSVSET (1u << 28)
#define ICSR_PENDSVCLR (1u << 27)
#define ICSR_PENDSTSET (1u << 26)

/* MT3620 implements 3 priority bits: the top bits of each 8-bit priority field. */
#define PRIORITY(p)    ((uint8_t)((p) << 5))

static inline void nvic_enable(unsigned irq) { NVIC_ISER(irq / 32) = 1u << (irq % 32); }
static inline void nvic_disable(unsigned irq) { NVIC_ICER(irq / 32) = 1u << (irq % 32); }
static inline void nvic_pend(unsigned irq) { NVIC_ISPR(irq / 32) = 1u << (irq % 32); }
static inline void nvic_set_priority(unsigned irq, unsigned p) { NVIC_IPR8(irq) = PRIORITY(p); }

static inline void irq_enable(void) { __asm__ volatile("cpsie i" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cpsid i" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline void dsb_isb(void) { __asm__ volatile("dsb\n\tisb" ::: "memory"); }

/* DEMCR and the DWT (0xE0001000): CYCCNT counts core cycles while DWT_CTRL.CYCCNTENA and
   DEMCR.TRCENA are set. (Kept last: the line numbers of the inline functions above stay.) */
#define SCB_DEMCR      SCS_REG(0xDFC)
#define DEMCR_TRCENA   (1u << 24)
#define DWT_REG(off)   (*(volatile uint32_t *)(0xE0001000u + (off)))
#define DWT_CTRL       DWT_REG(0x000)
#define DWT_CYCCNT     DWT_REG(0x004)
#define DWT_LAR        DWT_REG(0xFB0)
#define DWT_LSR        DWT_REG(0xFB4)
#define DWT_CTRL_CYCCNTENA (1u << 0)
#define DWT_LAR_KEY    0xC5ACCE55u

#endif
