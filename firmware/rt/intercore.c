/* The RT side of the kernel's inter-core protocol (facts §5.2-5.3). Our read position in
   the inbound ring lives in our *outbound* ring's header, and the other way round. */
#include "intercore.h"
#include "mt3620-mbox.h"

#define HEADER 64u
#define WRITE_POS 0
#define READ_POS 1

static struct intercore_ring ring_from(uint32_t word)
{
    uint32_t base = word & ~0x1Fu, size = 1u << (word & 0x1Fu);
    return (struct intercore_ring){ (volatile uint32_t *)base, (uint8_t *)(base + HEADER),
                                    size - HEADER };
}

uint32_t intercore_open(void)
{
    MBOX_GEN_CTRL(INTERCORE_MBOX) = MBOX_SOFT_RST_MYSELF;
    return MBOX_FIFO_POP_CNT(INTERCORE_MBOX);
}

void intercore_get_buffers(struct intercore *ic)
{
    uint32_t outbound = 0, inbound = 0, cmd, data;
    for (int started = 0; !started;) {
        if (!mbox_receive(INTERCORE_MBOX, &cmd, &data)) continue;
        if (cmd == 0xBA5E0001u) outbound = data;
        else if (cmd == 0xBA5E0002u) inbound = data;
        else if (cmd == 0xBA5E0003u) started = 1;
    }
    ic->out = ring_from(outbound);
    ic->in = ring_from(inbound);
}

static void copy_out(const struct intercore_ring *r, uint32_t pos, void *dst, uint32_t n)
{
    uint8_t *d = dst;
    for (uint32_t i = 0; i < n; i++) d[i] = r->data[(pos + i) % r->size];
}

static void copy_in(const struct intercore_ring *r, uint32_t pos, const void *src, uint32_t n)
{
    const uint8_t *s = src;
    for (uint32_t i = 0; i < n; i++) r->data[(pos + i) % r->size] = s[i];
}

int intercore_dequeue(const struct intercore *ic, uint8_t *buf, uint32_t cap)
{
    uint32_t write = ic->in.header[WRITE_POS], read = ic->out.header[READ_POS];
    if (write == read) return -1;
    uint32_t size;
    copy_out(&ic->in, read, &size, 4);
    if (size > cap) return -2;
    copy_out(&ic->in, read + 4, buf, size);
    __asm__ volatile("dmb" ::: "memory");
    ic->out.header[READ_POS] = (read + ((4 + size + 15u) & ~15u)) % ic->in.size;
    return (int)size;
}

int intercore_enqueue(const struct intercore *ic, const uint8_t *buf, uint32_t n)
{
    uint32_t write = ic->out.header[WRITE_POS], remote_read = ic->in.header[READ_POS];
    uint32_t used = (write + ic->out.size - remote_read) % ic->out.size;
    uint32_t block = (4 + n + 15u) & ~15u;
    if (block + 16u > ic->out.size - used) return -1;
    copy_in(&ic->out, write, &n, 4);
    copy_in(&ic->out, write + 4, buf, n);
    __asm__ volatile("dmb" ::: "memory");
    ic->out.header[WRITE_POS] = (write + block) % ic->out.size;
    MBOX_SW_TX_INT_PORT(INTERCORE_MBOX) = 0x1u;          /* "IO core sent" */
    return 0;
}
