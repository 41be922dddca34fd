/* io0's part of the three-core test: say it is ready, then take tokens from the A7
   (mailbox doorbell, IRQ 11), log them and pass them on to io1 through the IO-IO mailbox. */
#include "armv7m.h"
#include "mt3620-mbox.h"
#include "mt3620.h"
#include "rtprint.h"
#include "three-core.h"

#define MBOX_A7          0x21050000u
#define MBOX_IO1         0x21060000u
#define IRQ_MBOX_A7_SW   11
#define SW_FROM_A7       (1u << 1)

extern const uintptr_t ExceptionVectorTable[];

void IRQ11_Handler(void)
{
    uint32_t cmd, data;
    MBOX_SW_RX_INT_STS(MBOX_A7) = SW_FROM_A7;
    while (mbox_receive(MBOX_A7, &cmd, &data)) {
        if (cmd != CMD_TOKEN) continue;
        print("io0: token ");
        print_u32(data);
        print(" from a7, passing it to io1\n");
        mbox_send(MBOX_IO1, CMD_TOKEN, data + 1);
    }
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("io0: up\n");
    MBOX_SW_RX_INT_EN(MBOX_A7) = SW_FROM_A7;
    nvic_set_priority(IRQ_MBOX_A7_SW, 2);
    nvic_enable(IRQ_MBOX_A7_SW);
    mbox_send(MBOX_A7, CMD_READY, 0);
    for (;;) wfi();
}
