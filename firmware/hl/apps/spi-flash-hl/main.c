/* Reads a SPI NOR flash on ISU1 chip select A: its JEDEC ID (0x9F) and 16 bytes from
   address 0x100 (0x03), each one write-then-read under one chip-select assertion. */
#include <errno.h>
#include <string.h>
#include <applibs/log.h>
#include <applibs/spi.h>
#include <hw/mt3620.h>

int main(void)
{
    SPIMaster_Config config;
    SPIMaster_InitConfig(&config);
    config.csPolarity = SPI_ChipSelectPolarity_ActiveLow;
    int spi = SPIMaster_Open(MT3620_ISU1_SPI, MT3620_SPI_CS_A, &config);
    if (spi < 0) {
        Log_Debug("SPIMaster_Open: errno=%d (%s)\n", errno, strerror(errno));
        return 1;
    }
    if (SPIMaster_SetBusSpeed(spi, 8000000) < 0 || SPIMaster_SetMode(spi, SPI_Mode_0) < 0
        || SPIMaster_SetBitOrder(spi, SPI_BitOrder_MsbFirst) < 0) {
        Log_Debug("SPI setup: errno=%d\n", errno);
        return 2;
    }
    static const uint8_t jedec = 0x9F;
    uint8_t id[3] = { 0 };
    ssize_t n = SPIMaster_WriteThenRead(spi, &jedec, 1, id, sizeof id);
    Log_Debug("JEDEC ID: %02x %02x %02x (%zd bytes transferred)\n", id[0], id[1], id[2], n);
    static const uint8_t read_cmd[] = { 0x03, 0x00, 0x01, 0x00 };
    uint8_t data[16];
    n = SPIMaster_WriteThenRead(spi, read_cmd, sizeof read_cmd, data, sizeof data);
    Log_Debug("read at 0x100 (%zd):", n);
    for (unsigned i = 0; i < sizeof data; i++) Log_Debug(" %02x", data[i]);
    Log_Debug("\n");
    uint8_t big[40];
    n = SPIMaster_WriteThenRead(spi, read_cmd, sizeof read_cmd, big, sizeof big);
    Log_Debug("a 40-byte read: %zd, errno=%d\n", n, errno);
    return 0;
}
