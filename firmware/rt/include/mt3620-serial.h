/* MT3620 IO-core register map of the serial engines, DMA, ADC, watchdog, I2S and RGU, as the
   published MediaTek (OS-HAL/HDL) and Codethink drivers program them
   (shared/reference/mt3620-peripherals.md sections 4-9). */
#ifndef MT3620_SERIAL_H
#define MT3620_SERIAL_H
#include <stdint.h>
#include "mt3620.h"

/* ---- ISU n (0x38070000 + n * 0x10000) ---------------------------------------------- */
#define ISU_BASE(n)          (0x38070000u + (n) * 0x10000u)
#define ISU_GLOBAL_CTRL(n)   REG32(ISU_BASE(n) + 0x000)
#define ISU_CR_SW_RST        (1u << 0)
#define ISU_I2C_CLK_EN       (1u << 8)
#define ISU_SPIM_CLK_EN      (0xFu << 9)

/* I2C (ISU + 0x200) */
#define I2C_BASE(n)          (ISU_BASE(n) + 0x200u)
#define I2C_INT_CTRL(n)      REG32(I2C_BASE(n) + 0x00)
#define I2C_MM_INT_STA       (1u << 0)
#define I2C_MM_INT_EN        (1u << 1)
#define I2C_S_INT_STA        (1u << 4)
#define I2C_S_INT_EN         (1u << 5)
#define I2C_MM_PAD_CON0(n)   REG32(I2C_BASE(n) + 0x40)
#define I2C_MM_CNT_VAL_PHL(n) REG32(I2C_BASE(n) + 0x44)
#define I2C_MM_CNT_VAL_PHH(n) REG32(I2C_BASE(n) + 0x48)
#define I2C_MM_CNT_BYTE_VAL_PK(n, k) REG32(I2C_BASE(n) + 0x54 + 4 * (k))
#define I2C_MM_ID_CON0(n)    REG32(I2C_BASE(n) + 0x60)
#define I2C_MM_PACK_CON0(n)  REG32(I2C_BASE(n) + 0x68)
#define I2C_PACK_READ(k)     (1u << (k))
#define I2C_PACK_COUNT(c)    (((c) - 1u) << 4)
#define I2C_MM_ACK_VAL(n)    REG32(I2C_BASE(n) + 0x6C)
#define I2C_ACK_ID_NACK(k)   (1u << (8 + (k)))
#define I2C_MM_CON0(n)       REG32(I2C_BASE(n) + 0x70)
#define I2C_MM_START_EN      (1u << 0)
#define I2C_MM_GMODE         (1u << 14)
#define I2C_MASTER_EN        (1u << 15)
#define I2C_MM_STATUS(n)     REG32(I2C_BASE(n) + 0x74)
#define I2C_BUS_BUSY         (1u << 0)
#define I2C_MM_ARB_LOSE      (1u << 1)
#define I2C_MM_START_READY   (1u << 2)
#define I2C_MM_FIFO_CON0(n)  REG32(I2C_BASE(n) + 0x78)
#define I2C_FIFO_CLR_RX      (1u << 0)
#define I2C_FIFO_CLR_TX      (1u << 1)
#define I2C_MM_FIFO_STATUS(n) REG32(I2C_BASE(n) + 0x80)
#define I2C_FIFO_RX_EMP      (1u << 0)
#define I2C_FIFO_TX_EMP      (1u << 4)
#define I2C_MM_FIFO_PTR(n)   REG32(I2C_BASE(n) + 0x84)
#define I2C_MM_FIFO_DATA(n)  REG32(I2C_BASE(n) + 0x90)
#define I2C_MM_FIFO_DATA_ADDR(n) (I2C_BASE(n) + 0x90)
#define I2C_DMA_CON0(n)      REG32(I2C_BASE(n) + 0xC0)
#define I2C_DMA_HS_EN        (1u << 4)
#define I2C_S_CON0(n)        REG32(I2C_BASE(n) + 0xC4)
#define I2C_SLAVE_EN         (1u << 15)
#define I2C_S_ID_CON0(n)     REG32(I2C_BASE(n) + 0xC8)
#define I2C_S_ID_RECEIVED0(n) REG32(I2C_BASE(n) + 0xCC)
#define I2C_S_FIFO_CON0(n)   REG32(I2C_BASE(n) + 0xD8)
#define I2C_S_FIFO_STATUS(n) REG32(I2C_BASE(n) + 0xE0)
#define I2C_S_FIFO_PTR(n)    REG32(I2C_BASE(n) + 0xE4)
#define I2C_S_FIFO_DATA(n)   REG32(I2C_BASE(n) + 0xF0)
#define I2C_FIFO_DEPTH       8u
#define IRQ_ISU_I2C(n)       (44u + 4u * (n))

