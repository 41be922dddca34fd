/* Firmware for debugging with GDB (tests/test_gdb_firmware.py, docs/gdb.md).
 *
 * - timer_ticks is written only by the GPT0 interrupt handler: a watchpoint on it stops
 *   inside the handler.
 * - scale() takes arguments and has locals: something to step into and print.
 * - multiplier steers what is printed: `set var multiplier = 100` shows on the UART.
 *
 * GPT0 interrupts every 10 ms; every 100 ms main prints "round N: VALUE" with
 * VALUE = N * multiplier + 1, and sleeps (WFI) in between. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

#define TICK_MS          10u
#define TICKS_PER_ROUND  10u

extern const uintptr_t ExceptionVectorTable[];

volatile uint32_t timer_ticks;
volatile uint32_t multiplier = 3;

void IRQ1_Handler(void)   /* GPT0 and GPT1 */
{
    timer_ticks++;
    GPT_ISR = GPT_ISR;    /* acknowledge every expiry seen: lowers the gpt01 line */
}

/* Out of line so there is a call to step into. The locals are volatile so that -Os keeps
   them in memory where a debugger can show them, instead of folding them into one
   multiply-accumulate. */
__attribute__((noinline))
uint32_t scale(uint32_t round, uint32_t factor)
{
    volatile uint32_t product = round * factor;
    volatile uint32_t result = product + 1;
    return result;
}

static void wait_for_tick(uint32_t tick)
{
    while (timer_ticks < tick) {
        wfi();
    }
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("gdb-demo: ready\n");

    GPT0_CTRL = 0;
    GPT0_ICNT = TICK_MS;
    GPT_ISR = 1u << 0;
    GPT_IER = 1u << 0;
    nvic_set_priority(IRQ_GPT01, 2);
    nvic_enable(IRQ_GPT01);
    irq_enable();
    GPT0_CTRL = GPT_CTRL_EN | GPT_CTRL_REPEAT | GPT_CTRL_RESTART;

    for (uint32_t round = 1;; round++) {
        wait_for_tick(round * TICKS_PER_ROUND);
        uint32_t value = scale(round, multiplier);
        print("round ");
        print_u32(round);
        print(": ");
        print_u32(value);
        print("\n");
    }
}
