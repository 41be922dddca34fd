/* SPI master <-> SPI slave loopback between two ISUs (tests/data/spi-slave-loopback.yaml:
   ISU0's master, chip select A, wired to ISU1's slave). The master speaks the protocol of
   MediaTek's mhal_spis.h: an opcode byte, then its data; the slave's interrupt handler sees
   each transaction. Half duplex, mode 0, 20 MHz SCLK.
   One PASS/FAIL line per check, then "spis-selftest: P passed, F failed". */
#include "armv7m.h"
#include "mt3620.h"
#include "mt3620-serial.h"
#include "rtprint.h"
#include "selftest.h"

extern const uintptr_t ExceptionVectorTable[];

#define M 0u                                    /* master ISU */
#define S 1u                                    /* slave ISU */
#define DIV 2u                                  /* SCLK = 80 MHz / (2 + 2) = 20 MHz */

static volatile uint32_t slave_irqs, slave_sta, spim_irqs;

void IRQ50_Handler(void)                        /* ISU1 SPI slave */
{
    uint32_t sta = SPIS_IRQ_STA(S);
    slave_sta |= sta;
    slave_irqs++;
    SPIS_IRQ_STA(S) = sta;
}

void IRQ45_Handler(void)                        /* ISU0 SPI master: completion */
{
    (void)SPIM_SCSR(M);                         /* reading clears it */
    spim_irqs++;
}

static void wait_master(uint32_t target)
{
    for (;;) {
        irq_disable();
        if (spim_irqs >= target) { irq_enable(); return; }
        wfi();
        irq_enable();
    }
}

/* One transfer: opcode, wlen bytes from w, then rlen bytes into r (interrupt-driven). */
static void spim(uint32_t opcode, const uint8_t *w, uint32_t wlen, uint8_t *r, uint32_t rlen,
                 uint32_t mode)
{
    SPIM_CSPOL(M) = 0;
    SPIM_SOAR(M) = opcode;
    for (uint32_t i = 0; i < 8; i++) {
        uint32_t v = 0;
        for (uint32_t b = 0; b < 4; b++)
            if (4 * i + b < wlen) v |= (uint32_t)w[4 * i + b] << (8 * b);
        SPIM_SDOR(M, i) = v;
    }
    SPIM_SMMR(M) = SPIM_SMMR_MORE_BUF | SPIM_SMMR_DIV(DIV) | SPIM_SMMR_CS(0) |
                   SPIM_SMMR_INT_EN | mode;
    SPIM_SMBCR(M) = SPIM_SMBCR_CMD_BITS(8) | SPIM_SMBCR_MOSI_BITS(8 * wlen) |
                    SPIM_SMBCR_MISO_BITS(8 * rlen);
    uint32_t target = spim_irqs + 1;
    SPIM_STCSR(M) = SPIM_START;
    wait_master(target);
    for (uint32_t i = 0; i < rlen; i++) r[i] = (uint8_t)(SPIM_SDIR(M, i / 4) >> (8 * (i % 4)));
}

static uint32_t word(const uint8_t *b) { return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24; }

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    nvic_set_priority(IRQ_ISU_SPIS(S), 2);
    nvic_enable(IRQ_ISU_SPIS(S));
    nvic_set_priority(IRQ_ISU_SPIM(M), 3);
    nvic_enable(IRQ_ISU_SPIM(M));
    irq_enable();
    print("spis-selftest\n");

    /* the slave: enabled in mode 0, TX buffer ready, READY in its mailbox */
    SPIS_CTRL(S) = SPIS_EN | SPIS_IRQ_EN;
    for (uint32_t i = 0; i < 8; i++) SPIS_TX(S, i) = 0xA0B0C0D0u + i * 0x01010101u;
    SPIS_D2HMB(S) = SPIS_READY;

    uint8_t out[32], in[32];
    spim(SPIS_OP_STATUS, 0, 0, in, 1, 0);
    check("master reads the slave's status: READY", in[0], SPIS_READY);

    out[0] = SPIS_H2DMB_WRITE(4);
    spim(SPIS_OP_SEND_H2DMB, out, 1, in, 0, 0);
    check("slave interrupt: H2DMB received", slave_sta & SPIS_IRQ_H2DMB, SPIS_IRQ_H2DMB);
    check("slave's H2DMB: write, FIFO, 4 double words", SPIS_H2DMB(S), SPIS_H2DMB_WRITE(4));

    for (uint32_t i = 0; i < 16; i++) out[i] = (uint8_t)(0x11 * i + 3);
    slave_sta = 0;
    spim(SPIS_OP_WRITE_RX, out, 16, in, 0, 0);
    check("slave interrupt: RX written", slave_sta & SPIS_IRQ_RX, SPIS_IRQ_RX);
    check("slave RX count", SPIS_RX_COUNT(S), 16);
    uint32_t same = 0;
    for (uint32_t i = 0; i < 4; i++) same += SPIS_RX(S, i) == word(out + 4 * i);
    check("slave RX buffer holds the master's 16 bytes", same, 4);

    slave_sta = 0;
    spim(SPIS_OP_READ_TX, 0, 0, in, 32, 0);
    check("slave interrupt: TX read", slave_sta & SPIS_IRQ_TX, SPIS_IRQ_TX);
    same = 0;
    for (uint32_t i = 0; i < 8; i++) same += word(in + 4 * i) == 0xA0B0C0D0u + i * 0x01010101u;
    check("master reads the slave's 32 TX bytes", same, 8);

    SPIS_D2HMB(S) = SPIS_DONE;
    spim(SPIS_OP_STATUS, 0, 0, in, 1, 0);
    check("master reads the slave's status: DONE", in[0], SPIS_DONE);

    SPIS_CTRL(S) = SPIS_EN | SPIS_IRQ_EN | SPIS_CPOL | SPIS_CPHA;   /* mode 3 */
    spim(SPIS_OP_STATUS, 0, 0, in, 1, 0);
    check("mode 0 master, mode 3 slave: MISO stays high", in[0], 0xFF);
    spim(SPIS_OP_STATUS, 0, 0, in, 1, SPIM_SMMR_CPOL | SPIM_SMMR_CPHA);
    check("mode 3 master, mode 3 slave: status again", in[0], SPIS_DONE);

    SPIS_CTRL(S) = 0;
    slave_sta = 0;
    spim(SPIS_OP_WRITE_RX, out, 4, in, 0, 0);
    check("disabled slave: no interrupt", slave_irqs && slave_sta, 0);

    selftest_summary("spis-selftest");
    for (;;) wfi();
}
