/* SPI master over the kernel's spidev: mode, bit order and speed by the SPI_IOC_WR_*
   ioctls, transfers by one SPI_IOC_MESSAGE (the chip select stays asserted across a write
   followed by a read). Half duplex, as applibs documents. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/spi/spidev.h>
#include <applibs/spi.h>

#define CONFIG_MAGIC 0x5C0F0001u
#define TRANSFER_MAGIC 0x5C7A0001u
#define MAX_TRANSFERS 16

int SPIMaster_InitConfig(SPIMaster_Config *config)
{
    if (!config) return errno = EINVAL, -1;
    config->z__magicAndVersion = CONFIG_MAGIC;
    config->csPolarity = SPI_ChipSelectPolarity_ActiveLow;
    return 0;
}

int SPIMaster_Open(SPI_InterfaceId interfaceId, SPI_ChipSelectId chipSelectId,
                   const SPIMaster_Config *config)
{
    int isu = interfaceId;                     /* hw/mt3620.h: MT3620_ISUn_SPI is n */
    int cs = -1 - chipSelectId;                /* MT3620_SPI_CS_A is -1, CS_B -2 */
    if (!config || config->z__magicAndVersion != CONFIG_MAGIC || cs < 0 || cs > 1
        || (config->csPolarity != SPI_ChipSelectPolarity_ActiveLow
            && config->csPolarity != SPI_ChipSelectPolarity_ActiveHigh))
        return errno = EINVAL, -1;
    if (isu < 0 || isu > 4) return errno = EACCES, -1;
    char path[24];
    snprintf(path, sizeof path, "/dev/spidev%d.%d", isu, cs);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) return -1;
    uint8_t mode = config->csPolarity == SPI_ChipSelectPolarity_ActiveHigh ? SPI_CS_HIGH : 0;
    if (ioctl(fd, SPI_IOC_WR_MODE, &mode) < 0) {
        int saved = errno;
        close(fd);
        return errno = saved, -1;
    }
    return fd;
}

int SPIMaster_SetBusSpeed(int fd, uint32_t speedInHz) { return ioctl(fd, SPI_IOC_WR_MAX_SPEED_HZ, &speedInHz); }

static int update_mode(int fd, uint8_t clear, uint8_t set)
{
    uint8_t mode;
    if (ioctl(fd, SPI_IOC_RD_MODE, &mode) < 0) return -1;
    mode = (uint8_t)((mode & ~clear) | set);
    return ioctl(fd, SPI_IOC_WR_MODE, &mode);
}

int SPIMaster_SetMode(int fd, SPI_Mode mode)
{
    if (mode < SPI_Mode_0 || mode > SPI_Mode_3) return errno = EINVAL, -1;
    static const uint8_t bits[] = { SPI_MODE_0, SPI_MODE_1, SPI_MODE_2, SPI_MODE_3 };
    return update_mode(fd, SPI_CPHA | SPI_CPOL, bits[mode - SPI_Mode_0]);
}

int SPIMaster_SetBitOrder(int fd, SPI_BitOrder order)
{
    if (order != SPI_BitOrder_LsbFirst && order != SPI_BitOrder_MsbFirst) return errno = EINVAL, -1;
    return update_mode(fd, SPI_LSB_FIRST, order == SPI_BitOrder_LsbFirst ? SPI_LSB_FIRST : 0);
}

int SPIMaster_InitTransfers(SPIMaster_Transfer *transfers, size_t transferCount)
{
    if (!transfers) return errno = EINVAL, -1;
    for (size_t i = 0; i < transferCount; i++) {
        memset(&transfers[i], 0, sizeof transfers[i]);
        transfers[i].z__magicAndVersion = TRANSFER_MAGIC;
    }
    return 0;
}

ssize_t SPIMaster_TransferSequential(int fd, const SPIMaster_Transfer *transfers, size_t transferCount)
{
    if (!transfers || !transferCount || transferCount > MAX_TRANSFERS) return errno = EINVAL, -1;
    struct spi_ioc_transfer x[MAX_TRANSFERS];
    memset(x, 0, sizeof x);
    for (size_t i = 0; i < transferCount; i++) {
        const SPIMaster_Transfer *t = &transfers[i];
        /* Half duplex: exactly one of read and write per transfer. */
        if (t->z__magicAndVersion != TRANSFER_MAGIC || !t->length
            || (t->flags != SPI_TransferFlags_Read && t->flags != SPI_TransferFlags_Write))
            return errno = EINVAL, -1;
        if (t->flags == SPI_TransferFlags_Write) x[i].tx_buf = (uintptr_t)t->writeData;
        else x[i].rx_buf = (uintptr_t)t->readData;
        x[i].len = (uint32_t)t->length;
        x[i].bits_per_word = 8;
    }
    return ioctl(fd, SPI_IOC_MESSAGE(transferCount), x);
}

ssize_t SPIMaster_WriteThenRead(int fd, const uint8_t *writeData, size_t lenWriteData,
                                uint8_t *readData, size_t lenReadData)
{
    SPIMaster_Transfer t[2];
    SPIMaster_InitTransfers(t, 2);
    t[0].flags = SPI_TransferFlags_Write;
    t[0].writeData = writeData;
    t[0].length = lenWriteData;
    t[1].flags = SPI_TransferFlags_Read;
    t[1].readData = readData;
    t[1].length = lenReadData;
    return SPIMaster_TransferSequential(fd, t, 2);
}
