/* The A7 benchmark workload: integer hashing and memory traffic in SYSRAM, with a
   checksum reported now and then so the work cannot be optimised away. */
#ifndef BENCH_H
#define BENCH_H
#include <stdint.h>
#include "a7print.h"

#define BENCH_WORDS 1024
static uint32_t bench_a[BENCH_WORDS];
static uint32_t bench_b[BENCH_WORDS];

static inline uint32_t bench_crc32_word(uint32_t crc, uint32_t word)
{
    crc ^= word;
    for (int bit = 0; bit < 32; bit++) crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1u));
    return crc;
}

static inline _Noreturn void bench_forever(const char *name)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (int i = 0; i < BENCH_WORDS; i++) bench_a[i] = (uint32_t)i * 2654435761u;
    for (uint32_t round = 1;; round++) {
        for (int i = 0; i < BENCH_WORDS; i++) bench_b[i] = bench_a[(i * 7) % BENCH_WORDS] + round;
        for (int i = 0; i < 64; i++) crc = bench_crc32_word(crc, bench_b[i]);
        for (int i = 0; i < BENCH_WORDS; i++) bench_a[i] = bench_b[BENCH_WORDS - 1 - i] ^ crc;
        if ((round & 63) == 0) {
            print(name);
            print(": round ");
            print_u32(round);
            print(" crc ");
            print_hex(crc);
            print("\n");
        }
    }
}
#endif
