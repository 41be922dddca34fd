/* ISU I2C self-test: ISU1's I2C master, programmed the way MediaTek's OS-HAL/HDL driver
   programs it (soft reset, FIFO clear, pad and phase set-up, START_READY check, packets,
   START_EN), against the board's devices on ISU1: a register file at 0x3C and a 24C32
   EEPROM at 0x50. Nothing answers at 0x51.

   One PASS/FAIL line per check, then "i2c-selftest: P passed, F failed". Times are measured
   with GPT3 at 1 MHz and are exact for 100 kHz SCL (9 bits a byte plus start and stop). */
#include "armv7m.h"
#include "mt3620.h"
#include "mt3620-serial.h"
#include "rtprint.h"
#include "selftest.h"

extern const uintptr_t ExceptionVectorTable[];

#define ISU 1u
#define REGFILE 0x3Cu
#define EEPROM 0x50u
#define ABSENT 0x51u
#define SLAVE_ID 0x24u

static volatile uint32_t i2c_irqs, slave_irqs;

void IRQ48_Handler(void)                       /* ISU1 I2C */
{
    uint32_t ctrl = I2C_INT_CTRL(ISU);
    if (ctrl & I2C_MM_INT_STA) i2c_irqs++;
    if (ctrl & I2C_S_INT_STA) slave_irqs++;
    I2C_INT_CTRL(ISU) = ctrl;                   /* write back: W1C of the status bits */
}



/* MediaTek's init_hw, run before every transfer: soft reset, clocks, FIFOs, pads, 100 kHz. */
static uint32_t phase = 99;                      /* 100 kHz; 24 = 400 kHz */

static void i2c_init_hw(void)
{
    ISU_GLOBAL_CTRL(ISU) &= ~ISU_CR_SW_RST;
    ISU_GLOBAL_CTRL(ISU) |= ISU_CR_SW_RST | ISU_I2C_CLK_EN;
    I2C_MM_FIFO_CON0(ISU) = I2C_FIFO_CLR_RX | I2C_FIFO_CLR_TX;
    I2C_INT_CTRL(ISU) = I2C_MM_INT_STA;
    I2C_MM_PAD_CON0(ISU) = 0x81;
    I2C_MM_CON0(ISU) = 0;
    /* phase = (40 MHz / SCL) / 4 - 1 */
    I2C_MM_CNT_VAL_PHL(ISU) = phase | phase << 8;
    I2C_MM_CNT_VAL_PHH(ISU) = phase | phase << 8;
}

/* One transaction of up to two packets: write wlen bytes, then (if rlen) read rlen bytes.
   Polled, or by interrupt with WFI. Returns ACK_VAL. */
static uint32_t transfer(uint32_t addr, const uint8_t *w, uint32_t wlen, uint8_t *r,
                         uint32_t rlen, int use_irq)
{
    i2c_init_hw();
    if (!(I2C_MM_STATUS(ISU) & I2C_MM_START_READY)) return 0xDEAD;
    I2C_MM_CON0(ISU) = I2C_MASTER_EN | I2C_MM_GMODE;
    I2C_MM_ID_CON0(ISU) = addr;
    uint32_t packets = 0, dirs = 0;
    if (wlen) I2C_MM_CNT_BYTE_VAL_PK(ISU, packets++) = wlen;
    if (rlen) { dirs |= I2C_PACK_READ(packets); I2C_MM_CNT_BYTE_VAL_PK(ISU, packets++) = rlen; }
    I2C_MM_PACK_CON0(ISU) = dirs | I2C_PACK_COUNT(packets);
    for (uint32_t i = 0; i < wlen; i++) I2C_MM_FIFO_DATA(ISU) = w[i];
    uint32_t irqs = i2c_irqs;
    I2C_INT_CTRL(ISU) = use_irq ? I2C_MM_INT_EN : 0;
    I2C_MM_CON0(ISU) |= I2C_MM_START_EN;
    if (use_irq) {
        for (;;) {
            irq_disable();
            if (i2c_irqs != irqs) { irq_enable(); break; }
            wfi();
            irq_enable();
        }
    } else {
        while (!(I2C_INT_CTRL(ISU) & I2C_MM_INT_STA)) { }
        I2C_INT_CTRL(ISU) = I2C_MM_INT_STA;
    }
    uint32_t ack = I2C_MM_ACK_VAL(ISU);
    if (ack) return ack;
    if (rlen) {
        uint32_t ptr = I2C_MM_FIFO_PTR(ISU);
        uint32_t count = ((ptr >> 4) & 0xF) - (ptr & 0xF);
        if (count != rlen) return 0xC0000000u | count;
        for (uint32_t i = 0; i < rlen; i++) r[i] = (uint8_t)I2C_MM_FIFO_DATA(ISU);
    }
    if (I2C_MM_FIFO_STATUS(ISU) != 0x11) return 0xF0000000u | I2C_MM_FIFO_STATUS(ISU);
    return 0;
}

static uint32_t word(const uint8_t *b) { return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24; }

