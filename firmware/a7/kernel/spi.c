/* /dev/spidevN.C: the ISU N SPI master, chip select C (0 = CS A, 1 = CS B), as Linux's
   spidev (SPI_IOC_MESSAGE, SPI_IOC_{RD,WR}_{MODE,MODE32,LSB_FIRST,BITS_PER_WORD,
   MAX_SPEED_HZ}). Capabilities.SpiMaster must list "ISU<N>".

   The A7 drives the block through its registers (ISU + 0x300). One hardware transfer
   selects the device, shifts out up to 32 bytes from SDOR0-7 and then shifts in up to 32
   bytes into SDIR0-7 (half duplex), or exchanges up to 16 bytes (full duplex), and releases
   the chip select. So a message's transfers map onto hardware transfers: a write followed
   by a read is one (one chip-select assertion, as SPIMaster_WriteThenRead needs), any other
   transfer is one of its own; a transfer larger than the block holds is refused with
   EMSGSIZE. 8-bit words only. The driver sleeps in WFI until the block's interrupt. */
#include "kernel.h"
#include "linux.h"
#include "mt3620-a7.h"
#include "stdio.h"
#include "string.h"

#define ISU_BASE(n)     (0x38070000u + (uint32_t)(n) * 0x10000u)
#define SPI(n, off)     REG32(ISU_BASE(n) + 0x300u + (off))
#define STCSR           0x00u
#define SDOR(i)         (0x08u + 4u * (i))
#define SMMR            0x28u
#define SMBCR           0x2Cu
#define SCSR            0x34u
#define CSPOL           0x38u
#define SDIR(i)         (0x48u + 4u * (i))
#define START           (1u << 8)
#define BUSY            (1u << 16)
#define SMMR_LSB_FIRST  (1u << 3)
#define SMMR_CPOL       (1u << 4)
#define SMMR_CPHA       (1u << 5)
#define SMMR_INT_EN     (1u << 9)
#define SMMR_FULL       (1u << 10)
#define ISU_SPI_CLK_EN  (0xFu << 9)
#define SPI_IRQ(n)      (77u + 4u * (unsigned)(n))   /* GIC id: 32 + NVIC 45 + 4n */
#define SOURCE_CLOCK_HZ 80000000u
#define HALF_BYTES      32u
#define FULL_BYTES      16u

/* linux/spi/spidev.h: mode bits and the ioctls ('k'). */
#define SPI_CPHA        0x01u
#define SPI_CPOL        0x02u
#define SPI_CS_HIGH     0x04u
#define SPI_LSB_FIRST   0x08u
#define IOC(dir, nr, size) ((uint32_t)(dir) << 30 | (uint32_t)(size) << 16 | 0x6Bu << 8 | (nr))
#define SPI_IOC_MESSAGE_BASE IOC(1, 0, 0)
struct spi_ioc_transfer {
    uint64_t tx_buf, rx_buf;
    uint32_t len, speed_hz;
    uint16_t delay_usecs;
    uint8_t bits_per_word, cs_change, tx_nbits, rx_nbits, word_delay_usecs, pad;
};

/* Per open file: unit = ISU * 2 + chip select; a = mode bits, b = speed (Hz). */
static int busy_done(void *ctx) { return !(SPI(*(int *)ctx, STCSR) & BUSY); }

static void put_bytes(int isu, const uint8_t *data, uint32_t len)
{
    uint32_t words[8] = { 0 };
    memcpy(words, data, len);
    for (uint32_t i = 0; i < 8; i++) SPI(isu, SDOR(i)) = words[i];
}

/* One hardware transfer: MOSI bytes out, then (or, full duplex, while) MISO bytes in. */
static int32_t transfer(struct file *f, const uint8_t *out, uint32_t out_len, uint8_t *in,
                        uint32_t in_len, int full, uint32_t speed)
{
    int isu = f->unit / 2;
    uint32_t div = (SOURCE_CLOCK_HZ + speed - 1u) / speed;
    div = div < 2u ? 0u : div - 2u;
    if (div > 0xFFFu) div = 0xFFFu;
    uint32_t mode = (uint32_t)f->a;
    uint32_t smmr = (uint32_t)(f->unit % 2) << 29 | div << 16 | SMMR_INT_EN
                    | (full ? SMMR_FULL : 0u) | (mode & SPI_CPOL ? SMMR_CPOL : 0u)
                    | (mode & SPI_CPHA ? SMMR_CPHA : 0u) | (mode & SPI_LSB_FIRST ? SMMR_LSB_FIRST : 0u);
    SPI(isu, CSPOL) = mode & SPI_CS_HIGH ? 1u << (f->unit % 2) : 0u;
    put_bytes(isu, out, out_len);
    SPI(isu, SMMR) = smmr;
    SPI(isu, SMBCR) = (in_len * 8u) << 12 | out_len * 8u;
    (void)SPI(isu, SCSR);                                  /* reading clears a stale status */
    SPI(isu, STCSR) = START;
    int done = irq_wait(SPI_IRQ(isu), busy_done, &isu, 1000000000u);
    (void)SPI(isu, SCSR);                                  /* acknowledge: the line drops */
    if (!done) return -ETIMEDOUT;
    uint32_t words[8];
    for (uint32_t i = 0; i < 8; i++) words[i] = SPI(isu, SDIR(i));
    memcpy(in, (const uint8_t *)words + (full ? FULL_BYTES : 0u), in_len);
    return 0;
}

