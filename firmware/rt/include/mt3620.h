/* MT3620 IO-core registers used by the RT-app kit (addresses: docs/board-format.md). */
#ifndef MT3620_H
#define MT3620_H
#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

/* Debug UART of this IO core, and the ISU UARTs (16550-like, 32-bit register stride). */
#define IO_UART_BASE      0x21040000u
#define ISU_UART_BASE(n)  (0x38070500u + (n) * 0x10000u)
#define UART_THR(b)  REG32((b) + 0x00)
#define UART_RBR(b)  REG32((b) + 0x00)
#define UART_DLL(b)  REG32((b) + 0x00)
#define UART_IER(b)  REG32((b) + 0x04)
#define UART_DLM(b)  REG32((b) + 0x04)
#define UART_IIR(b)  REG32((b) + 0x08)
#define UART_FCR(b)  REG32((b) + 0x08)
#define UART_LCR(b)  REG32((b) + 0x0C)
#define UART_MCR(b)  REG32((b) + 0x10)
#define UART_LSR(b)  REG32((b) + 0x14)
#define UART_LSR_DR    (1u << 0)
#define UART_LSR_THRE  (1u << 5)
#define UART_IER_ERBFI (1u << 0)
#define UART_IER_ETBEI (1u << 1)
#define UART_MSR(b)  REG32((b) + 0x18)
#define UART_SCR(b)  REG32((b) + 0x1C)
#define UART_FCR_RD(b) REG32((b) + 0x5C)
#define UART_LSR_OE    (1u << 1)
#define UART_LSR_TEMT  (1u << 6)
#define UART_IER_ELSI  (1u << 2)
#define UART_IIR_ID(v)      ((v) & 0x1Fu)
#define UART_IIR_NONE       0x01u
#define UART_IIR_THR_EMPTY  0x02u
#define UART_IIR_RX_DATA    0x04u
#define UART_IIR_LINE       0x06u
#define UART_IIR_RX_TIMEOUT 0x0Cu
#define UART_FCR_FIFOE (1u << 0)
#define UART_FCR_CLRR  (1u << 1)
#define UART_FCR_CLRT  (1u << 2)
#define UART_MCR_LOOP  (1u << 4)
#define UART_FIFO_DEPTH 16u

/* General-purpose timers. */
#define GPT_BASE       0x21030000u
#define GPT_ISR        REG32(GPT_BASE + 0x00)
#define GPT_IER        REG32(GPT_BASE + 0x04)
#define GPT0_CTRL      REG32(GPT_BASE + 0x10)
#define GPT0_ICNT      REG32(GPT_BASE + 0x14)
#define GPT1_CTRL      REG32(GPT_BASE + 0x20)
#define GPT1_ICNT      REG32(GPT_BASE + 0x24)
#define GPT2_CTRL      REG32(GPT_BASE + 0x30)
#define GPT2_CNT       REG32(GPT_BASE + 0x34)
#define GPT0_CNT       REG32(GPT_BASE + 0x40)
#define GPT1_CNT       REG32(GPT_BASE + 0x44)
#define GPT3_CTRL      REG32(GPT_BASE + 0x50)
#define GPT3_INIT      REG32(GPT_BASE + 0x54)
#define GPT3_CNT       REG32(GPT_BASE + 0x58)
#define GPT3_EXPIRE    REG32(GPT_BASE + 0x5C)
#define GPT_CTRL_EN       (1u << 0)
#define GPT_CTRL_REPEAT   (1u << 1)
#define GPT_CTRL_32KHZ    (1u << 2)
#define GPT_CTRL_RESTART  (1u << 3)
#define GPT2_CTRL_32KHZ   (1u << 1)
#define GPT3_CTRL_ICLR    (1u << 15)
#define GPT3_OSC_CNT_1US(n) ((uint32_t)(n) << 16)   /* GPT3 ticks at 26 MHz / (n + 1) */
#define GPT4_CTRL      REG32(GPT_BASE + 0x60)
#define GPT4_INIT      REG32(GPT_BASE + 0x64)
#define GPT4_CNT       REG32(GPT_BASE + 0x68)
#define GPT4_CTRL_HCLK    (1u << 1)                 /* else HCLK / 2 */

/* Interrupt numbers (NVIC inputs). */
#define IRQ_GPT01      1
#define IRQ_GPT3       2
#define IRQ_IO_UART    4
#define IRQ_ISU_UART(n) (47 + 4 * (n))

#endif