static void test_register_file(void)
{
    const uint8_t w[5] = {0x10, 0xA1, 0xB2, 0xC3, 0xD4};
    uint8_t r[4] = {0};
    uint32_t t0 = GPT3_CNT;
    check("regfile write 4 bytes: ACK_VAL", transfer(REGFILE, w, 5, 0, 0, 1), 0);
    uint32_t t1 = GPT3_CNT;
    check("regfile write-then-read 4 bytes: ACK_VAL", transfer(REGFILE, w, 1, r, 4, 1), 0);
    uint32_t t2 = GPT3_CNT;
    check("regfile read back", word(r), 0xD4C3B2A1u);
    /* 1 + 9 + 5 * 9 + 1 = 56 bit times at 100 kHz = 560 us (+ the CPU's own work) */
    check_range("write of 5 bytes at 100 kHz, us", t1 - t0, 560, 575);
    /* (1 + 9 + 9) + (1 + 9 + 36) + 1 = 66 bit times = 660 us */
    check_range("write 1 + read 4 at 100 kHz, us", t2 - t1, 660, 675);
    phase = 24;                                            /* 400 kHz from here on */
    const uint8_t w2[2] = {0x14, 0xE5};
    check("polled write at 400 kHz: ACK_VAL", transfer(REGFILE, w2, 2, 0, 0, 0), 0);
    check("polled read at 400 kHz: ACK_VAL", transfer(REGFILE, w2, 1, r, 1, 0), 0);
    check("polled read data", r[0], 0xE5);
}

static void test_absent_device(void)
{
    uint8_t r[1];
    const uint8_t w[1] = {0};
    check("read from an absent address: address NACK", transfer(ABSENT, w, 1, r, 1, 1),
          I2C_ACK_ID_NACK(0));
    check("master ready again after the NACK",
          I2C_MM_STATUS(ISU) & (I2C_MM_START_READY | I2C_BUS_BUSY), I2C_MM_START_READY);
}

static void test_interrupt_driven(void)
{
    const uint8_t w[3] = {0x20, 0x5A, 0xA5};
    uint8_t r[2] = {0};
    uint32_t before = i2c_irqs;
    check("interrupt-driven write: ACK_VAL", transfer(REGFILE, w, 3, 0, 0, 1), 0);
    check("interrupt-driven read: ACK_VAL", transfer(REGFILE, w, 1, r, 2, 1), 0);
    check("interrupt-driven read data", r[0] | r[1] << 8, 0xA55Au);
    check("interrupts taken", i2c_irqs - before, 2);
}

static void test_eeprom(void)
{
    const uint8_t w[8] = {0x01, 0x00, 'e', 'e', 'p', 'r', 'o', 'm'};
    const uint8_t a[2] = {0x01, 0x00};
    uint8_t r[6] = {0};
    check("eeprom page write: ACK_VAL", transfer(EEPROM, w, 8, 0, 0, 1), 0);
    check("eeprom random read: ACK_VAL", transfer(EEPROM, a, 2, r, 6, 1), 0);
    check("eeprom data, first 4", word(r), word(w + 2));
    check("eeprom data, last 2", r[4] | r[5] << 8, 'o' | 'm' << 8);
}

static void test_slave(void)
{
    /* The ISU's own slave answers on the bus at S_ID_CON0. */
    I2C_S_FIFO_CON0(ISU) = I2C_FIFO_CLR_RX | I2C_FIFO_CLR_TX;
    I2C_S_ID_CON0(ISU) = SLAVE_ID;
    I2C_S_CON0(ISU) = I2C_SLAVE_EN;
    slave_irqs = 0;
    I2C_S_FIFO_DATA(ISU) = 0x77;
    I2C_S_FIFO_DATA(ISU) = 0x88;
    const uint8_t w[3] = {1, 2, 3};
    uint8_t r[2] = {0};
    check("master -> slave write: ACK_VAL", transfer(SLAVE_ID, w, 3, 0, 0, 1), 0);
    uint32_t got = 0;
    for (int i = 0; i < 3; i++) got = got << 8 | (I2C_S_FIFO_DATA(ISU) & 0xFF);
    check("slave RX FIFO", got, 0x010203);
    check("slave saw its address, write", I2C_S_ID_RECEIVED0(ISU) & 0xFF, SLAVE_ID);
    check("master <- slave read: ACK_VAL", transfer(SLAVE_ID, 0, 0, r, 2, 1), 0);
    check("slave TX FIFO data", r[0] << 8 | r[1], 0x7788);
    check("slave transactions flagged (S_INT_STA)", slave_irqs, 2);
    I2C_S_CON0(ISU) = 0;
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("i2c-selftest\n");
    GPT3_INIT = 0;
    GPT3_CTRL = GPT3_OSC_CNT_1US(0x19) | GPT_CTRL_EN;     /* 1 MHz */
    nvic_set_priority(IRQ_ISU_I2C(ISU), 2);
    nvic_enable(IRQ_ISU_I2C(ISU));
    irq_enable();

    test_register_file();
    test_absent_device();
    test_interrupt_driven();
    test_eeprom();
    test_slave();

    selftest_summary("i2c-selftest");
    for (;;) wfi();
}
