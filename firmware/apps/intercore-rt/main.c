/* The real-time half of the inter-core pair: opens its channel, waits for the kernel's buffer
   set-up (facts §5.2), then answers each message from the high-level app with "echo: " + the
   message, to the sender's component ID. It sleeps in WFI until the kernel's doorbell
   (SW_RX_INT_STS bit 1, IRQ 11). intercore-late-rt builds this file with OPEN_LATE_MS set:
   it opens its channel only after the kernel has sent the set-up messages. */
#include "armv7m.h"
#include "intercore.h"
#include "mt3620.h"
#include "mt3620-mbox.h"
#include "rtprint.h"

#ifndef APP
#define APP "intercore-rt"
#define OPEN_LATE_MS 0
#endif

extern const uintptr_t ExceptionVectorTable[];

void IRQ11_Handler(void)
{
    MBOX_SW_RX_INT_STS(INTERCORE_MBOX) = 0x2u;
}

static void busy_wait_ms(uint32_t ms)
{
    GPT3_CTRL |= GPT_CTRL_EN;                /* free-running, 1 MHz */
    uint32_t start = GPT3_CNT;
    while (GPT3_CNT - start < ms * 1000u) { }
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    if (OPEN_LATE_MS) {
        print(APP ": opening the channel late\n");
        busy_wait_ms(OPEN_LATE_MS);
    }
    uint32_t waiting = intercore_open();
    print(APP ": channel open, ");
    print_u32(waiting);
    print(" messages waiting\n");
    struct intercore ic;
    intercore_get_buffers(&ic);
    print(APP ": buffers set up\n");
    MBOX_SW_RX_INT_EN(INTERCORE_MBOX) = 0x2u;
    MBOX_SW_RX_INT_STS(INTERCORE_MBOX) = 0x2u;
    nvic_enable(11);
    irq_enable();

    static uint8_t block[1044 + 8];
    for (;;) {
        irq_disable();
        int n = intercore_dequeue(&ic, block, 1044);
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
        print(APP ": got \"");
        print((const char *)&block[20]);
        print("\"\n");
        intercore_enqueue(&ic, reply, 26 + len);
    }
}