/* SPI master (ISU + 0x300) */
#define SPIM_BASE(n)         (ISU_BASE(n) + 0x300u)
#define SPIM_STCSR(n)        REG32(SPIM_BASE(n) + 0x00)
#define SPIM_START           (1u << 8)
#define SPIM_BUSY            (1u << 16)
#define SPIM_SOAR(n)         REG32(SPIM_BASE(n) + 0x04)
#define SPIM_SDOR(n, i)      REG32(SPIM_BASE(n) + 0x08 + 4 * (i))
#define SPIM_SMMR(n)         REG32(SPIM_BASE(n) + 0x28)
#define SPIM_SMMR_MORE_BUF   (1u << 2)
#define SPIM_SMMR_LSB_FIRST  (1u << 3)
#define SPIM_SMMR_CPOL       (1u << 4)
#define SPIM_SMMR_CPHA       (1u << 5)
#define SPIM_SMMR_INT_EN     (1u << 9)
#define SPIM_SMMR_FULL_DUPLEX (1u << 10)
#define SPIM_SMMR_DIV(d)     ((uint32_t)(d) << 16)
#define SPIM_SMMR_CS(c)      ((uint32_t)(c) << 29)
#define SPIM_SMBCR(n)        REG32(SPIM_BASE(n) + 0x2C)
#define SPIM_SMBCR_MOSI_BITS(b) ((uint32_t)(b))
#define SPIM_SMBCR_MISO_BITS(b) ((uint32_t)(b) << 12)
#define SPIM_SMBCR_CMD_BITS(b)  ((uint32_t)(b) << 24)
#define SPIM_SCSR(n)         REG32(SPIM_BASE(n) + 0x34)
#define SPIM_SCSR_OK         (1u << 0)
#define SPIM_CSPOL(n)        REG32(SPIM_BASE(n) + 0x38)
#define SPIM_CSPOL_DMA       (1u << 8)
#define SPIM_DATAPORT_ADDR(n) (SPIM_BASE(n) + 0x40)
#define SPIM_SDIR(n, i)      REG32(SPIM_BASE(n) + 0x48 + 4 * (i))
#define SPIM_CLOCK_HZ        80000000u
#define IRQ_ISU_SPIM(n)      (45u + 4u * (n))

/* SPI slave (ISU + 0x400): our loopback register set, docs/peripherals.md */
#define SPIS_BASE(n)         (ISU_BASE(n) + 0x400u)
#define SPIS_CTRL(n)         REG32(SPIS_BASE(n) + 0x00)
#define SPIS_EN              (1u << 0)
#define SPIS_CPOL            (1u << 1)
#define SPIS_CPHA            (1u << 2)
#define SPIS_IRQ_EN          (1u << 3)
#define SPIS_IRQ_STA(n)      REG32(SPIS_BASE(n) + 0x04)
#define SPIS_IRQ_H2DMB       (1u << 0)
#define SPIS_IRQ_RX          (1u << 1)
#define SPIS_IRQ_TX          (1u << 2)
#define SPIS_H2DMB(n)        REG32(SPIS_BASE(n) + 0x08)
#define SPIS_RX(n, i)        REG32(SPIS_BASE(n) + 0x10 + 4 * (i))
#define SPIS_TX(n, i)        REG32(SPIS_BASE(n) + 0x30 + 4 * (i))
#define SPIS_RX_COUNT(n)     REG32(SPIS_BASE(n) + 0x50)
#define SPIS_STATUS(n)       REG32(SPIS_BASE(n) + 0x60)
#define SPIS_D2HMB(n)        REG32(SPIS_BASE(n) + 0x68)
#define SPIS_OP_WRITE_RX     0x1u           /* opcodes of MediaTek's mhal_spis.h */
#define SPIS_OP_READ_TX      0x2u
#define SPIS_OP_STATUS       0x3u
#define SPIS_OP_SEND_H2DMB   0xAu
#define SPIS_READY           1u
#define SPIS_DONE            2u
#define SPIS_H2DMB_WRITE(dw) (0x40u | 0x20u | ((dw) & 0xFu))   /* SET_TRANSFER_H2DMB(1, 0, dw) */
#define IRQ_ISU_SPIS(n)      (46u + 4u * (n))

