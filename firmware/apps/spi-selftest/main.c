/* ISU SPI master self-test: ISU0's SPI master, programmed as MediaTek's HDL and Codethink's
   driver program it, against a W25Q32-style NOR flash on chip select A.

   Polled and interrupt-driven transfers, the command/MOSI/MISO phases, full duplex, mode
   and bit order honoured towards the device, program/erase with status polling, transfer
   time at the programmed SCLK, and the DMA paths: MediaTek's (TX register image with
   handshake + RX channel) and Codethink's (TX image without handshake).
   One PASS/FAIL line per check, then "spi-selftest: P passed, F failed". */
#include "armv7m.h"
#include "mt3620.h"
#include "mt3620-serial.h"
#include "rtprint.h"
#include "sleep.h"
#include "selftest.h"

extern const uintptr_t ExceptionVectorTable[];

#define ISU 0u
#define CS_A 0u
#define DESC ((volatile uint32_t *)(SYSRAM_BASE + 0x3000))   /* 13-word register image */
#define RXBUF ((volatile uint8_t *)(SYSRAM_BASE + 0x3100))

static volatile uint32_t spi_irqs, spi_status, dma_done_mask;

void IRQ45_Handler(void)                        /* ISU0 SPI master */
{
    spi_status = SPIM_SCSR(ISU);                /* reading clears it */
    spi_irqs++;
}

void IRQ77_Handler(void)
{
    for (uint32_t ch = 0; ch < 2; ch++) {
        uint32_t sta = DMA_INTSTA(ch);
        if (sta & DMA_INT_DONE) dma_done_mask |= 1u << ch;
        DMA_ACKINT(ch) = sta;
    }
}



static uint32_t smmr_base(uint32_t div)
{
    return SPIM_SMMR_MORE_BUF | SPIM_SMMR_DIV(div) | SPIM_SMMR_CS(CS_A);
}

/* One half-duplex transfer: cmd_len command bytes (big-endian in SOAR's low bits), wlen
   bytes from w, then rlen bytes into r. extra = SMMR mode/interrupt bits. */
static void xfer(uint32_t cmd, uint32_t cmd_len, const uint8_t *w, uint32_t wlen, uint8_t *r,
                 uint32_t rlen, uint32_t extra, uint32_t div)
{
    SPIM_CSPOL(ISU) = 0;
    SPIM_SOAR(ISU) = cmd;
    for (uint32_t i = 0; i < 8; i++) {
        uint32_t v = 0;
        for (uint32_t b = 0; b < 4; b++)
            if (4 * i + b < wlen) v |= (uint32_t)w[4 * i + b] << (8 * b);
        SPIM_SDOR(ISU, i) = v;
    }
    SPIM_SMMR(ISU) = smmr_base(div) | extra;
    SPIM_SMBCR(ISU) = SPIM_SMBCR_CMD_BITS(8 * cmd_len) | SPIM_SMBCR_MOSI_BITS(8 * wlen) |
                      SPIM_SMBCR_MISO_BITS(8 * rlen);
    uint32_t irqs = spi_irqs;
    SPIM_STCSR(ISU) = SPIM_START;
    if (extra & SPIM_SMMR_INT_EN) {
        wait_for(&spi_irqs, irqs + 1);
    } else {
        while (SPIM_STCSR(ISU) & SPIM_BUSY) { }
        spi_status = SPIM_SCSR(ISU);
    }
    uint32_t first = (extra & SPIM_SMMR_FULL_DUPLEX) ? 4 : 0;
    for (uint32_t i = 0; i < rlen; i++)
        r[i] = (uint8_t)(SPIM_SDIR(ISU, first + i / 4) >> (8 * (i % 4)));
}

static uint32_t be24(const uint8_t *b) { return (uint32_t)b[0] << 16 | b[1] << 8 | b[2]; }

static volatile uint32_t gpt3_irqs;

void IRQ2_Handler(void) { gpt3_irqs++; }

static uint8_t flash_status(void)
{
    uint8_t s;
    xfer(0x05, 1, 0, 0, &s, 1, 0, 0);
    return s;
}

static void test_identity_and_modes(void)
{
    uint8_t id[3];
    xfer(0x9F, 1, 0, 0, id, 3, 0, 0);
    check("JEDEC ID (mode 0, MSB first)", be24(id), 0xEF4016);
    check("SCSR after a polled transfer", spi_status & 1, 1);
    check("SCSR cleared by the read", SPIM_SCSR(ISU), 0);
    xfer(0x9F, 1, 0, 0, id, 3, SPIM_SMMR_CPOL | SPIM_SMMR_CPHA, 0);
    check("JEDEC ID in mode 3", be24(id), 0xEF4016);
    xfer(0x9F, 1, 0, 0, id, 3, SPIM_SMMR_CPHA, 0);
    check("JEDEC ID in mode 1 (unsupported by the flash): idle bus", be24(id), 0xFFFFFF);
    xfer(0xF9, 1, 0, 0, id, 3, SPIM_SMMR_LSB_FIRST, 0);     /* 0x9F bit-reversed */
    check("JEDEC ID LSB first: bits reversed", be24(id), 0xF70268);
    const uint8_t pad[3] = {0, 0, 0};
    xfer(0x9F, 1, pad, 3, id, 3, SPIM_SMMR_FULL_DUPLEX, 0);
    check("JEDEC ID full duplex (from SDIR4)", be24(id), 0xEF4016);
}

