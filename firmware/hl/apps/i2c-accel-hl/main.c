/* Reads an LSM6DS3 accelerometer on ISU2 (address 0x6A), as the published I2C high-level
   sample does: WHO_AM_I three ways (write-then-read, write + read, POSIX read/write on the
   default target), a software reset, +/-4 g at 12.5 Hz, then four readings from an
   EventLoop timer. An absent address answers ENXIO. Without I2cMaster in the manifest the
   open fails with EACCES and the app goes on without its sensor. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/timerfd.h>
#include <applibs/eventloop.h>
#include <applibs/i2c.h>
#include <applibs/log.h>
#include <hw/mt3620.h>

#define LSM6DS3 0x6A
#define WHO_AM_I 0x0F
#define CTRL1_XL 0x10
#define CTRL3_C 0x12
#define STATUS_REG 0x1E
#define OUTX_L_XL 0x28

static int i2c = -1;
static int readings;

static int check(const char *what, ssize_t got, ssize_t want)
{
    if (got == want) return 1;
    if (got < 0) Log_Debug("%s: errno=%d (%s)\n", what, errno, strerror(errno));
    else Log_Debug("%s: %zd bytes, expected %zd\n", what, got, want);
    return 0;
}

static int who_am_i(void)
{
    static const uint8_t reg = WHO_AM_I;
    uint8_t id = 0;
    if (!check("WriteThenRead", I2CMaster_WriteThenRead(i2c, LSM6DS3, &reg, 1, &id, 1), 2)) return 0;
    Log_Debug("WHO_AM_I=0x%02x (I2CMaster_WriteThenRead)\n", id);
    id = 0;
    if (!check("Write", I2CMaster_Write(i2c, LSM6DS3, &reg, 1), 1)) return 0;
    if (!check("Read", I2CMaster_Read(i2c, LSM6DS3, &id, 1), 1)) return 0;
    Log_Debug("WHO_AM_I=0x%02x (I2CMaster_Write + I2CMaster_Read)\n", id);
    id = 0;
    if (!check("write", write(i2c, &reg, 1), 1) || !check("read", read(i2c, &id, 1), 1)) return 0;
    Log_Debug("WHO_AM_I=0x%02x (POSIX write + read)\n", id);
    return id == 0x69;
}

static void on_timer(EventLoop *el, int fd, EventLoop_IoEvents events, void *context)
{
    (void)events, (void)context;
    uint64_t expirations;
    if (read(fd, &expirations, sizeof expirations) != sizeof expirations) return;
    static const uint8_t status_reg = STATUS_REG, out_reg = OUTX_L_XL;
    uint8_t status = 0;
    if (!check("STATUS_REG", I2CMaster_WriteThenRead(i2c, LSM6DS3, &status_reg, 1, &status, 1), 2))
        return;
    if (!(status & 1)) {
        Log_Debug("no accelerometer data yet\n");
        return;
    }
    int16_t raw[3];
    if (!check("OUTX_L_XL", I2CMaster_WriteThenRead(i2c, LSM6DS3, &out_reg, 1, (uint8_t *)raw, 6), 7))
        return;
    /* +/-4 g: 0.122 mg per LSB (DocID026899 table 3). */
    Log_Debug("acceleration: x=%.3f y=%.3f z=%.3f g\n", raw[0] * 0.122 / 1000.0,
              raw[1] * 0.122 / 1000.0, raw[2] * 0.122 / 1000.0);
    if (++readings == 4) EventLoop_Stop(el);
}

int main(void)
{
    Log_Debug("i2c-accel-hl: starting\n");
    i2c = I2CMaster_Open(MT3620_ISU2_I2C);
    if (i2c < 0) {
        Log_Debug("I2CMaster_Open: errno=%d (%s)\n", errno, strerror(errno));
        struct timespec pause = { 0, 50000000 };
        nanosleep(&pause, NULL);
        Log_Debug("i2c-accel-hl: no accelerometer, still running\n");
        return 1;
    }
    if (I2CMaster_SetBusSpeed(i2c, I2C_BUS_SPEED_STANDARD) < 0 || I2CMaster_SetTimeout(i2c, 100) < 0
        || I2CMaster_SetDefaultTargetAddress(i2c, LSM6DS3) < 0) {
        Log_Debug("I2C setup: errno=%d\n", errno);
        return 2;
    }
    if (!who_am_i()) return 3;

    uint8_t probe;
    ssize_t r = I2CMaster_Read(i2c, 0x1D, &probe, 1);
    Log_Debug("read from absent 0x1d: %zd, errno=%d (%s)\n", r, errno, strerror(errno));

    static const uint8_t reset[] = { CTRL3_C, 0x01 }, ctrl3 = CTRL3_C;
    if (!check("reset", I2CMaster_Write(i2c, LSM6DS3, reset, 2), 2)) return 4;
    uint8_t value = 1;
    while (value & 1)
        if (!check("CTRL3_C", I2CMaster_WriteThenRead(i2c, LSM6DS3, &ctrl3, 1, &value, 1), 2)) return 4;
    static const uint8_t range[] = { CTRL1_XL, 0x18 };   /* 12.5 Hz, +/-4 g */
    if (!check("CTRL1_XL", I2CMaster_Write(i2c, LSM6DS3, range, 2), 2)) return 5;

    EventLoop *el = EventLoop_Create();
    int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    struct itimerspec every = { { 0, 100000000 }, { 0, 100000000 } };
    timerfd_settime(timer, 0, &every, NULL);
    EventLoop_RegisterIo(el, timer, EventLoop_Input, on_timer, NULL);
    while (readings < 4)
        if (EventLoop_Run(el, -1, true) == EventLoop_Run_Failed && errno != EINTR) return 6;
    close(i2c);
    Log_Debug("i2c-accel-hl: done\n");
    return 0;
}
