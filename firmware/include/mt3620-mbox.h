/* MT3620 inter-core mailbox registers. Both ends of every mailbox use this layout: the IO
   cores at 0x21050000 (with the A7) and 0x21060000 (with the other IO core), the A7 at
   0x31010000 (with io0) and 0x31020000 (with io1). See docs/cortex-a7.md and
   docs/peripherals.md. */
#ifndef MT3620_MBOX_H
#define MT3620_MBOX_H
#include <stdint.h>

#define MBOX_REG(base, off)   (*(volatile uint32_t *)((base) + (off)))
#define MBOX_VER(b)           MBOX_REG(b, 0x00)   /* reads MBOX_VER_MT3620 */
#define MBOX_GEN_CTRL(b)      MBOX_REG(b, 0x04)
#define MBOX_SW_TX_INT_PORT(b) MBOX_REG(b, 0x14)
#define MBOX_SW_RX_INT_EN(b)  MBOX_REG(b, 0x18)
#define MBOX_SW_RX_INT_STS(b) MBOX_REG(b, 0x1C)
#define MBOX_NF_THRS(b)       MBOX_REG(b, 0x30)
#define MBOX_NE_THRS(b)       MBOX_REG(b, 0x34)
#define MBOX_INT_EN(b)        MBOX_REG(b, 0x38)
#define MBOX_INT_STS(b)       MBOX_REG(b, 0x3C)
#define MBOX_CMD_PUSH(b)      MBOX_REG(b, 0x40)
#define MBOX_DATA_PUSH(b)     MBOX_REG(b, 0x44)
#define MBOX_FIFO_PUSH_CNT(b) MBOX_REG(b, 0x48)
#define MBOX_CMD_POP(b)       MBOX_REG(b, 0x50)
#define MBOX_DATA_POP(b)      MBOX_REG(b, 0x54)
#define MBOX_FIFO_POP_CNT(b)  MBOX_REG(b, 0x58)

/* INT_EN / INT_STS, in the chip vendor's bit order (MediaTek hdl_mbox.h). */
#define MBOX_INT_NE  (1u << 0)   /* our inbound FIFO is not empty */
#define MBOX_INT_WR  (1u << 1)   /* the peer pushed a message to us (write 1 to clear) */
#define MBOX_INT_NF  (1u << 2)   /* our outbound FIFO has room */
#define MBOX_INT_RD  (1u << 3)   /* the peer popped one of our messages (write 1 to clear) */
/* GEN_CTRL (self-clearing). Neither drops messages the peer has already queued for us. */
#define MBOX_SOFT_RST        (1u << 0)   /* SOFT_RST_MYSELF, and the peer's events too */
#define MBOX_SOFT_RST_MYSELF (1u << 1)   /* withdraw our unread messages, clear our events */
#define MBOX_VER_MT3620 0x36200000u
#define MBOX_FIFO_DEPTH 15

/* Send one message: DATA first, then CMD (which pushes the pair). Waits for room. */
static inline void mbox_send(uintptr_t base, uint32_t cmd, uint32_t data)
{
    while (MBOX_FIFO_PUSH_CNT(base) >= MBOX_FIFO_DEPTH) { }
    MBOX_DATA_PUSH(base) = data;
    MBOX_CMD_PUSH(base) = cmd;
}

/* Receive one message if there is one: DATA (the head's) first, then CMD (which pops). */
static inline int mbox_receive(uintptr_t base, uint32_t *cmd, uint32_t *data)
{
    if (MBOX_FIFO_POP_CNT(base) == 0) return 0;
    *data = MBOX_DATA_POP(base);
    *cmd = MBOX_CMD_POP(base);
    return 1;
}
#endif
