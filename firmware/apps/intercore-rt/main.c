/* The real-time half of the inter-core pair: waits for the kernel's buffer set-up
   (0xBA5E0001 outbound, 0xBA5E0002 inbound, 0xBA5E0003 go, facts §5.2), then answers each
   message from the high-level app with "echo: " + the message, to the sender's component
   ID. It sleeps in WFI until the kernel's doorbell (SW_RX_INT_STS bit 1, IRQ 11). */
#include "armv7m.h"
#include "mt3620.h"
#include "mt3620-mbox.h"
#include "rtprint.h"

#define MBOX 0x21050000u             /* this core's end of the A7 mailbox */
#define HEADER 64u

struct header { volatile uint32_t write_position, read_position, reserved[14]; };
struct ring { struct header *hdr; uint8_t *data; uint32_t size; };

extern const uintptr_t ExceptionVectorTable[];
static volatile uint32_t doorbells;

void IRQ11_Handler(void)
{
    MBOX_SW_RX_INT_STS(MBOX) = 0x2u;
    doorbells++;
}

static struct ring ring_from(uint32_t word)
{
    uint32_t base = word & ~0x1Fu, size = 1u << (word & 0x1Fu);
    return (struct ring){ (struct header *)base, (uint8_t *)(base + HEADER), size - HEADER };
}

static void copy_out(const struct ring *r, uint32_t pos, void *dst, uint32_t n)
{
    uint8_t *d = dst;
    for (uint32_t i = 0; i < n; i++) d[i] = r->data[(pos + i) % r->size];
}

static void copy_in(const struct ring *r, uint32_t pos, const void *src, uint32_t n)
{
    const uint8_t *s = src;
    for (uint32_t i = 0; i < n; i++) r->data[(pos + i) % r->size] = s[i];
}

/* One block from the inbound ring; our read position lives in our outbound header. */
static int dequeue(const struct ring *in, const struct ring *out, uint8_t *buf, uint32_t cap)
{
    uint32_t write = in->hdr->write_position, read = out->hdr->read_position;
    if (write == read) return -1;
    uint32_t size;
    copy_out(in, read, &size, 4);
    if (size > cap) return -2;
    copy_out(in, read + 4, buf, size);
    __asm__ volatile("dmb" ::: "memory");
    out->hdr->read_position = (read + ((4 + size + 15u) & ~15u)) % in->size;
    return (int)size;
}

static int enqueue(const struct ring *in, const struct ring *out, const uint8_t *buf, uint32_t n)
{
    uint32_t write = out->hdr->write_position, remote_read = in->hdr->read_position;
    uint32_t used = (write + out->size - remote_read) % out->size;
    uint32_t block = (4 + n + 15u) & ~15u;
    if (block + 16u > out->size - used) return -1;
    copy_in(out, write, &n, 4);
    copy_in(out, write + 4, buf, n);
    __asm__ volatile("dmb" ::: "memory");
    out->hdr->write_position = (write + block) % out->size;
    MBOX_SW_TX_INT_PORT(MBOX) = 0x1u;        /* "IO core sent" */
    return 0;
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("intercore-rt: waiting for the buffers\n");
    uint32_t outbound = 0, inbound = 0, cmd, data;
    for (int started = 0; !started;) {
        if (!mbox_receive(MBOX, &cmd, &data)) continue;
        if (cmd == 0xBA5E0001u) outbound = data;
        else if (cmd == 0xBA5E0002u) inbound = data;
        else if (cmd == 0xBA5E0003u) started = 1;
    }
    struct ring out = ring_from(outbound), in = ring_from(inbound);
    print("intercore-rt: buffers set up\n");
    MBOX_SW_RX_INT_EN(MBOX) = 0x2u;
    MBOX_SW_RX_INT_STS(MBOX) = 0x2u;
    nvic_enable(11);
    irq_enable();

    static uint8_t block[1044 + 8];
    for (;;) {
        irq_disable();
        int n = dequeue(&in, &out, block, 1044);
        if (n < 0) {
            wfi();                           /* until the next doorbell */
            irq_enable();
            continue;
        }
        irq_enable();
        if (n < 20) continue;
        /* block: sender component ID (16), reserved (4), payload. Reply to the sender. */
        static uint8_t reply[20 + 6 + 1024];
        uint32_t len = (uint32_t)n - 20;
        if (len > 1024 - 6) len = 1024 - 6;
        for (int i = 0; i < 20; i++) reply[i] = block[i];
        const char prefix[] = "echo: ";
        for (int i = 0; i < 6; i++) reply[20 + i] = (uint8_t)prefix[i];
        for (uint32_t i = 0; i < len; i++) reply[26 + i] = block[20 + i];
        block[20 + len] = 0;
        print("intercore-rt: got \"");
        print((const char *)&block[20]);
        print("\"\n");
        enqueue(&in, &out, reply, 26 + len);
    }
}
