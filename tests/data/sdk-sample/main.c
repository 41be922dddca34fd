/* Self-contained, like the published bare-metal samples: its own vector table, no start
   files, and statics it expects the loader to have zeroed. Prints on the IO core's debug UART
   (0x21040000), polling LSR.THRE. */
#include <stdint.h>

#define UART_BASE 0x21040000u
#define UART_THR (*(volatile uint32_t *)(UART_BASE + 0x00))
#define UART_LSR (*(volatile uint32_t *)(UART_BASE + 0x14))
#define SCB_VTOR (*(volatile uint32_t *)0xE000ED08u)

extern uint32_t StackTop;
void RTCoreMain(void);
static void Spin(void) { for (;;) { } }

__attribute__((section(".vectors"), used))
const uintptr_t VectorTable[16] = {
    (uintptr_t)&StackTop, (uintptr_t)RTCoreMain, (uintptr_t)Spin, (uintptr_t)Spin,
};

static uint32_t counter;   /* relies on zero-fill by the loader */

static void Print(const char *s)
{
    for (; *s; s++) {
        while (!(UART_LSR & (1u << 5))) { }
        UART_THR = (uint8_t)*s;
    }
}

void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)VectorTable;
    counter++;
    Print(counter == 1 ? "sdk-sample: built with CMake through the kit, statics zeroed\r\n"
                       : "sdk-sample: statics NOT zeroed\r\n");
    for (;;) __asm__ volatile("wfi");
}
