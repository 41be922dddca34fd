/* Microsoft's RT samples wait a few microseconds by polling GPT3's 1 MHz counter. This
   app does a thousand 10 us waits so a test can check they take 10 ms of virtual time,
   not a time slice each. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

static void wait_us(uint32_t us)
{
    uint32_t start = GPT3_CNT;
    while (GPT3_CNT - start < us) { }
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    GPT3_INIT = 0;
    GPT3_CTRL = GPT3_OSC_CNT_1US(25) | GPT_CTRL_EN;   /* 26 MHz / 26 = 1 MHz */
    print("busywait: start\n");
    for (int i = 0; i < 1000; i++) wait_us(10);
    print("busywait: done\n");
    for (;;) wfi();
}