/* ---- DMA (0x21080000, per IO core) -------------------------------------------------- */
#define DMA_CH_BASE(c)       (0x21080000u + 0x100u * (c))
#define DMA_SRC(c)           REG32(DMA_CH_BASE(c) + 0x00)
#define DMA_DST(c)           REG32(DMA_CH_BASE(c) + 0x04)
#define DMA_WPPT(c)          REG32(DMA_CH_BASE(c) + 0x08)
#define DMA_WPTO(c)          REG32(DMA_CH_BASE(c) + 0x0C)
#define DMA_COUNT(c)         REG32(DMA_CH_BASE(c) + 0x10)
#define DMA_CON(c)           REG32(DMA_CH_BASE(c) + 0x14)
#define DMA_CON_SIZE(s)      ((uint32_t)(s))       /* 0 byte, 1 half, 2 word */
#define DMA_CON_SINC         (1u << 2)
#define DMA_CON_DINC         (1u << 3)
#define DMA_CON_DREQ         (1u << 4)
#define DMA_CON_HITEN        (1u << 13)
#define DMA_CON_TOEN         (1u << 14)
#define DMA_CON_ITEN         (1u << 15)
#define DMA_CON_DIR_RX       (1u << 18)
#define DMA_START(c)         REG32(DMA_CH_BASE(c) + 0x18)
#define DMA_STR              (1u << 15)
#define DMA_INTSTA(c)        REG32(DMA_CH_BASE(c) + 0x1C)
#define DMA_ACKINT(c)        REG32(DMA_CH_BASE(c) + 0x20)
#define DMA_INT_HALF         (1u << 13)
#define DMA_INT_DONE         (1u << 15)
#define DMA_INT_TIMEOUT      (1u << 16)
#define DMA_RLCT(c)          REG32(DMA_CH_BASE(c) + 0x24)
#define DMA_PGMADDR(c)       REG32(DMA_CH_BASE(c) + 0x2C)
#define DMA_FFCNT(c)         REG32(DMA_CH_BASE(c) + 0x38)
#define DMA_FFSTA(c)         REG32(DMA_CH_BASE(c) + 0x3C)
#define DMA_FFSTA_FULL       (1u << 0)
#define DMA_FFSTA_EMPTY      (1u << 1)
#define DMA_FFSIZE(c)        REG32(DMA_CH_BASE(c) + 0x44)
#define DMA_TO(c)            REG32(DMA_CH_BASE(c) + 0x50)
#define DMA_HWPTR(c)         REG32(DMA_CH_BASE(c) + 0x58)
#define DMA_SWPTR(c)         REG32(DMA_CH_BASE(c) + 0x5C)
#define DMA_FIXADDR(c)       REG32(DMA_CH_BASE(c) + 0x60)
#define DMA_GLBSTA0          REG32(0x21084000u)
#define DMA_GLBSTA1          REG32(0x21084004u)
#define DMA_CH_EN_SET        REG32(0x21084024u)
#define DMA_CH_EN_CLR        REG32(0x21084028u)
#define DMA_CLR_DREQ         REG32(0x21084058u)
#define DMA_CH_ISU_TX(n)     (2u * (n))
#define DMA_CH_ISU_RX(n)     (2u * (n) + 1u)
#define DMA_CH_M2M           12u
#define DMA_CH_UART_TX(n)    (13u + 2u * (n))
#define DMA_CH_UART_RX(n)    (14u + 2u * (n))
#define DMA_CH_I2S_TX(i)     (25u + 2u * (i))
#define DMA_CH_I2S_RX(i)     (26u + 2u * (i))
#define DMA_CH_ADC           29u
#define IRQ_DMA              77u

/* ISU UART DMA extras */
#define UART_VFIFO_EN(b)     REG32((b) + 0x4C)
#define UART_EXTEND_ADD(b)   REG32((b) + 0x64)

/* ---- ADC (0x38000000) ---------------------------------------------------------------- */
#define ADC_GLOBAL_CTRL      REG32(0x38000000u)
#define ADC_CTL0             REG32(0x38000100u)
#define ADC_CTL0_FSM_EN      (1u << 0)
#define ADC_CTL0_PMODE       (1u << 8)
#define ADC_CTL0_T_CH(t)     ((uint32_t)(t) << 4)
#define ADC_CTL0_T_INIT(t)   ((uint32_t)(t) << 9)
#define ADC_CTL0_CH_MAP(m)   ((uint32_t)(m) << 16)
#define ADC_REG_PERIOD       REG32(0x38000104u)
#define ADC_CTL3             REG32(0x3800010Cu)
#define ADC_FIFO_RBR         REG32(0x38000200u)
#define ADC_FIFO_ADDR        0x38000200u
#define ADC_FIFO_IER         REG32(0x38000204u)
#define ADC_FIFO_IER_RXFEN   (1u << 0)
#define ADC_FIFO_DMA_EN      REG32(0x3800024Cu)
#define ADC_FIFO_TRI_LVL     REG32(0x38000260u)
#define ADC_TRI_LVL(n)       ((uint32_t)(n) << 2)
#define ADC_FIFO_DEBUG16     REG32(0x380002D4u)
#define ADC_CLOCK_HZ         2000000u
#define IRQ_ADC              70u

