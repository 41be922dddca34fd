/* Waits by polling status registers, not a timer: the debug UART's LSR.DR until each host
   byte arrives (received at the baud rate), the DMA engine's GLBSTA0 RUN bit until a
   memory-to-memory copy ends, and SysTick's COUNTFLAG for 1 ms delays. The busy-wait
   fast-forward test runs it with and without the fast-forward; bench_polling.py times
   the UART and DMA waits. The host sends UART_BYTES bytes after "status-poll: uart". */
#include "armv7m.h"
#include "mt3620.h"
#include "mt3620-serial.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

#define UART_BYTES   16u
#define DMA_COPIES   40u
#define DMA_WORDS    8192u                      /* 32 KiB: 41.5 us at one word a cycle */
#define TICK_DELAYS  3u
#define SRC_BUF      ((volatile uint32_t *)(SYSRAM_BASE + 0x0000))
#define DST_BUF      ((volatile uint32_t *)(SYSRAM_BASE + 0x8000))
#define SYST_ENABLE_CORE_CLOCK  5u              /* ENABLE | CLKSOURCE, no interrupt */
#define SYST_COUNTFLAG          (1u << 16)

static void report(const char *what, uint32_t value, uint32_t t0)
{
    print(what);
    print_u32(value);
    print(" in ");
    print_u32(GPT3_CNT - t0);
    print(" us\n");
}

static void uart_wait_bytes(void)
{
    print("status-poll: uart\n");
    uint32_t t0 = GPT3_CNT, sum = 0;
    for (uint32_t i = 0; i < UART_BYTES; i++) {
        while (!(UART_LSR(IO_UART_BASE) & UART_LSR_DR)) { }
        sum += UART_RBR(IO_UART_BASE) & 0xFFu;
    }
    report("status-poll: uart sum ", sum, t0);
}

static void dma_wait_copies(void)
{
    for (uint32_t i = 0; i < DMA_WORDS; i++) SRC_BUF[i] = i ^ 0x5A5A5A5Au;
    DMA_CH_EN_SET |= 1u << DMA_CH_M2M;
    DMA_START(DMA_CH_M2M) = 0;
    DMA_CON(DMA_CH_M2M) = DMA_CON_SIZE(2) | DMA_CON_SINC | DMA_CON_DINC;
    uint32_t t0 = GPT3_CNT;
    for (uint32_t n = 0; n < DMA_COPIES; n++) {
        DMA_SRC(DMA_CH_M2M) = (uint32_t)SRC_BUF;
        DMA_DST(DMA_CH_M2M) = (uint32_t)DST_BUF;
        DMA_COUNT(DMA_CH_M2M) = DMA_WORDS;
        DMA_START(DMA_CH_M2M) = DMA_STR;
        while (DMA_GLBSTA0 & (1u << (2 * DMA_CH_M2M))) { }
        DMA_START(DMA_CH_M2M) = 0;
    }
    report("status-poll: dma copies ", DMA_COPIES, t0);
    print(DST_BUF[DMA_WORDS - 1] == ((DMA_WORDS - 1) ^ 0x5A5A5A5Au) ? "status-poll: dma ok\n"
                                                                     : "status-poll: dma BAD\n");
}

static void systick_delays(void)
{
    SYST_RVR = 197600u - 1u;                    /* 1 ms at the 197.6 MHz core clock */
    SYST_CVR = 0;
    SYST_CSR = SYST_ENABLE_CORE_CLOCK;
    uint32_t t0 = GPT3_CNT;
    for (uint32_t n = 0; n < TICK_DELAYS; n++)
        while (!(SYST_CSR & SYST_COUNTFLAG)) { }
    SYST_CSR = 0;
    report("status-poll: systick delays ", TICK_DELAYS, t0);
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    GPT3_INIT = 0;
    GPT3_CTRL = GPT3_OSC_CNT_1US(25) | GPT_CTRL_EN;   /* 26 MHz / 26 = 1 MHz */
    dma_wait_copies();
    systick_delays();
    uart_wait_bytes();
    print("status-poll: done\n");
    for (;;) wfi();
}
