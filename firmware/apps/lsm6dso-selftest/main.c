/* The Avnet Starter Kit's on-board sensors over ISU2 I2C, as the published samples reach
   them: MediaTek's accelerometer sample first reads one byte from every even address on the
   bus (only the LSM6DSO at 0x6A may answer), then WHO_AM_I, the accelerometer at 104 Hz
   (data-ready polled in STATUS_REG) and the gyroscope; Avnet's reference design reads the
   LPS22HH barometer through the LSM6DSO's sensor hub (SLV0 read, MASTER_ON, accelerometer
   as the trigger, STATUS_MASTER_MAINPAGE.SENS_HUB_ENDOP).
   Prints the readings for a test to compare with the values it set, then
   "lsm6dso-selftest: P passed, F failed". */
#include "armv7m.h"
#include "mt3620.h"
#include "mt3620-serial.h"
#include "rtprint.h"
#include "sleep.h"
#include "selftest.h"

extern const uintptr_t ExceptionVectorTable[];

#define ISU 2u
#define LSM6DSO 0x6Au

static volatile uint32_t i2c_irqs, gpt3_irqs;

void IRQ52_Handler(void)                         /* ISU2 I2C */
{
    uint32_t ctrl = I2C_INT_CTRL(ISU);
    I2C_INT_CTRL(ISU) = ctrl;
    i2c_irqs++;
}

void IRQ2_Handler(void) { gpt3_irqs++; }


/* Write wlen bytes then read rlen bytes (interrupt-driven, 400 kHz); returns ACK_VAL. */
static uint32_t xfer(uint32_t addr, const uint8_t *w, uint32_t wlen, uint8_t *r, uint32_t rlen)
{
    I2C_MM_FIFO_CON0(ISU) = I2C_FIFO_CLR_RX | I2C_FIFO_CLR_TX;
    I2C_INT_CTRL(ISU) = I2C_MM_INT_STA;
    I2C_MM_PAD_CON0(ISU) = 0x81;
    I2C_MM_CNT_VAL_PHL(ISU) = 24u | 24u << 8;
    I2C_MM_CNT_VAL_PHH(ISU) = 24u | 24u << 8;
    I2C_MM_CON0(ISU) = I2C_MASTER_EN | I2C_MM_GMODE;
    I2C_MM_ID_CON0(ISU) = addr;
    uint32_t n = 0, dirs = 0;
    if (wlen) I2C_MM_CNT_BYTE_VAL_PK(ISU, n++) = wlen;
    if (rlen) { dirs |= I2C_PACK_READ(n); I2C_MM_CNT_BYTE_VAL_PK(ISU, n++) = rlen; }
    I2C_MM_PACK_CON0(ISU) = dirs | I2C_PACK_COUNT(n);
    for (uint32_t i = 0; i < wlen; i++) I2C_MM_FIFO_DATA(ISU) = w[i];
    uint32_t target = i2c_irqs + 1;
    I2C_INT_CTRL(ISU) = I2C_MM_INT_EN;
    I2C_MM_CON0(ISU) |= I2C_MM_START_EN;
    wait_for(&i2c_irqs, target);
    uint32_t ack = I2C_MM_ACK_VAL(ISU);
    for (uint32_t i = 0; i < rlen && !ack; i++) r[i] = (uint8_t)I2C_MM_FIFO_DATA(ISU);
    return ack;
}

static uint8_t reg_read(uint8_t reg)
{
    uint8_t v = 0;
    xfer(LSM6DSO, &reg, 1, &v, 1);
    return v;
}

static void reg_write(uint8_t reg, uint8_t value)
{
    const uint8_t w[2] = {reg, value};
    xfer(LSM6DSO, w, 2, 0, 0);
}

static void print_signed(const char *label, int32_t v)
{
    print(label);
    if (v < 0) { print("-"); v = -v; }
    print_u32((uint32_t)v);
}

static int16_t s16(const uint8_t *b) { return (int16_t)(b[0] | b[1] << 8); }

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("lsm6dso-selftest\n");
    gpt3_start_us();
    nvic_set_priority(IRQ_ISU_I2C(ISU), 2);
    nvic_enable(IRQ_ISU_I2C(ISU));
    irq_enable();

    uint32_t answered = 0, found = 0;
    for (uint32_t addr = 0; addr < 0x80; addr += 2) {
        uint8_t b;
        if (xfer(addr, 0, 0, &b, 1) == 0) { answered++; found = addr; }
    }
    check("bus scan: devices answering", answered, 1);
    check("bus scan: the one that answered", found, LSM6DSO);
    check("WHO_AM_I", reg_read(0x0F), 0x6C);

    reg_write(0x10, 0x40);                       /* CTRL1_XL: 104 Hz, +-2 g */
    reg_write(0x11, 0x4C);                       /* CTRL2_G: 104 Hz, 2000 dps */
    uint32_t polls = 0;
    while (!(reg_read(0x1E) & 1)) { polls++; gpt3_sleep_us(&gpt3_irqs, 1000); }
    check("accelerometer data ready after polling", polls > 0, 1);
    uint8_t reg = 0x22, d[12];                   /* gyro, then accel: 6 bytes each, as the */
    xfer(LSM6DSO, &reg, 1, d, 6);                /* RX FIFO holds 8 (more needs DMA) */
    reg = 0x28;
    xfer(LSM6DSO, &reg, 1, d + 6, 6);
    print("gyro mdps:");
    for (int i = 0; i < 3; i++) print_signed(" ", s16(d + 2 * i) * 70);
    print("\naccel mg:");
    for (int i = 0; i < 3; i++) print_signed(" ", s16(d + 6 + 2 * i) * 61 / 1000);
    print("\n");

    /* Avnet: read LPS22HH registers through the sensor hub, one SLV0 read per cycle. */
    reg_write(0x10, 0x00);
    reg_write(0x01, 0x40);                       /* sensor-hub register bank */
    reg_write(0x15, 0x5C << 1 | 1);              /* SLV0: LPS22HH, read */
    reg_write(0x16, 0x0F);                       /* WHO_AM_I */
    reg_write(0x17, 1);
    reg_write(0x14, 0x04);                       /* MASTER_ON, one slave */
    reg_write(0x01, 0x00);
    reg_write(0x10, 0x40);                       /* the accelerometer triggers the hub */
    while (!(reg_read(0x39) & 1)) gpt3_sleep_us(&gpt3_irqs, 1000);   /* SENS_HUB_ENDOP */
    reg_write(0x01, 0x40);
    check("LPS22HH WHO_AM_I through the sensor hub", reg_read(0x02), 0xB3);
    reg_write(0x16, 0x28);                       /* PRESS_OUT_XL .. H */
    reg_write(0x17, 3);
    reg_write(0x01, 0x00);
    gpt3_sleep_us(&gpt3_irqs, 20000);
    while (!(reg_read(0x39) & 1)) gpt3_sleep_us(&gpt3_irqs, 1000);
    reg_write(0x01, 0x40);
    uint8_t p[3];
    reg = 0x02;
    xfer(LSM6DSO, &reg, 1, p, 3);
    reg_write(0x14, 0x00);                       /* master off */
    reg_write(0x01, 0x00);
    reg_write(0x10, 0x00);
    uint32_t raw = p[0] | p[1] << 8 | (uint32_t)p[2] << 16;
    print("pressure hPa*100: ");
    print_u32(raw * 100u / 4096u);
    print("\n");

    selftest_summary("lsm6dso-selftest");
    for (;;) wfi();
}
