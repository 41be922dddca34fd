/* The RT side of inter-core messaging with the high-level app (facts §5): the kernel's
   buffer set-up on the A7 mailbox, and the two shared rings. docs/kernel-and-apps.md §6. */
#ifndef INTERCORE_H
#define INTERCORE_H
#include <stdint.h>

#define INTERCORE_MBOX 0x21050000u           /* this core's end of the A7 mailbox */

struct intercore_ring {
    volatile uint32_t *header;               /* write_position, read_position, reserved */
    uint8_t *data;
    uint32_t size;
};
struct intercore { struct intercore_ring in, out; };

/* Open the channel the way MediaTek's driver does (GEN_CTRL = SOFT_RST_MYSELF): withdraws
   nothing the kernel queued already. Returns how many messages were waiting. */
uint32_t intercore_open(void);
/* Wait for 0xBA5E0001 (our outbound), 0xBA5E0002 (our inbound), 0xBA5E0003 (go). */
void intercore_get_buffers(struct intercore *ic);
/* One block from the inbound ring into buf (<= cap bytes): its size, -1 if none, -2 if it
   does not fit. Blocks: component ID (16), reserved (4), payload. */
int intercore_dequeue(const struct intercore *ic, uint8_t *buf, uint32_t cap);
/* Queue one block and ring the kernel's doorbell; -1 if the ring is full. */
int intercore_enqueue(const struct intercore *ic, const uint8_t *buf, uint32_t n);
#endif
