/* I2S0 self-test, programmed as MediaTek's OS-HAL drives the block (reset pulse, GLB, DL, UL,
   DMA_IF, virtual-FIFO DMA channels 25/26 at the data port, then I2S_EN):

   1. loopback by the CPU: four words written to the data port come back in the UL FIFO;
   2. loopback by DMA at 48 kHz: a 2048-frame pattern streams from a 1024-word TX ring
      (refilled at each threshold interrupt) into a 1024-word RX ring (checked at each
      threshold interrupt); the first RX interrupt comes 512 frames (10.667 ms) after the
      start. The sink (--i2s0 out=FILE.wav) gets the pattern;
   3. from the source (--i2s0 in=FILE.wav, silence without one): 256 frames received by DMA,
      printed as their first word and a sum.
   One PASS/FAIL line per check, then "i2s-selftest: P passed, F failed". */
#include "armv7m.h"
#include "mt3620.h"
#include "mt3620-serial.h"
#include "rtprint.h"
#include "sleep.h"
#include "selftest.h"

extern const uintptr_t ExceptionVectorTable[];

#define TX_RING ((volatile uint32_t *)(SYSRAM_BASE + 0x0000))
#define RX_RING ((volatile uint32_t *)(SYSRAM_BASE + 0x1000))
#define RING_WORDS 1024u
#define PERIOD 512u                       /* words per threshold interrupt */
#define FRAMES 2048u
#define TX DMA_CH_I2S_TX(0)
#define RX DMA_CH_I2S_RX(0)
#define WRAP (1u << 16)

static volatile uint32_t dma_done_mask, rx_irq_at;

void IRQ77_Handler(void)                  /* DMA: note and ack each channel with IT set */
{
    uint32_t g1 = DMA_GLBSTA1;
    for (uint32_t ch = 16; ch < 30; ch++) {
        if (!((g1 >> (2 * (ch - 16) + 1)) & 1)) continue;
        uint32_t sta = DMA_INTSTA(ch);
        if (sta & DMA_INT_DONE) {
            if (ch == RX && !rx_irq_at) rx_irq_at = GPT3_CNT;
            dma_done_mask |= 1u << ch;
        }
        DMA_ACKINT(ch) = sta;
    }
}

static volatile uint32_t gpt3_irqs;

void IRQ2_Handler(void) { gpt3_irqs++; }

static uint32_t wait_dma(void)            /* sleep until a DMA channel finished; which */
{
    for (;;) {
        irq_disable();
        uint32_t mask = dma_done_mask;
        if (mask) { dma_done_mask = 0; irq_enable(); return mask; }
        wfi();
        irq_enable();
    }
}

static uint32_t pattern(uint32_t i)       /* left in bits 15:0, right in 31:16 */
{
    return ((0x8000u + 31u * i) & 0xFFFFu) << 16 | ((97u * i) & 0xFFFFu);
}

static void i2s_reset(void)
{
    I2S_SW_RESET(0) = I2S_SW_RST_ALL;
    gpt3_sleep_us(&gpt3_irqs, 1);
    I2S_SW_RESET(0) = 0;
}

static void i2s_config(uint32_t loopback, uint32_t dma_if)
{
    I2S_GLB_CONTROL(0) = loopback | I2S_DLFIFO_EN | I2S_ULFIFO_EN | I2S_ENGEN_EN;
    I2S_DL_CONTROL(0) = I2S_SR_48K | I2S_FMT_I2S | I2S_WS_RESYNC;
    I2S_UL_CONTROL(0) = I2S_SR_48K | I2S_FMT_I2S | I2S_WS_RESYNC | I2S_UL_UPDATE_WORD(8);
    I2S_DMA_IF_CONTROL(0) = dma_if;
}

static void vff_start(uint32_t ch, uint32_t rx, volatile uint32_t *ring, uint32_t swptr)
{
    DMA_CH_EN_SET |= 1u << ch;
    DMA_START(ch) = 0;
    DMA_PGMADDR(ch) = (uint32_t)ring;
    DMA_FFSIZE(ch) = RING_WORDS;
    DMA_COUNT(ch) = PERIOD;
    DMA_FIXADDR(ch) = I2S_DATA_PORT(0);
    DMA_SWPTR(ch) = swptr;
    DMA_CON(ch) = DMA_CON_SIZE(2) | DMA_CON_DREQ | DMA_CON_ITEN | (rx ? DMA_CON_DIR_RX : 0);
    DMA_START(ch) = DMA_STR;
}

static uint32_t advance(uint32_t swptr, uint32_t words)
{
    uint32_t offset = (swptr & 0xFFFFu) + 4u * words;
    uint32_t wrap = swptr & WRAP;
    if (offset >= 4u * RING_WORDS) { offset -= 4u * RING_WORDS; wrap ^= WRAP; }
    return wrap | offset;
}

