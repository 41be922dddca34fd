/* All three cores busy (benchmarks/bench_a7.py): the A7 starts bench-cpu on io0 and io1,
   then runs its own benchmark workload. */
#include "a7.h"
#include "bench.h"
#include "mt3620-a7.h"

extern const uint8_t bench_image[], bench_image_end[];

SECURE_TEXT static void load_tcm(uintptr_t window)
{
    volatile uint32_t *dst = (volatile uint32_t *)window;
    const uint32_t *src = (const uint32_t *)bench_image;
    uint32_t words = (uint32_t)(bench_image_end - bench_image + 3) / 4;
    for (uint32_t i = 0; i < IO_TCM_SIZE / 4; i++) dst[i] = i < words ? src[i] : 0;
}

SECURE_TEXT void secure_main(void)
{
    uart_init();
    print("a7-bench-all: starting bench-cpu on io0 and io1\n");
    load_tcm(IO0_TCM_WINDOW);
    load_tcm(IO1_TCM_WINDOW);
    for (unsigned core = 0; core < 2; core++) {
        IO_RESET_VECTOR(core) = 0x00100000u;
        IO_RESET_CTRL(core) = IO_RESET_RUN;
    }
    bench_forever("a7-bench-all");
}
