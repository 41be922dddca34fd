/* The benchmark pair for benchmarks/bench_gpio.py: the same tight loop storing to a GPIO
   output latch (GPIO0's DOUT, toggling the pin) or to a plain SYSRAM word, a fixed number of
   times, then "bench-gpio: done". Which one is chosen by the word at 0x22000000 (SYSRAM),
   which the benchmark writes before the run: 1 = GPIO, anything else = RAM. */
#include "mt3620-gpio.h"
#include "rtprint.h"

#define ITERATIONS 2000000u
#define SELECT     REG32(0x22000000u)
#define RAM_WORD   REG32(0x22000004u)

_Noreturn void RTCoreMain(void)
{
    uart_init(IO_UART_BASE);
    volatile uint32_t *target = &RAM_WORD;
    if (SELECT == 1u) {
        gpio_make_output(0);
        target = &GPIO_DOUT(GPIO_BASE(0));
    }
    for (uint32_t i = 0; i < ITERATIONS; i++) *target = i & 1u;
    print("bench-gpio: done\n");
    for (;;) { }
}
