/* IO-core DMA self-test, programmed in the order MediaTek's OS-HAL/M-HAL drives the engine
   (CH_EN_SET read-modify-write, STR=0, CON, addresses, COUNT, STR=1, ACKINT in the ISR):

   - memory to memory (full-size channel 12): 4 KiB in words, interrupt on completion,
     RLCT and GLBSTA RUN/IT while running and after, the time it takes at one word per
     197.6 MHz bus cycle;
   - I2C by DMA (half-size channels 2/3 of ISU1, handshake at MM_FIFO_DATA): a 32-byte
     EEPROM page written from memory and read back into memory, > 8 bytes as the drivers do.

   Buffers live in this core's SYSRAM (MediaTek's OS-HAL accepts only SYSRAM for DMA).
   One PASS/FAIL line per check, then "dma-selftest: P passed, F failed". */
#include "armv7m.h"
#include "mt3620.h"
#include "mt3620-serial.h"
#include "rtprint.h"
#include "selftest.h"

extern const uintptr_t ExceptionVectorTable[];

#define ISU 1u
#define EEPROM 0x50u
#define SRC_BUF ((volatile uint32_t *)(SYSRAM_BASE + 0x0000))
#define DST_BUF ((volatile uint32_t *)(SYSRAM_BASE + 0x1000))
#define I2C_TX  ((volatile uint8_t *)(SYSRAM_BASE + 0x2000))
#define I2C_RX  ((volatile uint8_t *)(SYSRAM_BASE + 0x2100))

static volatile uint32_t dma_irqs, dma_done_mask, i2c_irqs;

void IRQ77_Handler(void)                        /* DMA: ack every channel with IT set */
{
    dma_irqs++;
    uint32_t g0 = DMA_GLBSTA0, g1 = DMA_GLBSTA1;
    for (uint32_t ch = 0; ch < 30; ch++) {
        uint32_t it = ch < 16 ? (g0 >> (2 * ch + 1)) & 1 : (g1 >> (2 * (ch - 16) + 1)) & 1;
        if (!it) continue;
        uint32_t sta = DMA_INTSTA(ch);
        if (sta & DMA_INT_DONE) dma_done_mask |= 1u << ch;
        DMA_ACKINT(ch) = sta;
    }
}

void IRQ48_Handler(void)                        /* ISU1 I2C */
{
    uint32_t ctrl = I2C_INT_CTRL(ISU);
    if (ctrl & I2C_MM_INT_STA) i2c_irqs++;
    I2C_INT_CTRL(ISU) = ctrl;
}



static void wait_mask(volatile uint32_t *v, uint32_t bits)
{
    for (;;) {
        irq_disable();
        if ((*v & bits) == bits) { irq_enable(); return; }
        wfi();
        irq_enable();
    }
}

static void wait_count(volatile uint32_t *v, uint32_t target)
{
    for (;;) {
        irq_disable();
        if (*v >= target) { irq_enable(); return; }
        wfi();
        irq_enable();
    }
}

static void channel_open(uint32_t ch)
{
    DMA_CH_EN_SET |= 1u << ch;                  /* MediaTek RMWs it: it must read 0 */
    DMA_START(ch) = 0;
}

static void test_memory_to_memory(void)
{
    const uint32_t words = 1024;
    for (uint32_t i = 0; i < words; i++) { SRC_BUF[i] = i * 0x01010101u ^ 0xA5A55A5Au; DST_BUF[i] = 0; }
    channel_open(DMA_CH_M2M);
    check("CH_EN_SET reads 0", DMA_CH_EN_SET, 0);
    DMA_CON(DMA_CH_M2M) = DMA_CON_SIZE(2) | DMA_CON_SINC | DMA_CON_DINC | DMA_CON_ITEN;
    DMA_SRC(DMA_CH_M2M) = (uint32_t)SRC_BUF;
    DMA_DST(DMA_CH_M2M) = (uint32_t)DST_BUF;
    DMA_COUNT(DMA_CH_M2M) = words;
    dma_done_mask = 0;
    uint32_t t0 = GPT3_CNT;
    DMA_START(DMA_CH_M2M) = DMA_STR;
    uint32_t run = (DMA_GLBSTA0 >> (2 * DMA_CH_M2M)) & 1;
    uint32_t rlct = DMA_RLCT(DMA_CH_M2M);
    uint32_t untouched = DST_BUF[words - 1];
    wait_mask(&dma_done_mask, 1u << DMA_CH_M2M);
    uint32_t t1 = GPT3_CNT;
    check("running: GLBSTA0 RUN bit", run, 1);
    check("running: RLCT below COUNT and above 0", rlct > 0 && rlct < words, 1);
    check("destination untouched while running", untouched, 0);
    uint32_t bad = 0;
    for (uint32_t i = 0; i < words; i++) bad += DST_BUF[i] != SRC_BUF[i];
    check("4 KiB copied intact (mismatching words)", bad, 0);
    check("RLCT after completion", DMA_RLCT(DMA_CH_M2M), 0);
    check("RUN and IT clear after the ack", (DMA_GLBSTA0 >> (2 * DMA_CH_M2M)) & 3, 0);
    /* 1024 words at one per 197.6 MHz cycle = 5.18 us, plus the interrupt handler */
    check_range("copy time at 197.6 MHz, us", t1 - t0, 5, 7);
}

