/* applibs/spi.h: ISU SPI masters through the kernel's spidev (/dev/spidevN.C). An interface
   must be in the manifest's Capabilities.SpiMaster, or the open fails with EACCES. */
#ifndef APPLIBS_SPI_H
#define APPLIBS_SPI_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef int SPI_InterfaceId;
typedef int SPI_ChipSelectId;

typedef uint32_t SPI_ChipSelectPolarity;
enum {
    SPI_ChipSelectPolarity_Invalid = 0x0,
    SPI_ChipSelectPolarity_ActiveLow = 0x1,
    SPI_ChipSelectPolarity_ActiveHigh = 0x2,
};

typedef uint32_t SPI_Mode;
enum { SPI_Mode_Invalid = 0x0, SPI_Mode_0 = 0x1, SPI_Mode_1 = 0x2, SPI_Mode_2 = 0x3, SPI_Mode_3 = 0x4 };

typedef uint32_t SPI_BitOrder;
enum { SPI_BitOrder_Invalid = 0x0, SPI_BitOrder_LsbFirst = 0x1, SPI_BitOrder_MsbFirst = 0x2 };

typedef uint32_t SPI_TransferFlags;
enum { SPI_TransferFlags_None = 0x0, SPI_TransferFlags_Read = 0x1, SPI_TransferFlags_Write = 0x2 };

typedef struct SPIMaster_Config {
    uint32_t z__magicAndVersion;
    SPI_ChipSelectPolarity csPolarity;
} SPIMaster_Config;

typedef struct SPIMaster_Transfer {
    uint32_t z__magicAndVersion;
    SPI_TransferFlags flags;
    const uint8_t *writeData;
    uint8_t *readData;
    size_t length;
} SPIMaster_Transfer;

int SPIMaster_InitConfig(SPIMaster_Config *config);
int SPIMaster_Open(SPI_InterfaceId interfaceId, SPI_ChipSelectId chipSelectId,
                   const SPIMaster_Config *config);
int SPIMaster_SetBusSpeed(int fd, uint32_t speedInHz);
int SPIMaster_SetMode(int fd, SPI_Mode mode);
int SPIMaster_SetBitOrder(int fd, SPI_BitOrder order);
int SPIMaster_InitTransfers(SPIMaster_Transfer *transfers, size_t transferCount);
ssize_t SPIMaster_TransferSequential(int fd, const SPIMaster_Transfer *transfers,
                                     size_t transferCount);
ssize_t SPIMaster_WriteThenRead(int fd, const uint8_t *writeData, size_t lenWriteData,
                                uint8_t *readData, size_t lenReadData);
#ifdef __cplusplus
}
#endif
#endif
