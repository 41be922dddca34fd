/* GPT self-test: every timer of the IO core measured against GPT3's 1 MHz count.
   Prints one PASS/FAIL line per check, then "gpt-selftest: P passed, F failed".
   Expected values are exact for the documented clocks: "1 kHz" is 32768/33 Hz, so
   n ticks last n * 33e6 / 32768 = n * 515625 / 512 microseconds. */
#include "armv7m.h"
#include "mt3620.h"
#include "rtprint.h"

extern const uintptr_t ExceptionVectorTable[];

static volatile uint32_t gpt0_irqs, gpt1_irqs, gpt3_irqs;
static volatile uint32_t gpt0_at, gpt1_at, gpt3_at;   /* GPT3 count at the last interrupt */
static uint32_t passed, failed;

void IRQ1_Handler(void)
{
    uint32_t now = GPT3_CNT;
    uint32_t isr = GPT_ISR;
    GPT_ISR = isr;                       /* read, write back: acknowledged */
    if (isr & 1u) { gpt0_irqs++; gpt0_at = now; }
    if (isr & 2u) { gpt1_irqs++; gpt1_at = now; }
}

void IRQ2_Handler(void)
{
    gpt3_at = GPT3_CNT;
    gpt3_irqs++;
}

/* Sleep until *counter reaches target. Interrupts are masked around the test so one that
   arrives between the test and the WFI still wakes it (WFI wakes on pending, masked or not). */
static void wait_for(volatile uint32_t *counter, uint32_t target)
{
    for (;;) {
        irq_disable();
        if (*counter >= target) { irq_enable(); return; }
        wfi();
        irq_enable();
    }
}

static void sleep_us(uint32_t us)
{
    uint32_t target = gpt3_irqs + 1;
    GPT3_EXPIRE = GPT3_CNT + us;
    wait_for(&gpt3_irqs, target);
}

static uint32_t diff(uint32_t a, uint32_t b) { return a > b ? a - b : b - a; }

static void check(const char *name, uint32_t measured, uint32_t expected, uint32_t tolerance)
{
    int ok = diff(measured, expected) <= tolerance;
    if (ok) passed++; else failed++;
    print(ok ? "PASS " : "FAIL ");
    print(name);
    print(": ");
    print_u32(measured);
    print(" (expected ");
    print_u32(expected);
    print(")\n");
}

static void test_one_shot(void)
{
    GPT_IER |= 1u;
    uint32_t start = GPT3_CNT;
    GPT0_ICNT = 50;
    GPT0_CTRL = GPT_CTRL_EN | GPT_CTRL_RESTART;          /* the samples' one-shot ms timer */
    wait_for(&gpt0_irqs, 1);
    check("gpt0 one-shot 50 ticks at 1 kHz, us", gpt0_at - start, 50u * 515625u / 512u, 1);
    sleep_us(200000);
    check("gpt0 one-shot interrupts after 4 periods", gpt0_irqs, 1, 0);
    check("gpt0 one-shot count holds at", GPT0_CNT, 0, 0);
    GPT0_CTRL = 0;
}

static void test_repeat(void)
{
    GPT_IER |= 2u;
    uint32_t start = GPT3_CNT;
    GPT1_ICNT = 20;
    GPT1_CTRL = GPT_CTRL_EN | GPT_CTRL_REPEAT | GPT_CTRL_RESTART;
    wait_for(&gpt1_irqs, 5);
    GPT1_CTRL = 0;
    check("gpt1 repeat 5 x 20 ticks, us", gpt1_at - start, 100u * 515625u / 512u, 1);
    sleep_us(50000);
    check("gpt1 interrupts after disable", gpt1_irqs, 5, 0);
}

static void test_fast_one_shot(void)
{
    uint32_t start = GPT3_CNT;
    GPT0_ICNT = 3277;
    GPT0_CTRL = GPT_CTRL_EN | GPT_CTRL_RESTART | GPT_CTRL_32KHZ;
    wait_for(&gpt0_irqs, 2);
    GPT0_CTRL = 0;
    check("gpt0 one-shot 3277 ticks at 32 kHz, us", gpt0_at - start, 100006, 1);
}

static void test_free_running(void)
{
    GPT2_CNT = 0;
    GPT2_CTRL = GPT_CTRL_EN | GPT2_CTRL_32KHZ;
    uint32_t c0 = GPT2_CNT, t0 = GPT3_CNT;
    sleep_us(250000);
    uint32_t c1 = GPT2_CNT, t1 = GPT3_CNT;
    GPT2_CTRL = 0;
    /* 32768 counts per second: us * 32768 / 1e6 = us * 4096 / 125000 */
    check("gpt2 counts in 250 ms at 32 kHz", c1 - c0, (t1 - t0) * 4096u / 125000u, 2);
    uint32_t frozen = GPT2_CNT;
    sleep_us(10000);
    check("gpt2 holds while disabled", GPT2_CNT, frozen, 0);
}

static void test_compare(void)
{
    uint32_t start = GPT3_CNT, before = gpt3_irqs;
    GPT3_EXPIRE = start + 2500;
    wait_for(&gpt3_irqs, before + 1);
    check("gpt3 compare match after 2500 counts, us", gpt3_at - start, 2500, 0);
}

static void test_core_clock_counter(void)
{
    GPT4_INIT = 0;
    GPT4_CTRL = GPT_CTRL_EN | GPT4_CTRL_HCLK;
    uint32_t c0 = GPT4_CNT, t0 = GPT3_CNT;
    sleep_us(1000);
    uint32_t c1 = GPT4_CNT, t1 = GPT3_CNT;
    GPT4_CTRL = 0;
    /* 197.6 counts per microsecond at the 197.6 MHz core clock */
    check("gpt4 counts per 1000 us / 10", (c1 - c0) / 10u, (t1 - t0) * 1976u / 100u, 20);
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("gpt-selftest\n");

    GPT3_INIT = 0;
    GPT3_EXPIRE = 0xFFFFFFFFu;
    GPT3_CTRL = GPT3_OSC_CNT_1US(0x19) | GPT3_CTRL_ICLR | GPT_CTRL_EN;   /* 1 MHz */
    nvic_set_priority(IRQ_GPT01, 2);
    nvic_set_priority(IRQ_GPT3, 2);
    nvic_enable(IRQ_GPT01);
    nvic_enable(IRQ_GPT3);
    irq_enable();

    test_one_shot();
    test_repeat();
    test_fast_one_shot();
    test_free_running();
    test_compare();
    test_core_clock_counter();

    print("gpt-selftest: ");
    print_u32(passed);
    print(" passed, ");
    print_u32(failed);
    print(" failed\n");
    for (;;) wfi();
}