static void test_program_erase(void)
{
    xfer(0x06, 1, 0, 0, 0, 0, 0, 0);                          /* WREN */
    uint32_t t0 = GPT3_CNT;
    xfer(0x20001000u, 4, 0, 0, 0, 0, 0, 0);                   /* sector erase 0x001000 */
    uint32_t polls = 0;
    while (flash_status() & 1) {                      /* poll every millisecond */
        polls++;
        gpt3_sleep_us(&gpt3_irqs, 1000);
    }
    uint32_t t1 = GPT3_CNT;
    check_range("sector erase busy time, ms", (t1 - t0) / 1000, 45, 46);
    check("status polls while busy", polls, 45);
    uint8_t data[16];
    for (uint32_t i = 0; i < 16; i++) data[i] = (uint8_t)(0x30 + i);
    xfer(0x06, 1, 0, 0, 0, 0, 0, 0);
    xfer(0x02001010u, 4, data, 16, 0, 0, 0, 0);               /* page program 0x001010 */
    check("WIP right after the program", flash_status() & 1, 1);
    while (flash_status() & 1) gpt3_sleep_us(&gpt3_irqs, 100);
    uint8_t back[32];
    xfer(0x03001000u, 4, 0, 0, back, 32, SPIM_SMMR_INT_EN, 0);
    uint32_t ok = 1;
    for (uint32_t i = 0; i < 16; i++) ok &= back[i] == 0xFF && back[16 + i] == data[i];
    check("interrupt-driven read of erased + programmed bytes", ok, 1);
    check("SCSR seen by the interrupt handler", spi_status & 1, 1);
}

static void test_timing(void)
{
    uint8_t back[32];
    uint32_t t0 = GPT3_CNT;
    xfer(0x03000000u, 4, 0, 0, back, 32, SPIM_SMMR_INT_EN, 78);  /* 80 MHz / 80 = 1 MHz */
    uint32_t t1 = GPT3_CNT;
    /* (4 + 32) bytes = 288 bits at 1 MHz = 288 us, plus the set-up in this function */
    check_range("36-byte transfer at 1 MHz, us", t1 - t0, 288, 300);
}

static void dma_start(uint32_t ch, uint32_t con, uint32_t mem, uint32_t count)
{
    DMA_CH_EN_SET |= 1u << ch;
    DMA_START(ch) = 0;
    DMA_CON(ch) = con;
    DMA_PGMADDR(ch) = mem;
    DMA_FIXADDR(ch) = SPIM_DATAPORT_ADDR(ISU);
    DMA_COUNT(ch) = count;
    DMA_START(ch) = DMA_STR;
}

static void test_dma(void)
{
    /* The register image DATAPORT expects: SOAR, SDOR0-7, SMMR, SMBCR, STCSR (+ dummy). */
    DESC[0] = 0x03001010u;
    for (uint32_t i = 1; i <= 8; i++) DESC[i] = 0;
    DESC[9] = smmr_base(0) | SPIM_SMMR_INT_EN;
    DESC[10] = SPIM_SMBCR_CMD_BITS(32) | SPIM_SMBCR_MISO_BITS(8 * 16);
    DESC[11] = SPIM_START;
    DESC[12] = 0;
    for (uint32_t i = 0; i < 16; i++) RXBUF[i] = 0;
    SPIM_CSPOL(ISU) = SPIM_CSPOL_DMA;
    dma_done_mask = 0;
    uint32_t irqs = spi_irqs;
    /* MediaTek: RX channel first (word, handshake), then the TX image with handshake. */
    dma_start(DMA_CH_ISU_RX(ISU), DMA_CON_SIZE(2) | DMA_CON_DREQ | DMA_CON_DIR_RX |
              DMA_CON_DINC | DMA_CON_ITEN, (uint32_t)RXBUF, 4);
    dma_start(DMA_CH_ISU_TX(ISU), DMA_CON_SIZE(2) | DMA_CON_DREQ | DMA_CON_SINC,
              (uint32_t)DESC, 12);
    wait_for(&spi_irqs, irqs + 1);
    while (!(dma_done_mask & 2)) { irq_disable(); if (!(dma_done_mask & 2)) wfi(); irq_enable(); }
    uint32_t ok = 1;
    for (uint32_t i = 0; i < 16; i++) ok &= RXBUF[i] == (uint8_t)(0x30 + i);
    check("MediaTek-style DMA read of 16 bytes", ok, 1);
    check("TX channel RLCT", DMA_RLCT(DMA_CH_ISU_TX(ISU)), 0);

    /* Codethink: TX image without handshake (13 words, the errata padding last). */
    DESC[0] = 0x9F;
    DESC[10] = SPIM_SMBCR_CMD_BITS(8) | SPIM_SMBCR_MISO_BITS(24);
    irqs = spi_irqs;
    dma_start(DMA_CH_ISU_TX(ISU), DMA_CON_SIZE(2) | DMA_CON_SINC, (uint32_t)DESC, 13);
    wait_for(&spi_irqs, irqs + 1);
    check("Codethink-style DMA: JEDEC ID in SDIR0", SPIM_SDIR(ISU, 0) & 0xFFFFFF, 0x1640EF);
    check("TX channel RLCT (errata word included)", DMA_RLCT(DMA_CH_ISU_TX(ISU)), 0);
    SPIM_CSPOL(ISU) = 0;
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("spi-selftest\n");
    gpt3_start_us();
    ISU_GLOBAL_CTRL(ISU) |= ISU_SPIM_CLK_EN | ISU_CR_SW_RST;
    nvic_set_priority(IRQ_ISU_SPIM(ISU), 2);
    nvic_enable(IRQ_ISU_SPIM(ISU));
    nvic_set_priority(IRQ_DMA, 2);
    nvic_enable(IRQ_DMA);
    irq_enable();

    test_identity_and_modes();
    test_program_erase();
    test_timing();
    test_dma();

    selftest_summary("spi-selftest");
    for (;;) wfi();
}
