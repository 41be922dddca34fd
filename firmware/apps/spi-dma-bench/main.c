/* A 4 KiB read of the board's SPI NOR flash by DMA, as MediaTek's driver moves data: the
   MT3620 SPI master carries at most 32 data bytes per transfer, so the read is 128 READ
   commands (opcode + 24-bit address, 32 bytes each), each a TX register image through the
   handshaking TX channel and the data through the RX channel into SYSRAM. The core sleeps
   in WFI while each transfer runs; the SPI interrupt re-arms the next one.

   GPT4 counts the 197.6 MHz core clock: for every transfer the time from the TX channel's
   START to the SPI interrupt is recorded, and the summary line gives the total, the
   shortest and the longest. Output (ISU0 at SCLK = 80 MHz / (div + 2), div from DIV below):
     "spi-dma-bench: 4096 bytes in 128 transfers, SCLK div D, total T cycles, per transfer
      min A max B cycles, checksum C" */
#include "armv7m.h"
#include "mt3620.h"
#include "mt3620-serial.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

#define ISU 0u
#define DIV 0u                                   /* 80 MHz / 2 = 40 MHz */
#define CHUNK 32u
#define TOTAL 4096u
#define DESC ((volatile uint32_t *)(SYSRAM_BASE + 0x0000))
#define DATA ((volatile uint8_t *)(SYSRAM_BASE + 0x1000))

static volatile uint32_t done_at, spi_irqs;

void IRQ45_Handler(void)                         /* ISU0 SPI master: transfer complete */
{
    done_at = GPT4_CNT;
    (void)SPIM_SCSR(ISU);                        /* reading clears it */
    spi_irqs++;
}

static void channel(uint32_t ch, uint32_t con, uint32_t mem, uint32_t count)
{
    DMA_START(ch) = 0;
    DMA_CON(ch) = con;
    DMA_PGMADDR(ch) = mem;
    DMA_FIXADDR(ch) = SPIM_DATAPORT_ADDR(ISU);
    DMA_COUNT(ch) = count;
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    GPT4_INIT = 0;
    GPT4_CTRL = GPT_CTRL_EN | GPT4_CTRL_HCLK;
    DMA_CH_EN_SET = 3u << DMA_CH_ISU_TX(ISU);
    nvic_set_priority(IRQ_ISU_SPIM(ISU), 2);
    nvic_enable(IRQ_ISU_SPIM(ISU));
    SPIM_CSPOL(ISU) = SPIM_CSPOL_DMA;
    for (uint32_t i = 1; i <= 8; i++) DESC[i] = 0;
    DESC[9] = SPIM_SMMR_MORE_BUF | SPIM_SMMR_DIV(DIV) | SPIM_SMMR_CS(0) | SPIM_SMMR_INT_EN;
    DESC[10] = SPIM_SMBCR_CMD_BITS(32) | SPIM_SMBCR_MISO_BITS(8 * CHUNK);
    DESC[11] = SPIM_START;
    irq_enable();

    uint32_t total = 0, lo = 0xFFFFFFFFu, hi = 0;
    for (uint32_t at = 0; at < TOTAL; at += CHUNK) {
        DESC[0] = 0x03000000u | at;              /* READ, 24-bit address */
        channel(DMA_CH_ISU_RX(ISU), DMA_CON_SIZE(2) | DMA_CON_DREQ | DMA_CON_DIR_RX |
                DMA_CON_DINC, (uint32_t)(DATA + at), CHUNK / 4);
        DMA_START(DMA_CH_ISU_RX(ISU)) = DMA_STR;
        channel(DMA_CH_ISU_TX(ISU), DMA_CON_SIZE(2) | DMA_CON_DREQ | DMA_CON_SINC,
                (uint32_t)DESC, 12);
        uint32_t target = spi_irqs + 1;
        irq_disable();
        uint32_t start = GPT4_CNT;
        DMA_START(DMA_CH_ISU_TX(ISU)) = DMA_STR;
        while (spi_irqs < target) { wfi(); irq_enable(); irq_disable(); }
        irq_enable();
        uint32_t took = done_at - start;
        total += took;
        if (took < lo) lo = took;
        if (took > hi) hi = took;
    }
    uint32_t sum = 0;
    for (uint32_t i = 0; i < TOTAL; i++) sum = sum * 31u + DATA[i];
    print("spi-dma-bench: 4096 bytes in 128 transfers, SCLK div ");
    print_u32(DIV);
    print(", total ");
    print_u32(total);
    print(" cycles, per transfer min ");
    print_u32(lo);
    print(" max ");
    print_u32(hi);
    print(" cycles, checksum ");
    print_hex(sum);
    print("\n");
    for (;;) wfi();
}
