/* io1's part of the three-core test: say it is ready, then take tokens from io0 (IO-IO
   mailbox not-empty interrupt, IRQ 15), log them and send them back to the A7. */
#include "armv7m.h"
#include "mt3620-mbox.h"
#include "mt3620.h"
#include "rtprint.h"
#include "three-core.h"

#define MBOX_A7          0x21050000u
#define MBOX_IO0         0x21060000u
#define IRQ_MBOX_IO_NE   15

extern const uintptr_t ExceptionVectorTable[];

void IRQ15_Handler(void)
{
    uint32_t cmd, data;
    while (mbox_receive(MBOX_IO0, &cmd, &data)) {
        if (cmd != CMD_TOKEN) continue;
        print("io1: token ");
        print_u32(data);
        print(" from io0, returning it to a7\n");
        mbox_send(MBOX_A7, CMD_TOKEN, data + 1);
    }
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("io1: up\n");
    MBOX_INT_EN(MBOX_IO0) = MBOX_INT_NE;
    nvic_set_priority(IRQ_MBOX_IO_NE, 2);
    nvic_enable(IRQ_MBOX_IO_NE);
    mbox_send(MBOX_A7, CMD_READY, 1);
    for (;;) wfi();
}