static void test_cpu_loopback(void)
{
    i2s_reset();
    i2s_config(I2S_LOOPBACK, 0);
    check("DL FIFO empty after reset", I2S_DL_FIFO_R_CONTROL(0) & I2S_FIFO_EMPTY, I2S_FIFO_EMPTY);
    for (uint32_t i = 0; i < 4; i++) I2S_DATA(0) = pattern(i);
    check("DL FIFO count after 4 writes", I2S_FIFO_COUNT(I2S_DL_FIFO_R_CONTROL(0)), 4);
    I2S_GLB_CONTROL(0) |= I2S_EN;
    I2S_DL_CONTROL(0) |= I2S_LINK_EN;
    I2S_UL_CONTROL(0) |= I2S_LINK_EN;
    gpt3_sleep_us(&gpt3_irqs, 250);                      /* 12 frames at 48 kHz */
    check_range("UL FIFO count after 250 us", I2S_FIFO_COUNT(I2S_UL_FIFO_R_CONTROL(0)), 11, 12);
    uint32_t ok = 0;
    for (uint32_t i = 0; i < 4; i++) ok += I2S_DATA(0) == pattern(i);
    check("the four words came back in order", ok, 4);
    check("then the DL empty value (0)", I2S_DATA(0), 0);
    I2S_GLB_CONTROL(0) &= ~I2S_EN;
}

static void test_dma_loopback(void)
{
    i2s_reset();
    i2s_config(I2S_LOOPBACK, I2S_DMAIF_DL_SINGLE | I2S_DMAIF_UL_SINGLE);
    uint32_t tx_next = 0, rx_seen = 0, bad = 0;
    for (; tx_next < RING_WORDS; tx_next++) TX_RING[tx_next] = pattern(tx_next);
    uint32_t tx_sw = WRAP, rx_sw = 0;                    /* TX ring full, RX ring empty */
    vff_start(RX, 1, RX_RING, rx_sw);
    vff_start(TX, 0, TX_RING, tx_sw);
    I2S_DL_CONTROL(0) |= I2S_LINK_EN;
    I2S_UL_CONTROL(0) |= I2S_LINK_EN;
    rx_irq_at = 0;
    uint32_t t0 = GPT3_CNT;
    I2S_GLB_CONTROL(0) |= I2S_EN;                        /* both links start together */
    while (rx_seen < FRAMES) {
        uint32_t mask = wait_dma();
        if (mask & (1u << TX)) {                         /* refill what has been sent */
            uint32_t room = RING_WORDS - DMA_FFCNT(TX);
            for (; room && tx_next < FRAMES; room--, tx_next++) {
                TX_RING[(tx_sw & 0xFFFFu) / 4u] = pattern(tx_next);
                tx_sw = advance(tx_sw, 1);
            }
            DMA_SWPTR(TX) = tx_sw;
        }
        if (mask & (1u << RX)) {                         /* check what has arrived */
            for (uint32_t n = DMA_FFCNT(RX); n; n--, rx_seen++) {
                bad += RX_RING[(rx_sw & 0xFFFFu) / 4u] != pattern(rx_seen);
                rx_sw = advance(rx_sw, 1);
            }
            DMA_SWPTR(RX) = rx_sw;
        }
    }
    I2S_GLB_CONTROL(0) &= ~I2S_EN;
    DMA_START(TX) = 0;
    DMA_START(RX) = 0;
    check_range("first RX threshold interrupt after 512 frames at 48 kHz, us",
                rx_irq_at - t0, 10666, 10668);
    check_range("frames looped back through both rings", rx_seen, FRAMES, FRAMES + PERIOD);
    check("frames that differ from the pattern sent", bad, 0);
}

static void test_source(void)
{
    i2s_reset();
    i2s_config(0, I2S_DMAIF_UL_SINGLE);
    for (uint32_t i = 0; i < RING_WORDS; i++) RX_RING[i] = 0xDEADBEEFu;
    vff_start(RX, 1, RX_RING, 0);
    DMA_COUNT(RX) = 256;
    I2S_UL_CONTROL(0) |= I2S_LINK_EN;
    I2S_GLB_CONTROL(0) |= I2S_EN;
    while (!(wait_dma() & (1u << RX))) { }
    I2S_GLB_CONTROL(0) &= ~I2S_EN;
    DMA_START(RX) = 0;
    uint32_t sum = 0;
    for (uint32_t i = 0; i < 256; i++) sum += RX_RING[i];
    print("source frames: first ");
    print_hex(RX_RING[0]);
    print(" sum of 256 ");
    print_hex(sum);
    print("\n");
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    gpt3_start_us();
    nvic_set_priority(IRQ_DMA, 2);
    nvic_enable(IRQ_DMA);
    irq_enable();
    print("i2s-selftest\n");
    test_cpu_loopback();
    test_dma_loopback();
    test_source();
    selftest_summary("i2s-selftest");
    for (;;) wfi();
}
