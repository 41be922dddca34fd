/* /dev/i2c-N: the ISU N I2C master as Linux's i2c-dev (I2C_SLAVE, I2C_RDWR, read/write,
   I2C_TIMEOUT, I2C_FUNCS) plus one ioctl of ours for the bus speed, which Linux sets from
   the device tree. Capabilities.I2cMaster must list "ISU<N>".

   The A7 drives the block's packet engine through its registers (ISU + 0x200): a hardware
   transaction is up to three packets to one address, at most 8 bytes written and 8 read
   (the FIFOs; the A7 has no DMA channel to the ISU). A message list becomes as few such
   transactions as fit: a read longer than 8 bytes continues in further packets or
   transactions (a register device's auto-increment reads on), a write longer than 8 bytes
   is refused with EOPNOTSUPP. The driver sleeps in WFI until the block's interrupt says the
   transaction ended. A NACK is ENXIO, no end within the timeout ETIMEDOUT. */
#include "kernel.h"
#include "linux.h"
#include "mt3620-a7.h"
#include "stdio.h"
#include "string.h"

#define ISU_BASE(n)      (0x38070000u + (uint32_t)(n) * 0x10000u)
#define I2C(n, off)      REG32(ISU_BASE(n) + 0x200u + (off))
#define INT_CTRL         0x00u
#define MM_PAD_CON0      0x40u
#define MM_CNT_VAL_PHL   0x44u
#define MM_CNT_VAL_PHH   0x48u
#define MM_CNT_BYTE_PK(k) (0x54u + 4u * (k))
#define MM_ID_CON0       0x60u
#define MM_PACK_CON0     0x68u
#define MM_ACK_VAL       0x6Cu
#define MM_CON0          0x70u
#define MM_FIFO_CON0     0x78u
#define MM_FIFO_DATA     0x90u
#define MM_INT_STA       (1u << 0)
#define MM_INT_EN        (1u << 1)
#define START_EN         (1u << 0)
#define MASTER_EN        (1u << 15)
#define ISU_I2C_CLK_EN   (1u << 8)
#define I2C_IRQ(n)       (76u + 4u * (unsigned)(n))   /* GIC id: 32 + NVIC 44 + 4n */
#define SOURCE_CLOCK_HZ  40000000u
#define FIFO_BYTES       8u

/* linux/i2c-dev.h, linux/i2c.h */
#define I2C_TIMEOUT      0x0702u   /* in units of 10 ms */
#define I2C_SLAVE        0x0703u
#define I2C_TENBIT       0x0704u
#define I2C_FUNCS        0x0705u
#define I2C_SLAVE_FORCE  0x0706u
#define I2C_RDWR         0x0707u
#define I2C_SPEED        0x0780u   /* ours: bus speed in Hz */
#define I2C_M_RD         0x0001u
#define I2C_M_TEN        0x0010u
#define I2C_FUNC_I2C     0x00000001u
#define I2C_RDWR_MAX_MSGS 42u
struct i2c_msg { uint16_t addr, flags, len; uint8_t *buf; };
struct i2c_rdwr_data { struct i2c_msg *msgs; uint32_t nmsgs; };

/* Per open file: a = default target address, b = bus speed (Hz), c = timeout (ns). */
struct packet { int read; uint32_t len; uint8_t *buf; };
struct transaction { int isu; uint16_t addr; int count; uint32_t tx, rx; struct packet p[3]; };

static int ended(void *ctx) { return (int)(I2C(*(int *)ctx, INT_CTRL) & MM_INT_STA); }

/* One hardware transaction: program, start, sleep until the interrupt, collect. */
static int32_t run(struct transaction *t, const struct file *f)
{
    int isu = t->isu;
    uint32_t phase = (SOURCE_CLOCK_HZ / (uint32_t)f->b + 3u) / 4u - 1u;
    if (phase > 0xFFu) phase = 0xFFu;
    I2C(isu, MM_FIFO_CON0) = 3u;                           /* clear both FIFOs */
    I2C(isu, INT_CTRL) = MM_INT_STA | MM_INT_EN;
    I2C(isu, MM_ID_CON0) = t->addr;
    I2C(isu, MM_CNT_VAL_PHL) = phase | phase << 8;
    I2C(isu, MM_CNT_VAL_PHH) = phase | phase << 8;
    uint32_t pack = (uint32_t)(t->count - 1) << 4;
    for (int k = 0; k < t->count; k++) {
        const struct packet *p = &t->p[k];
        if (p->read) pack |= 1u << k;
        I2C(isu, MM_CNT_BYTE_PK(k)) = p->len;
        if (!p->read) for (uint32_t i = 0; i < p->len; i++) I2C(isu, MM_FIFO_DATA) = p->buf[i];
    }
    I2C(isu, MM_PACK_CON0) = pack;
    I2C(isu, MM_CON0) = MASTER_EN | START_EN;
    int done = irq_wait(I2C_IRQ(isu), ended, &isu, f->c);
    uint32_t nack = I2C(isu, MM_ACK_VAL);
    I2C(isu, INT_CTRL) = MM_INT_STA;                       /* acknowledge, interrupt off */
    if (!done) {
        I2C(isu, MM_CON0) = 0;
        return -ETIMEDOUT;
    }
    if (nack) return -ENXIO;
    for (int k = 0; k < t->count; k++) {
        const struct packet *p = &t->p[k];
        if (p->read) for (uint32_t i = 0; i < p->len; i++) p->buf[i] = (uint8_t)I2C(isu, MM_FIFO_DATA);
    }
    return 0;
}