static void i2c_start_dma(uint32_t wlen, uint32_t rlen)
{
    ISU_GLOBAL_CTRL(ISU) &= ~ISU_CR_SW_RST;
    ISU_GLOBAL_CTRL(ISU) |= ISU_CR_SW_RST | ISU_I2C_CLK_EN;
    I2C_MM_FIFO_CON0(ISU) = I2C_FIFO_CLR_RX | I2C_FIFO_CLR_TX;
    I2C_INT_CTRL(ISU) = I2C_MM_INT_STA;
    I2C_MM_PAD_CON0(ISU) = 0x81;
    I2C_MM_CNT_VAL_PHL(ISU) = 24u | 24u << 8;      /* 400 kHz */
    I2C_MM_CNT_VAL_PHH(ISU) = 24u | 24u << 8;
    I2C_MM_CON0(ISU) = I2C_MASTER_EN | I2C_MM_GMODE;
    I2C_MM_ID_CON0(ISU) = EEPROM;
    uint32_t packets = 0, dirs = 0;
    I2C_MM_CNT_BYTE_VAL_PK(ISU, packets++) = wlen;
    if (rlen) { dirs |= I2C_PACK_READ(packets); I2C_MM_CNT_BYTE_VAL_PK(ISU, packets++) = rlen; }
    I2C_MM_PACK_CON0(ISU) = dirs | I2C_PACK_COUNT(packets);
    I2C_DMA_CON0(ISU) = I2C_DMA_HS_EN;
    I2C_INT_CTRL(ISU) = I2C_MM_INT_EN;
    I2C_MM_CON0(ISU) |= I2C_MM_START_EN;
}

static void dma_half(uint32_t ch, uint32_t dir_rx, volatile uint8_t *buf, uint32_t count)
{
    channel_open(ch);
    DMA_CON(ch) = DMA_CON_SIZE(0) | DMA_CON_DREQ | DMA_CON_ITEN |
                  (dir_rx ? DMA_CON_DIR_RX | DMA_CON_DINC : DMA_CON_SINC);
    DMA_PGMADDR(ch) = (uint32_t)buf;
    DMA_FIXADDR(ch) = I2C_MM_FIFO_DATA_ADDR(ISU);
    DMA_COUNT(ch) = count;
    DMA_START(ch) = DMA_STR;
}

static void test_i2c_by_dma(void)
{
    I2C_TX[0] = 0x02; I2C_TX[1] = 0x00;          /* EEPROM address 0x0200 (a page start) */
    for (uint32_t i = 0; i < 32; i++) { I2C_TX[2 + i] = (uint8_t)(0xC0 + i); I2C_RX[i] = 0; }
    dma_done_mask = 0;
    uint32_t irqs = i2c_irqs;
    dma_half(DMA_CH_ISU_TX(ISU), 0, I2C_TX, 34);
    i2c_start_dma(34, 0);
    wait_count(&i2c_irqs, irqs + 1);
    check("page write by DMA: ACK_VAL", I2C_MM_ACK_VAL(ISU), 0);
    check("TX channel RLCT", DMA_RLCT(DMA_CH_ISU_TX(ISU)), 0);
    check("TX channel completion interrupt", (dma_done_mask >> DMA_CH_ISU_TX(ISU)) & 1, 1);

    dma_done_mask = 0;
    dma_half(DMA_CH_ISU_TX(ISU), 0, I2C_TX, 2);
    dma_half(DMA_CH_ISU_RX(ISU), 1, I2C_RX, 32);
    i2c_start_dma(2, 32);
    wait_mask(&dma_done_mask, 1u << DMA_CH_ISU_RX(ISU));  /* MediaTek: RX completion = done */
    check("read by DMA: ACK_VAL", I2C_MM_ACK_VAL(ISU), 0);
    uint32_t bad = 0;
    for (uint32_t i = 0; i < 32; i++) bad += I2C_RX[i] != (uint8_t)(0xC0 + i);
    check("32 bytes read back by DMA (mismatches)", bad, 0);
    check("RX FIFO bypassed: FIFO_STATUS", I2C_MM_FIFO_STATUS(ISU), 0x11);
    I2C_DMA_CON0(ISU) = 0;
}

