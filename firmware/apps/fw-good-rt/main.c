/* The well-behaved half of the firewall tests (tests/test_firewall.py): an RT app that owns
   ISU0 by its manifest and writes on it and on its debug UART, ten times 10 ms apart. Its
   output must be the same byte for byte whether fw-escape-rt runs next to it or not. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

#define ISU0_UART 0x38070500u

extern const uintptr_t ExceptionVectorTable[];

static volatile uint32_t expiries;

void IRQ1_Handler(void)
{
    uint32_t isr = GPT_ISR;
    GPT_ISR = isr;
    if (isr & 1u) expiries++;
}

static void sleep_ms(uint32_t ms)
{
    uint32_t target = expiries + 1;
    GPT0_CTRL = 0;
    GPT0_ICNT = ms;
    GPT0_CTRL = GPT_CTRL_EN | GPT_CTRL_RESTART;
    for (;;) {
        irq_disable();
        if (expiries >= target) break;
        wfi();
        irq_enable();
    }
    irq_enable();
}

static void isu_print(const char *s)
{
    for (; *s; s++) uart_putc(ISU0_UART, *s);
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    uart_init(ISU0_UART);
    GPT_IER = 1u << 0;
    nvic_enable(IRQ_GPT01);
    irq_enable();
    for (uint32_t tick = 1; tick <= 10; tick++) {
        sleep_ms(10);
        print("fw-good-rt: tick ");
        print_u32(tick);
        print("\n");
        isu_print("good on ISU0\r\n");
    }
    print("fw-good-rt: done\n");
    for (;;) wfi();
}