/* Add a message's bytes to the transaction, running it whenever it is full. */
static int32_t add(struct transaction *t, const struct file *f, uint16_t addr, int read,
                   uint8_t *buf, uint32_t len)
{
    if (!read && len > FIFO_BYTES) return -EOPNOTSUPP;
    do {
        uint32_t room = FIFO_BYTES - (read ? t->rx : t->tx);
        if (t->count && (t->addr != addr || t->count == 3 || !room || (!read && len > room))) {
            int32_t r = run(t, f);
            if (r < 0) return r;
            t->count = 0;
            t->tx = t->rx = 0;
            room = FIFO_BYTES;
        }
        uint32_t n = len < room ? len : room;
        t->addr = addr;
        t->p[t->count++] = (struct packet){ read, n, buf };
        if (read) t->rx += n;
        else t->tx += n;
        buf += n;
        len -= n;
    } while (len);
    return 0;
}

static int32_t rdwr(struct file *f, uint32_t arg)
{
    if (!user_ok(arg, sizeof(struct i2c_rdwr_data), 0)) return -EFAULT;
    const struct i2c_rdwr_data *d = (const struct i2c_rdwr_data *)arg;
    if (d->nmsgs > I2C_RDWR_MAX_MSGS) return -EINVAL;
    if (!user_ok((uint32_t)d->msgs, d->nmsgs * sizeof(struct i2c_msg), 0)) return -EFAULT;
    struct transaction t = { .isu = f->unit };
    for (uint32_t i = 0; i < d->nmsgs; i++) {
        const struct i2c_msg *m = &d->msgs[i];
        if (m->flags & I2C_M_TEN || m->addr > 0x7F) return -EINVAL;
        if (!user_ok((uint32_t)m->buf, m->len, m->flags & I2C_M_RD)) return -EFAULT;
        int32_t r = add(&t, f, m->addr, m->flags & I2C_M_RD, m->buf, m->len);
        if (r < 0) return r;
    }
    int32_t r = t.count ? run(&t, f) : 0;
    return r < 0 ? r : (int32_t)d->nmsgs;
}

static int32_t plain(struct file *f, char *buf, uint32_t len, int read)
{
    struct transaction t = { .isu = f->unit };
    int32_t r = add(&t, f, (uint16_t)f->a, read, (uint8_t *)buf, len);
    if (r == 0 && t.count) r = run(&t, f);
    return r < 0 ? r : (int32_t)len;
}

static int32_t i2c_read(struct file *f, char *buf, uint32_t len) { return plain(f, buf, len, 1); }
static int32_t i2c_write(struct file *f, const char *buf, uint32_t len) { return plain(f, (char *)buf, len, 0); }

static int32_t i2c_ioctl(struct file *f, uint32_t req, uint32_t arg)
{
    switch (req) {
    case I2C_SLAVE: case I2C_SLAVE_FORCE:
        if (arg > 0x7F) return -EINVAL;
        f->a = arg;
        return 0;
    case I2C_TENBIT: return arg ? -EINVAL : 0;
    case I2C_TIMEOUT:
        f->c = (uint64_t)(arg ? arg : 1u) * 10000000u;
        return 0;
    case I2C_FUNCS:
        if (!user_ok(arg, 4, 1)) return -EFAULT;
        *(uint32_t *)arg = I2C_FUNC_I2C;
        return 0;
    case I2C_SPEED:
        if (arg < SOURCE_CLOCK_HZ / 1024u || arg > 1000000u) return -EINVAL;
        f->b = arg;
        return 0;
    case I2C_RDWR: return rdwr(f, arg);
    default: return -ENOTTY;
    }
}

static const struct file_ops i2c_ops = {
    .name = "i2c", .read = i2c_read, .write = i2c_write, .ioctl = i2c_ioctl, .mode = S_IFCHR,
};

int32_t i2c_open(int isu, uint32_t flags)
{
    if (!(proc_manifest()->i2c >> isu & 1u)) {
        char cap[20];
        snprintf(cap, sizeof cap, "I2cMaster ISU%d", isu);
        return refuse(-EACCES, cap);
    }
    for (int fd = 0; fd < MAX_FDS; fd++) {
        struct file *f = fd_get(fd);
        if (f && f->ops == &i2c_ops && f->unit == isu) return -EBUSY;   /* exclusive use */
    }
    int fd = fd_install(&i2c_ops, flags, isu);
    if (fd < 0) return fd;
    struct file *f = fd_get(fd);
    f->b = 100000u;                                        /* standard mode */
    f->c = 1000000000u;                                    /* 1 s */
    REG32(ISU_BASE(isu)) |= ISU_I2C_CLK_EN;
    I2C(isu, MM_PAD_CON0) = 0x81u;
    return fd;
}
