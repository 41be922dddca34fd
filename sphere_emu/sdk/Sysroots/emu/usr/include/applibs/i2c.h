/* applibs/i2c.h: ISU I2C masters through the kernel's i2c-dev (/dev/i2c-N). An interface
   must be in the manifest's Capabilities.I2cMaster, or the open fails with EACCES. */
#ifndef APPLIBS_I2C_H
#define APPLIBS_I2C_H
#include <stdint.h>
#include <sys/types.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef int I2C_InterfaceId;
typedef uint32_t I2C_DeviceAddress;

#define I2C_BUS_SPEED_STANDARD 100000
#define I2C_BUS_SPEED_FAST 400000
#define I2C_BUS_SPEED_FAST_PLUS 1000000

int I2CMaster_Open(I2C_InterfaceId id);
int I2CMaster_SetBusSpeed(int fd, uint32_t speedInHz);
int I2CMaster_SetTimeout(int fd, uint32_t timeoutInMs);
int I2CMaster_SetDefaultTargetAddress(int fd, I2C_DeviceAddress address);
ssize_t I2CMaster_Write(int fd, I2C_DeviceAddress address, const uint8_t *data, size_t length);
ssize_t I2CMaster_WriteThenRead(int fd, I2C_DeviceAddress address, const uint8_t *writeData,
                                size_t lenWriteData, uint8_t *readData, size_t lenReadData);
ssize_t I2CMaster_Read(int fd, I2C_DeviceAddress address, uint8_t *buffer, size_t maxLength);
#ifdef __cplusplus
}
#endif
#endif