/* ---- Watchdog (0x21020000, per IO core) ---------------------------------------------- */
#define WDT_MODE             REG32(0x21020030u)
#define WDT_MODE_KEY         0x2200u
#define WDT_MODE_EN          (1u << 0)
#define WDT_MODE_IRQ         (1u << 3)
#define WDT_LENGTH           REG32(0x21020034u)
#define WDT_LENGTH_KEY       0x08u
#define WDT_LENGTH_TICKS(t)  ((uint32_t)(t) << 5)
#define WDT_RESTART          REG32(0x21020038u)
#define WDT_RESTART_KEY      0x1971u
#define WDT_STA              REG32(0x2102003Cu)
#define WDT_STA_HW           (1u << 15)
#define WDT_STA_SW           (1u << 14)
#define WDT_SWRST            REG32(0x21020044u)
#define WDT_SWRST_KEY        0x1209u
#define IRQ_WDT              3u

/* ---- I2S (controller 0x380D0000 + i * 0x10000, data port 0x380F0000 + i * 0x10000) --- */
#define I2S_BASE(i)          (0x380D0000u + (i) * 0x10000u)
#define I2S_GLB_CONTROL(i)   REG32(I2S_BASE(i) + 0x00)
#define I2S_DL_CONTROL(i)    REG32(I2S_BASE(i) + 0x04)
#define I2S_UL_CONTROL(i)    REG32(I2S_BASE(i) + 0x08)
#define I2S_SW_RESET(i)      REG32(I2S_BASE(i) + 0x0C)
#define I2S_DL_FIFO_W_CONTROL(i) REG32(I2S_BASE(i) + 0x10)
#define I2S_DL_FIFO_R_CONTROL(i) REG32(I2S_BASE(i) + 0x14)
#define I2S_UL_FIFO_W_CONTROL(i) REG32(I2S_BASE(i) + 0x18)
#define I2S_UL_FIFO_R_CONTROL(i) REG32(I2S_BASE(i) + 0x1C)
#define I2S_DMA_IF_CONTROL(i) REG32(I2S_BASE(i) + 0x30)
#define I2S_DATA_PORT(i)     (0x380F0000u + (i) * 0x10000u)
#define I2S_DATA(i)          REG32(I2S_DATA_PORT(i))
#define I2S_EN               (1u << 0)
#define I2S_DLFIFO_EN        (1u << 1)
#define I2S_ULFIFO_EN        (1u << 2)
#define I2S_ENGEN_EN         (1u << 3)
#define I2S_LOOPBACK         (1u << 31)
#define I2S_LINK_EN          (1u << 0)      /* DL_CONTROL.DL_EN / UL_CONTROL.UL_EN */
#define I2S_FMT_I2S          (1u << 3)
#define I2S_SR(code)         ((uint32_t)(code) << 8)  /* 0 8k, 2 12k, 4 16k, 6 24k, 8 32k, 10 48k */
#define I2S_SR_48K           I2S_SR(0xA)
#define I2S_WS_RESYNC        (1u << 15)
#define I2S_UL_UPDATE_WORD(n) ((uint32_t)(n) << 24)
#define I2S_SW_RST_ALL       0x3u           /* SW_RST | GLB_SW_RST, as MediaTek resets */
#define I2S_FIFO_EMPTY       (1u << 1)      /* in the *_FIFO_R_CONTROL words */
#define I2S_FIFO_COUNT(w)    (((w) >> 8) & 0xFFu)
#define I2S_DMAIF_DL_SINGLE  0x1u
#define I2S_DMAIF_UL_SINGLE  (0x1u << 16)

/* ---- RGU (0x21010000, per IO core) ---------------------------------------------------- */
#define RGU_HCLK_CK_CTRL     REG32(0x2101000Cu)

/* SYSRAM of this IO core: where DMA buffers live (MediaTek's OS-HAL accepts only these). */
#define SYSRAM_BASE          0x22000000u

#endif
