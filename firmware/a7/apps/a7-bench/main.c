/* CPU-bound A7 benchmark workload (benchmarks/bench_a7.py), in the Secure World. */
#include "a7.h"
#include "bench.h"

SECURE_TEXT void secure_main(void)
{
    uart_init();
    print("a7-bench: start\n");
    bench_forever("a7-bench");
}