#define UART_TX_VFF ((volatile uint8_t *)(SYSRAM_BASE + 0x3000))
#define UART_RX_VFF ((volatile uint8_t *)(SYSRAM_BASE + 0x3100))

static void vff_open(uint32_t ch, uint32_t rx, volatile uint8_t *ring, uint32_t size,
                     uint32_t threshold)
{
    DMA_CH_EN_SET |= 1u << ch;
    DMA_START(ch) = 0;
    DMA_PGMADDR(ch) = (uint32_t)ring;
    DMA_FFSIZE(ch) = size;
    DMA_COUNT(ch) = threshold;
    DMA_FIXADDR(ch) = ISU_UART_BASE(0);
    DMA_SWPTR(ch) = 0;
    DMA_CON(ch) = DMA_CON_SIZE(0) | DMA_CON_DREQ | DMA_CON_ITEN | (rx ? DMA_CON_DIR_RX : 0);
    DMA_START(ch) = DMA_STR;
}

/* ISU0's UART by virtual-FIFO DMA (channels 13/14), MediaTek's order: VFIFO_EN, then the
   handshakes in EXTEND_ADD. TX: bytes copied into the ring, SWPTR advanced; they leave on
   ISU0's port. RX, with the UART in loopback: what is sent arrives in the RX ring and the
   threshold interrupt fires. */
static void test_uart_by_dma(void)
{
    static const char text[] = "ISU0 by DMA\r\n";
    const uint32_t len = sizeof text - 1;
    uint32_t base = ISU_UART_BASE(0);
    UART_LCR(base) = 0x03;
    UART_FCR(base) = UART_FCR_FIFOE | UART_FCR_CLRR | UART_FCR_CLRT;
    UART_VFIFO_EN(base) = 1;
    dma_done_mask = 0;
    vff_open(DMA_CH_UART_TX(0), 0, UART_TX_VFF, 64, 1);
    for (uint32_t i = 0; i < len; i++) UART_TX_VFF[i] = (uint8_t)text[i];
    UART_EXTEND_ADD(base) = 0x2;                 /* TX handshake */
    DMA_SWPTR(DMA_CH_UART_TX(0)) = len;
    check("TX ring drained: FFCNT", DMA_FFCNT(DMA_CH_UART_TX(0)), 0);
    check("TX ring drained: FFSTA EMPTY", DMA_FFSTA(DMA_CH_UART_TX(0)) & DMA_FFSTA_EMPTY, 2);

    UART_MCR(base) = UART_MCR_LOOP;
    vff_open(DMA_CH_UART_RX(0), 1, UART_RX_VFF, 32, 4);
    UART_EXTEND_ADD(base) = 0x3;                 /* RX and TX handshakes */
    for (uint32_t i = 0; i < 4; i++) UART_TX_VFF[len + i] = (uint8_t)("ping"[i]);
    DMA_SWPTR(DMA_CH_UART_TX(0)) = len + 4;
    wait_mask(&dma_done_mask, 1u << DMA_CH_UART_RX(0));
    check("RX ring: FFCNT at the threshold interrupt", DMA_FFCNT(DMA_CH_UART_RX(0)), 4);
    check("RX ring: the looped-back bytes",
          UART_RX_VFF[0] | UART_RX_VFF[1] << 8 | UART_RX_VFF[2] << 16 | (uint32_t)UART_RX_VFF[3] << 24,
          'p' | 'i' << 8 | 'n' << 16 | (uint32_t)'g' << 24);
    check("RX FIFO of the UART bypassed", UART_LSR(base) & UART_LSR_DR, 0);
    DMA_SWPTR(DMA_CH_UART_RX(0)) = 4;
    check("RX ring empty after the read", DMA_FFCNT(DMA_CH_UART_RX(0)), 0);
    UART_MCR(base) = 0;
    UART_EXTEND_ADD(base) = 0;
    UART_VFIFO_EN(base) = 0;
    DMA_START(DMA_CH_UART_TX(0)) = 0;
    DMA_START(DMA_CH_UART_RX(0)) = 0;
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("dma-selftest\n");
    GPT3_INIT = 0;
    GPT3_CTRL = GPT3_OSC_CNT_1US(0x19) | GPT_CTRL_EN;     /* 1 MHz */
    nvic_set_priority(IRQ_DMA, 2);
    nvic_enable(IRQ_DMA);
    nvic_set_priority(IRQ_ISU_I2C(ISU), 2);
    nvic_enable(IRQ_ISU_I2C(ISU));
    irq_enable();

    test_memory_to_memory();
    test_i2c_by_dma();
    test_uart_by_dma();

    selftest_summary("dma-selftest");
    for (;;) wfi();
}