static int32_t message(struct file *f, uint32_t arg, uint32_t size)
{
    uint32_t n = size / sizeof(struct spi_ioc_transfer);
    if (size % sizeof(struct spi_ioc_transfer)) return -EINVAL;
    if (!user_ok(arg, size, 0)) return -EFAULT;
    const struct spi_ioc_transfer *x = (const struct spi_ioc_transfer *)arg;
    int32_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        const struct spi_ioc_transfer *t = &x[i];
        if ((t->bits_per_word && t->bits_per_word != 8) || t->tx_buf >> 32 || t->rx_buf >> 32)
            return -EINVAL;
        const uint8_t *out = (const uint8_t *)(uint32_t)t->tx_buf;
        uint8_t *in = (uint8_t *)(uint32_t)t->rx_buf;
        if ((out && !user_ok((uint32_t)out, t->len, 0)) || (in && !user_ok((uint32_t)in, t->len, 1)))
            return -EFAULT;
        uint32_t speed = t->speed_hz ? t->speed_hz : (uint32_t)f->b;
        uint8_t scratch[HALF_BYTES];
        int32_t r;
        if (out && in) {                                   /* full duplex */
            if (t->len > FULL_BYTES) return -EMSGSIZE;
            r = transfer(f, out, t->len, in, t->len, 1, speed);
        } else if (out && i + 1 < n && !t->cs_change && !x[i + 1].tx_buf && x[i + 1].rx_buf) {
            const struct spi_ioc_transfer *rd = &x[++i];   /* write then read: one transfer */
            in = (uint8_t *)(uint32_t)rd->rx_buf;
            if (t->len > HALF_BYTES || rd->len > HALF_BYTES) return -EMSGSIZE;
            if (!user_ok((uint32_t)in, rd->len, 1)) return -EFAULT;
            r = transfer(f, out, t->len, in, rd->len, 0, speed);
            total += (int32_t)rd->len;
        } else {
            if (t->len > HALF_BYTES) return -EMSGSIZE;
            r = out ? transfer(f, out, t->len, scratch, 0, 0, speed)
                    : transfer(f, scratch, 0, in ? in : scratch, t->len, 0, speed);
        }
        if (r < 0) return r;
        total += (int32_t)t->len;
    }
    return total;
}

static int32_t get_u(uint32_t arg, uint32_t value, uint32_t size)
{
    if (!user_ok(arg, size, 1)) return -EFAULT;
    if (size == 1) *(uint8_t *)arg = (uint8_t)value;
    else *(uint32_t *)arg = value;
    return 0;
}

static int32_t set_u(uint32_t arg, uint32_t size, uint32_t *out)
{
    if (!user_ok(arg, size, 0)) return -EFAULT;
    *out = size == 1 ? *(const uint8_t *)arg : *(const uint32_t *)arg;
    return 0;
}

static int32_t spi_ioctl(struct file *f, uint32_t req, uint32_t arg)
{
    uint32_t v = 0, size = req >> 16 & 0x3FFFu;
    int32_t r;
    if ((req & ~(0x3FFFu << 16)) == SPI_IOC_MESSAGE_BASE) return message(f, arg, size);
    switch (req) {
    case IOC(2, 1, 1): case IOC(2, 5, 4): return get_u(arg, (uint32_t)f->a, size);
    case IOC(2, 2, 1): return get_u(arg, f->a & SPI_LSB_FIRST ? 1u : 0u, 1);
    case IOC(2, 3, 1): return get_u(arg, 8, 1);
    case IOC(2, 4, 4): return get_u(arg, (uint32_t)f->b, 4);
    case IOC(1, 1, 1): case IOC(1, 5, 4):
        if ((r = set_u(arg, size, &v)) < 0) return r;
        if (v & ~(SPI_CPHA | SPI_CPOL | SPI_CS_HIGH | SPI_LSB_FIRST)) return -EINVAL;
        f->a = v;
        return 0;
    case IOC(1, 2, 1):
        if ((r = set_u(arg, 1, &v)) < 0) return r;
        f->a = v ? f->a | SPI_LSB_FIRST : f->a & ~(uint64_t)SPI_LSB_FIRST;
        return 0;
    case IOC(1, 3, 1):
        if ((r = set_u(arg, 1, &v)) < 0) return r;
        return v == 0 || v == 8 ? 0 : -EINVAL;
    case IOC(1, 4, 4):
        if ((r = set_u(arg, 4, &v)) < 0) return r;
        if (v < SOURCE_CLOCK_HZ / 0x1001u || v > SOURCE_CLOCK_HZ / 2u) return -EINVAL;
        f->b = v;
        return 0;
    default: return -ENOTTY;
    }
}

static const struct file_ops spi_ops = { .name = "spidev", .ioctl = spi_ioctl, .mode = S_IFCHR };

int32_t spi_open(int isu, int cs, uint32_t flags)
{
    if (!(proc_manifest()->spi >> isu & 1u)) {
        char cap[20];
        snprintf(cap, sizeof cap, "SpiMaster ISU%d", isu);
        return refuse(-EACCES, cap);
    }
    for (int fd = 0; fd < MAX_FDS; fd++) {
        struct file *f = fd_get(fd);
        if (f && f->ops == &spi_ops && f->unit == isu * 2 + cs) return -EBUSY;
    }
    int fd = fd_install(&spi_ops, flags, isu * 2 + cs);
    if (fd < 0) return fd;
    fd_get(fd)->b = 1000000u;
    REG32(ISU_BASE(isu)) |= ISU_SPI_CLK_EN;
    return fd;
}
