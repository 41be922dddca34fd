/* Escape attempts for the firewall tests (tests/test_firewall.py, docs/security.md). The
   manifest claims GPIO 12 (block GPIO12-15) and nothing else; each attempt below touches
   something this core does not own and must end in a precise BusFault with BFAR naming the
   address. The BusFault handler records the fault and steps over the 32-bit faulting
   instruction, so one run shows every attempt; the control access to its own block must
   pass. Then the DMA engine, which acts for the core that programmed it: aimed at the
   Secure SRAM it moves nothing, either way, while a copy inside this core's SYSRAM (the
   control) works. */
#include "armv7m.h"
#include "mt3620.h"
#include "mt3620-serial.h"
#include "rtprint.h"

#define SHCSR_BUSFAULTENA (1u << 17)
#define CFSR_BUS_MASK     0x0000FF00u
#define SECURE_SRAM       0x803D0000u
#define DMA_WORDS         16u
#define DMA_MARK          0x5EC0DEADu   /* tests/test_firewall.py looks for it */
#define DMA_FILL          0x0BADF00Du
#define BUF_A             ((volatile uint32_t *)(SYSRAM_BASE + 0x100))
#define BUF_B             ((volatile uint32_t *)(SYSRAM_BASE + 0x200))

extern const uintptr_t ExceptionVectorTable[];

static volatile uint32_t faults, bfar;

void bus_fault(uint32_t *frame);
void bus_fault(uint32_t *frame)
{
    faults++;
    bfar = SCB_BFAR;
    SCB_CFSR = CFSR_BUS_MASK;       /* write 1 to clear BFSR and BFARVALID */
    frame[6] += 4;                  /* the stacked PC: past the ldr.w/str.w */
}

__attribute__((naked)) void BusFault_Handler(void)
{
    __asm__ volatile("mrs r0, msp\n b bus_fault\n");
}

static uint32_t load(uint32_t address)
{
    uint32_t value = 0;
    __asm__ volatile("ldr.w %0, [%1]" : "+r"(value) : "r"(address) : "memory");
    return value;
}

static void store(uint32_t address, uint32_t value)
{
    __asm__ volatile("str.w %0, [%1]" :: "r"(value), "r"(address) : "memory");
}

static void attempt(const char *what, uint32_t address, int write)
{
    uint32_t before = faults;
    if (write) store(address, 0x41);
    else (void)load(address);
    print("fw-escape-rt: ");
    print(what);
    if (faults == before) {
        print(": allowed\n");
    } else {
        print(": BusFault, BFAR ");
        print_hex(bfar);
        print("\n");
    }
}

/* Copy DMA_WORDS words with the memory-to-memory channel and wait until it is done. */
static void dma_copy(uint32_t src, uint32_t dst)
{
    DMA_CH_EN_SET |= 1u << DMA_CH_M2M;
    DMA_START(DMA_CH_M2M) = 0;
    DMA_CON(DMA_CH_M2M) = DMA_CON_SIZE(2) | DMA_CON_SINC | DMA_CON_DINC;
    DMA_SRC(DMA_CH_M2M) = src;
    DMA_DST(DMA_CH_M2M) = dst;
    DMA_COUNT(DMA_CH_M2M) = DMA_WORDS;
    DMA_START(DMA_CH_M2M) = DMA_STR;
    while ((DMA_GLBSTA0 >> (2 * DMA_CH_M2M)) & 1u) { }
}

/* BUF_A holds the mark, BUF_B a filler; one copy, then how many BUF_B words changed. */
static void dma_attempt(const char *what, uint32_t src, uint32_t dst)
{
    for (uint32_t i = 0; i < DMA_WORDS; i++) { BUF_A[i] = DMA_MARK; BUF_B[i] = DMA_FILL; }
    dma_copy(src, dst);
    uint32_t changed = 0;
    for (uint32_t i = 0; i < DMA_WORDS; i++) changed += BUF_B[i] != DMA_FILL;
    print("fw-escape-rt: ");
    print(what);
    print(": ");
    print_u32(changed);
    print(" words of its buffer changed\n");
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    SCB_SHCSR |= SHCSR_BUSFAULTENA;
    uart_init(IO_UART_BASE);
    attempt("write another app's ISU0 UART", 0x38070500u, 1);
    attempt("read GPIO block 0 (not in the manifest)", 0x38010004u, 0);
    attempt("read the other core's TCM (A7 window)", 0x3F100000u, 0);
    attempt("read the other core's comm buffers", 0x803C0000u, 0);
    attempt("read the Secure SRAM", 0x803D0000u, 0);
    attempt("read the firewall registers", 0x30000000u, 0);
    attempt("read its own GPIO block 3", 0x38040004u, 0);
    dma_attempt("DMA within its own SYSRAM", (uint32_t)BUF_A, (uint32_t)BUF_B);
    dma_attempt("DMA from the other core's comm buffers", 0x803C0000u, (uint32_t)BUF_B);
    dma_attempt("DMA from the Secure SRAM", SECURE_SRAM, (uint32_t)BUF_B);
    dma_attempt("DMA into the Secure SRAM", (uint32_t)BUF_A, SECURE_SRAM);
    print("fw-escape-rt: done\n");
    for (;;) wfi();
}
