/* CPU-bound benchmark workload: integer hashing, float arithmetic and memory traffic in
   TCM, forever. It reports a checksum now and then so the work cannot be optimised away. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

#define WORDS 1024
static uint32_t buffer_a[WORDS];
static uint32_t buffer_b[WORDS];

static uint32_t crc32_word(uint32_t crc, uint32_t word)
{
    crc ^= word;
    for (int bit = 0; bit < 32; bit++) {
        crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1u));
    }
    return crc;
}

static float filter(const uint32_t *samples, int count)
{
    float acc = 0.0f, gain = 0.5f;
    for (int i = 0; i < count; i++) {
        acc = acc * 0.9f + (float)(samples[i] & 0xFFFF) * gain;
        gain = gain * 0.999f + 0.0001f;
    }
    return acc;
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    SCB_CPACR |= 0xFu << 20;   /* CP10/CP11 full access: the FPU */
    dsb_isb();
    uart_init(IO_UART_BASE);
    print("bench-cpu: start\n");
    uint32_t crc = 0xFFFFFFFFu;
    for (int i = 0; i < WORDS; i++) buffer_a[i] = (uint32_t)i * 2654435761u;
    for (uint32_t round = 1;; round++) {
        for (int i = 0; i < WORDS; i++) buffer_b[i] = buffer_a[(i * 7) % WORDS] + round;
        for (int i = 0; i < 64; i++) crc = crc32_word(crc, buffer_b[i]);
        float f = filter(buffer_b, 256);
        crc ^= (uint32_t)f;
        for (int i = 0; i < WORDS; i++) buffer_a[i] = buffer_b[WORDS - 1 - i] ^ crc;
        if ((round & 63) == 0) {
            print("bench-cpu: round ");
            print_u32(round);
            print(" crc ");
            print_hex(crc);
            print("\n");
        }
    }
}
