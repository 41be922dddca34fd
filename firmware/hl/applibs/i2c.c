/* I2C master over the kernel's i2c-dev: one I2C_RDWR per call (a write then a read is one
   transaction with a repeated start), I2C_SLAVE for read(2)/write(2), and the kernel's own
   bus-speed ioctl (Linux takes the speed from the device tree). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <linux/i2c.h>
#include <linux/i2c-dev.h>
#include <applibs/i2c.h>

#define I2C_SPEED 0x0780                       /* the kernel's: bus speed in Hz */

int I2CMaster_Open(I2C_InterfaceId id)
{
    int isu = id;                              /* hw/mt3620.h: MT3620_ISUn_I2C is n */
    if (isu < 0 || isu > 4) {
        errno = EACCES;                        /* "verify that the interface exists" */
        return -1;
    }
    char path[16];
    snprintf(path, sizeof path, "/dev/i2c-%d", isu);
    return open(path, O_RDWR | O_CLOEXEC);
}

int I2CMaster_SetBusSpeed(int fd, uint32_t speedInHz) { return ioctl(fd, I2C_SPEED, (unsigned long)speedInHz); }

int I2CMaster_SetTimeout(int fd, uint32_t timeoutInMs)
{
    return ioctl(fd, I2C_TIMEOUT, (unsigned long)((timeoutInMs + 9) / 10));   /* 10 ms units */
}

int I2CMaster_SetDefaultTargetAddress(int fd, I2C_DeviceAddress address)
{
    return ioctl(fd, I2C_SLAVE, (unsigned long)address);
}

static ssize_t transfer(int fd, I2C_DeviceAddress address, struct i2c_msg *msgs, unsigned count)
{
    if (address > 0x7F) {
        errno = EINVAL;
        return -1;
    }
    for (unsigned i = 0; i < count; i++) msgs[i].addr = (__u16)address;
    struct i2c_rdwr_ioctl_data data = { msgs, count };
    if (ioctl(fd, I2C_RDWR, &data) < 0) return -1;
    ssize_t total = 0;
    for (unsigned i = 0; i < count; i++) total += msgs[i].len;
    return total;
}

ssize_t I2CMaster_Write(int fd, I2C_DeviceAddress address, const uint8_t *data, size_t length)
{
    struct i2c_msg m = { .flags = 0, .len = (__u16)length, .buf = (__u8 *)data };
    return transfer(fd, address, &m, 1);
}

ssize_t I2CMaster_Read(int fd, I2C_DeviceAddress address, uint8_t *buffer, size_t maxLength)
{
    struct i2c_msg m = { .flags = I2C_M_RD, .len = (__u16)maxLength, .buf = buffer };
    return transfer(fd, address, &m, 1);
}

ssize_t I2CMaster_WriteThenRead(int fd, I2C_DeviceAddress address, const uint8_t *writeData,
                                size_t lenWriteData, uint8_t *readData, size_t lenReadData)
{
    struct i2c_msg m[2] = {
        { .flags = 0, .len = (__u16)lenWriteData, .buf = (__u8 *)writeData },
        { .flags = I2C_M_RD, .len = (__u16)lenReadData, .buf = readData },
    };
    return transfer(fd, address, m, 2);
}
