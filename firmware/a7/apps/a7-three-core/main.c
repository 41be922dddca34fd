/* The A7's part of the three-core test, in the Secure World: copy the two RT apps into
   the IO cores' TCMs, release both cores through the reset-control block, wait until both
   say they are ready, then send tokens around a7 -> io0 -> io1 -> a7 with interrupts on
   every hop. Every core logs on its own UART. */
#include "a7.h"
#include "a7print.h"
#include "mt3620-a7.h"
#include "mt3620-mbox.h"
#include "three-core.h"

extern char vectors[];
extern const uint8_t io0_image[], io0_image_end[], io1_image[], io1_image_end[];

static volatile uint32_t ready_mask, tokens_back, last_token;

SECURE_TEXT static void load_tcm(uintptr_t window, const uint8_t *image, const uint8_t *end)
{
    volatile uint32_t *dst = (volatile uint32_t *)window;
    const uint32_t *src = (const uint32_t *)image;
    uint32_t words = (uint32_t)(end - image + 3) / 4;
    for (uint32_t i = 0; i < IO_TCM_SIZE / 4; i++) dst[i] = i < words ? src[i] : 0;
}

SECURE_TEXT static void drain(uintptr_t mbox)
{
    uint32_t cmd, data;
    while (mbox_receive(mbox, &cmd, &data)) {
        if (cmd == CMD_READY) {
            print("a7: io");
            print_u32(data);
            print(" is ready\n");
            ready_mask |= 1u << data;
        } else if (cmd == CMD_TOKEN) {
            print("a7: token ");
            print_u32(data);
            print(" back from io1\n");
            last_token = data;
            tokens_back++;
        }
    }
}

SECURE_TEXT void irq_handler(void)
{
    uint32_t id = GICC_IAR;
    if (id == GIC_ID_MBOX_IO0(3)) drain(MBOX_A7_IO0);
    else if (id == GIC_ID_MBOX_IO1(3)) drain(MBOX_A7_IO1);
    if (id != GIC_SPURIOUS) GICC_EOIR = id;
}

SECURE_TEXT void secure_main(void)
{
    uart_init();
    print("a7: three-core test\n");
    VBAR_WRITE((uint32_t)vectors);
    GICD_CTLR = 1;                 /* group 0 only: the Secure World takes them as IRQs */
    GICC_CTLR = 1;
    GICC_PMR = 0xF8;
    gic_enable(GIC_ID_MBOX_IO0(3), 0x80);   /* not-empty interrupts of our mailbox ends */
    gic_enable(GIC_ID_MBOX_IO1(3), 0x80);
    MBOX_INT_EN(MBOX_A7_IO0) = MBOX_INT_NE;
    MBOX_INT_EN(MBOX_A7_IO1) = MBOX_INT_NE;

    load_tcm(IO0_TCM_WINDOW, io0_image, io0_image_end);
    load_tcm(IO1_TCM_WINDOW, io1_image, io1_image_end);
    for (unsigned core = 0; core < 2; core++) {
        IO_RESET_VECTOR(core) = 0x00100000u;
        IO_RESET_CTRL(core) = IO_RESET_RUN;
    }
    print("a7: released io0 and io1\n");
    irq_enable();
    while (ready_mask != 3u) wfi();

    for (uint32_t round = 1; round <= ROUNDS; round++) {
        uint32_t before = tokens_back;
        print("a7: round ");
        print_u32(round);
        print(", token ");
        print_u32(round * 10);
        print(" to io0\n");
        mbox_send(MBOX_A7_IO0, CMD_TOKEN, round * 10);
        MBOX_SW_TX_INT_PORT(MBOX_A7_IO0) = 1u << 1;   /* doorbell: io0's IRQ 11 */
        while (tokens_back == before) wfi();
        if (last_token != round * 10 + 2) print("a7: FAIL wrong token\n");
    }
    print("a7: three-core test done\n");
    for (;;) wfi();
}
