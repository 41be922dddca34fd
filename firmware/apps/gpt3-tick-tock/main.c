/* Microsoft's HelloWorld RT sample waits between "Tick" and "Tock" by restarting GPT3 and
   polling its 1 MHz counter until it reaches the wait (a three-instruction ldr; cmp; b
   loop, one MMIO read per iteration). Two ticks and two tocks, one second apart: the
   polling benchmark and the busy-wait fast-forward test run it. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

static void gpt3_wait_us(uint32_t us)
{
    GPT3_INIT = 0;
    GPT3_CTRL = GPT3_OSC_CNT_1US(25) | GPT_CTRL_EN;   /* 26 MHz / 26 = 1 MHz */
    while (GPT3_CNT < us) { }
    GPT3_CTRL &= ~GPT_CTRL_EN;
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    for (int i = 0; i < 2; i++) {
        print("Tick\n");
        gpt3_wait_us(1000000);
        print("Tock\n");
        gpt3_wait_us(1000000);
    }
    for (;;) wfi();
}
