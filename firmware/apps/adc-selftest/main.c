/* ADC self-test on the board's analog inputs (the test sets channel 0 = 1.25 V,
   channel 1 = 0.5 V, channel 2 = 2.5 V): the three driver flows of the public record.

   - Microsoft's bare-metal sample (polled): drain the FIFO, enable one channel, spin on
     FIFO_DEBUG16 until a sample arrives, check its channel field;
   - MediaTek's one-shot mode: three channels, RX-full interrupt at a trigger level of 3;
   - Codethink's periodic mode through the DMA virtual FIFO (channel 29) at 1 kHz, with the
     FIFO threshold interrupt, printing the samples so a test can see values change in time.
   One PASS/FAIL line per check, then "adc-selftest: P passed, F failed". */
#include "armv7m.h"
#include "mt3620.h"
#include "mt3620-serial.h"
#include "rtprint.h"
#include "selftest.h"

extern const uintptr_t ExceptionVectorTable[];

#define VFF ((volatile uint32_t *)(SYSRAM_BASE + 0x4000))   /* 16-entry virtual FIFO */
#define VFF_ENTRIES 16u

static volatile uint32_t adc_irqs, adc_samples[8], adc_count;
static volatile uint32_t vff_irqs;
static uint32_t periodic[24], periodic_count;


static uint32_t fifo_count(void)
{
    uint32_t d = ADC_FIFO_DEBUG16;
    return (((d >> 5) & 0x1F) - (d & 0x1F)) & 0x1F;
}

void IRQ70_Handler(void)                         /* ADC RX-full (MediaTek one-shot) */
{
    uint32_t n = fifo_count();
    for (uint32_t i = 0; i < n && adc_count < 8; i++) adc_samples[adc_count++] = ADC_FIFO_RBR;
    ADC_CTL0 &= ~ADC_CTL0_FSM_EN;
    adc_irqs++;
}

void IRQ77_Handler(void)                         /* DMA: the ADC virtual FIFO threshold */
{
    uint32_t sta = DMA_INTSTA(DMA_CH_ADC);
    DMA_ACKINT(DMA_CH_ADC) = sta;
    if (!(sta & DMA_INT_DONE)) return;
    uint32_t n = DMA_FFCNT(DMA_CH_ADC);
    uint32_t sw = DMA_SWPTR(DMA_CH_ADC);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t idx = (sw & 0xFFFF) >> 2;
        if (periodic_count < 24) periodic[periodic_count++] = VFF[idx];
        sw += 4;
        if ((sw & 0xFFFF) >= VFF_ENTRIES * 4) sw = (sw & 0x10000) ^ 0x10000;
    }
    DMA_SWPTR(DMA_CH_ADC) = sw;
    vff_irqs++;
}

static void adc_open(void)
{
    ADC_GLOBAL_CTRL = 0;
    ADC_GLOBAL_CTRL = 1;
    ADC_CTL3 = 0x0000A910u;                      /* VCM, clock gen, mux, pre-amp on */
    ADC_CTL0 = ADC_CTL0_T_CH(8) | ADC_CTL0_T_INIT(20);
    while (fifo_count()) (void)ADC_FIFO_RBR;
}

static void test_polled(void)
{
    adc_open();
    ADC_CTL0 = ADC_CTL0_T_CH(8) | ADC_CTL0_T_INIT(20) | ADC_CTL0_CH_MAP(1u << 1) |
               ADC_CTL0_FSM_EN;
    uint32_t spins = 0;
    while (fifo_count() == 0) spins++;
    ADC_CTL0 &= ~ADC_CTL0_FSM_EN;
    uint32_t s = ADC_FIFO_RBR;
    check("polled: channel field", s & 0xF, 1);
    check("polled: 0.5 V of 2.5 V in 12 bits", (s >> 4) & 0xFFF, 819);
    check("polled: the sample took time to arrive", spins > 0, 1);
    check("polled: FIFO empty after the read", fifo_count(), 0);
}

static void test_one_shot_irq(void)
{
    adc_open();
    adc_count = 0;
    ADC_FIFO_IER = ADC_FIFO_IER_RXFEN;
    ADC_FIFO_TRI_LVL = ADC_TRI_LVL(3);
    uint32_t before = adc_irqs;
    ADC_CTL0 = ADC_CTL0_T_CH(8) | ADC_CTL0_T_INIT(20) | ADC_CTL0_CH_MAP(0x7) | ADC_CTL0_FSM_EN;
    for (;;) {
        irq_disable();
        if (adc_irqs != before) { irq_enable(); break; }
        wfi();
        irq_enable();
    }
    ADC_FIFO_IER = 0;
    check("one-shot: samples taken by the interrupt", adc_count, 3);
    check("one-shot: ch0 = 1.25 V", adc_samples[0], 2048u << 4 | 0);
    check("one-shot: ch1 = 0.5 V", adc_samples[1], 819u << 4 | 1);
    check("one-shot: ch2 = 2.5 V (full scale)", adc_samples[2], 4095u << 4 | 2);
}

static void test_periodic_dma(void)
{
    adc_open();
    uint32_t ch = DMA_CH_ADC;
    DMA_CH_EN_SET = 1u << ch;
    DMA_START(ch) = 0;
    DMA_PGMADDR(ch) = (uint32_t)VFF;
    DMA_FFSIZE(ch) = VFF_ENTRIES;
    DMA_COUNT(ch) = 8;                           /* threshold: interrupt at 8 entries */
    DMA_FIXADDR(ch) = ADC_FIFO_ADDR;
    DMA_SWPTR(ch) = 0;
    DMA_CON(ch) = DMA_CON_SIZE(2) | DMA_CON_DIR_RX | DMA_CON_DREQ | DMA_CON_ITEN;
    DMA_START(ch) = DMA_STR;
    ADC_FIFO_DMA_EN = 1;
    ADC_REG_PERIOD = ADC_CLOCK_HZ / 1000u - 1u;  /* 1 kHz */
    uint32_t t0 = GPT3_CNT;
    ADC_CTL0 = ADC_CTL0_T_CH(8) | ADC_CTL0_T_INIT(20) | ADC_CTL0_CH_MAP(1) | ADC_CTL0_PMODE |
               ADC_CTL0_FSM_EN;
    for (;;) {
        irq_disable();
        if (vff_irqs >= 3) { irq_enable(); break; }
        wfi();
        irq_enable();
    }
    uint32_t t1 = GPT3_CNT;
    ADC_CTL0 = 0;
    DMA_START(ch) = 0;
    check("periodic: samples through the virtual FIFO", periodic_count, 24);
    /* 24 samples: the first after T_INIT + one conversion (20 us), then one per ms */
    check("periodic: 24 samples at 1 kHz, ms", (t1 - t0 + 500) / 1000, 23);
    print("periodic ch0 codes:");
    for (uint32_t i = 0; i < periodic_count; i++) {
        print(" ");
        print_u32(periodic[i] >> 4);
    }
    print("\n");
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("adc-selftest\n");
    GPT3_INIT = 0;
    GPT3_CTRL = GPT3_OSC_CNT_1US(0x19) | GPT_CTRL_EN;     /* 1 MHz */
    nvic_set_priority(IRQ_ADC, 2);
    nvic_enable(IRQ_ADC);
    nvic_set_priority(IRQ_DMA, 2);
    nvic_enable(IRQ_DMA);
    irq_enable();

    test_polled();
    test_one_shot_irq();
    test_periodic_dma();

    selftest_summary("adc-selftest");
    for (;;) wfi();
}
