/* Inter-core messaging with RT apps, as the Azure Sphere kernel does it (facts §5): two
   4 KiB ring buffers per IO core in SYSRAM the IO cores can reach (the board maps
   0x803C0000-0x803CFFFF into both IO cores at the same address), announced through the
   A7<->io mailbox with 0xBA5E0001/2/3, doorbells through SW_TX_INT_PORT.

   Per core c: buffer A at COMM_PHYS + c * 0x2000 (RT -> A7, the A7's inbound),
               buffer B at A + 0x1000 (A7 -> RT, the A7's outbound).
   Each: 64-byte header {write_position, read_position, reserved}, then 4032 bytes of ring.
   A writer moves its own buffer's write_position; a reader keeps its read position in the
   header of its *own outbound* buffer. Blocks: u32 size, component ID (16, mixed-endian),
   u32 reserved, payload; each starts on a 16-byte boundary. */
#include "a7.h"
#include "kernel.h"
#include "mt3620-a7.h"
#include "mt3620-mbox.h"
#include "sm_abi.h"
#include "string.h"

#define BUF_SIZE     4096u
#define BUF_LOG2     12u
#define HEADER       64u
#define RING         (BUF_SIZE - HEADER)
#define MAX_PAYLOAD  1024u
#define ID_AND_PORT  20u

struct header { volatile uint32_t write_position, read_position, reserved[14]; };

static uint32_t buf_a(int core) { return COMM_PHYS + (uint32_t)core * 0x2000u; }
static uint32_t buf_b(int core) { return buf_a(core) + BUF_SIZE; }
static uint32_t mbox(int core) { return core ? MBOX_A7_IO1 : MBOX_A7_IO0; }
static uint32_t round16(uint32_t n) { return (n + 15u) & ~15u; }

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* GUID text -> the 16 bytes of a block's component ID (first three fields little-endian). */
int guid_to_bytes(const char *text, uint8_t out[16])
{
    static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
    uint8_t raw[16];
    int n = 0;
    for (int i = 0; text[i] && n < 32; i++) {
        if (text[i] == '-') continue;
        int v = hexval(text[i]);
        if (v < 0) return -1;
        if (n & 1) raw[n / 2] = (uint8_t)(raw[n / 2] << 4 | v);
        else raw[n / 2] = (uint8_t)v;
        n++;
    }
    if (n != 32) return -1;
    for (int i = 0; i < 16; i++) out[i] = raw[order[i]];
    return 0;
}

void intercore_setup(int core)
{
    /* Flushed on every app start, as the real kernel expects ("the mailbox is empty at this
       point"): withdraw whatever we queued for a previous app on this core. */
    MBOX_GEN_CTRL(mbox(core)) = MBOX_SOFT_RST_MYSELF;
    memset((void *)buf_a(core), 0, 2 * BUF_SIZE);
    /* Tell the Security Monitor which memory this core may reach (facts §5.2). */
    register uint32_t r0 __asm__("r0") = SM_SET_COMM_BUFFER;
    register uint32_t r1 __asm__("r1") = (uint32_t)core;
    register uint32_t r2 __asm__("r2") = buf_a(core);
    register uint32_t r3 __asm__("r3") = 2 * BUF_SIZE;
    __asm__ volatile("smc #0" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) :: "memory");
}

void intercore_start(int core)
{
    /* The real kernel's timing here is not public (peripherals §10.4). A millisecond lets an
       app that opens its channel at once do so before the set-up arrives; apps that open
       later find the three messages waiting. Both must work. */
    sleep_ns(1000000);
    mbox_send(mbox(core), 0xBA5E0001u, buf_a(core) | BUF_LOG2);   /* the A7's inbound */
    mbox_send(mbox(core), 0xBA5E0002u, buf_b(core) | BUF_LOG2);   /* the A7's outbound */
    mbox_send(mbox(core), 0xBA5E0003u, 0);
}

static void ring_put(uint32_t buf, uint32_t pos, const void *src, uint32_t n)
{
    const uint8_t *s = src;
    uint8_t *ring = (uint8_t *)(buf + HEADER);
    for (uint32_t i = 0; i < n; i++) ring[(pos + i) % RING] = s[i];
}

static void ring_get(uint32_t buf, uint32_t pos, void *dst, uint32_t n)
{
    uint8_t *d = dst;
    const uint8_t *ring = (const uint8_t *)(buf + HEADER);
    for (uint32_t i = 0; i < n; i++) d[i] = ring[(pos + i) % RING];
}

int intercore_send(int core, const char *sender_id, const void *buf, uint32_t len)
{
    struct header *out = (struct header *)buf_b(core), *in = (struct header *)buf_a(core);
    if (len > MAX_PAYLOAD) return -1;
    uint32_t write = out->write_position, remote_read = in->read_position;
    if (write >= RING || remote_read >= RING || (write | remote_read) & 15u) return -2;
    uint32_t used = (write + RING - remote_read) % RING;
    uint32_t block = round16(4 + ID_AND_PORT + len);
    if (block + 16u > RING - used) return -3;                     /* full: one slot stays free */
    uint32_t size = ID_AND_PORT + len, zero = 0;
    uint8_t id[16];
    guid_to_bytes(sender_id, id);
    ring_put(buf_b(core), write, &size, 4);
    ring_put(buf_b(core), write + 4, id, 16);
    ring_put(buf_b(core), write + 20, &zero, 4);
    ring_put(buf_b(core), write + 24, buf, len);
    dsb();
    out->write_position = (write + block) % RING;
    dsb();
    MBOX_SW_TX_INT_PORT(mbox(core)) = 0x2u;                      /* "HL core sent" */
    return (int)len;
}

int intercore_pending(int core)
{
    return ((struct header *)buf_a(core))->write_position != ((struct header *)buf_b(core))->read_position;
}

int intercore_recv(int core, void *buf, uint32_t cap)
{
    struct header *out = (struct header *)buf_b(core), *in = (struct header *)buf_a(core);
    uint32_t remote_write = in->write_position, read = out->read_position;
    if (remote_write >= RING || read >= RING || (remote_write | read) & 15u) return -2;
    if (remote_write == read) return -1;                          /* empty */
    uint32_t size;
    ring_get(buf_a(core), read, &size, 4);
    if (size < ID_AND_PORT || size > ID_AND_PORT + MAX_PAYLOAD) return -2;
    uint32_t len = size - ID_AND_PORT;
    ring_get(buf_a(core), read + 4 + ID_AND_PORT, buf, len < cap ? len : cap);
    dsb();
    out->read_position = (read + round16(4 + size)) % RING;
    dsb();
    MBOX_SW_TX_INT_PORT(mbox(core)) = 0x1u;                      /* "HL core received" */
    return (int)(len < cap ? len : cap);
}
