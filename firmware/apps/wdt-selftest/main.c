/* Watchdog self-test across its own resets, as MediaTek's WDT sample exercises the block:
   boot 1: interrupt mode (expiry after 2 ticks of 1/32 s, IRQ 3), kicking keeps it quiet,
           then reset mode with a 1-tick timeout and the core waits to be reset;
   boot 2: WDT_STA says "hardware timeout"; a software reset (WDT_SWRST) follows;
   boot 3: WDT_STA says "software reset"; the summary line ends the test.
   The boot count and results live in SYSRAM, which a core reset keeps.
   One PASS/FAIL line per check, then "wdt-selftest: P passed, F failed". */
#include "armv7m.h"
#include "mt3620.h"
#include "mt3620-serial.h"
#include "rtprint.h"
#include "sleep.h"

extern const uintptr_t ExceptionVectorTable[];

#define STATE ((volatile uint32_t *)(SYSRAM_BASE + 0xFF00))
#define MAGIC 0x57445421u                        /* "WDT!" */
enum { S_MAGIC, S_BOOT, S_PASSED, S_FAILED };

static volatile uint32_t wdt_irqs;

void IRQ3_Handler(void) { wdt_irqs++; }

static void check(const char *name, uint32_t measured, uint32_t expected)
{
    int ok = measured == expected;
    STATE[ok ? S_PASSED : S_FAILED]++;
    print(ok ? "PASS " : "FAIL ");
    print(name);
    print(": ");
    print_hex(measured);
    print(" (expected ");
    print_hex(expected);
    print(")\n");
}

static void wdt_mode(uint32_t bits) { WDT_MODE = WDT_MODE_KEY | bits; }
static void wdt_length(uint32_t ticks) { WDT_LENGTH = WDT_LENGTH_TICKS(ticks) | WDT_LENGTH_KEY; }

static volatile uint32_t gpt3_irqs;

void IRQ2_Handler(void) { gpt3_irqs++; }

static void boot_one(void)
{
    check("first boot: WDT_STA", WDT_STA, 0);
    wdt_mode(0);
    wdt_length(2);                                       /* 2/32 s = 62.5 ms */
    uint32_t t0 = GPT3_CNT;
    wdt_mode(WDT_MODE_EN | WDT_MODE_IRQ);
    for (;;) {
        irq_disable();
        if (wdt_irqs) { irq_enable(); break; }
        wfi();
        irq_enable();
    }
    uint32_t t1 = GPT3_CNT;
    check("interrupt mode: expiry after 2 ticks, us", t1 - t0, 62500);
    uint32_t before = wdt_irqs;
    for (int i = 0; i < 10; i++) {
        gpt3_sleep_us(&gpt3_irqs, 40000);
        WDT_RESTART = WDT_RESTART_KEY;
    }
    check("kicked every 40 ms for 400 ms: no interrupt", wdt_irqs - before, 0);
    WDT_MODE = WDT_MODE_EN;                              /* no key: ignored */
    check("MODE write without its key is ignored", WDT_MODE & 0xFF, WDT_MODE_EN | WDT_MODE_IRQ);
    wdt_mode(0);
    wdt_length(1);                                       /* 1/32 s */
    STATE[S_BOOT] = 1;
    print("waiting for the watchdog reset\n");
    wdt_mode(WDT_MODE_EN);
    for (;;) wfi();
}

static void boot_two(void)
{
    check("after the timeout reset: WDT_STA", WDT_STA, WDT_STA_HW);
    STATE[S_BOOT] = 2;
    print("software reset\n");
    WDT_SWRST = WDT_SWRST_KEY;
    for (;;) { }
}

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    gpt3_start_us();
    nvic_set_priority(IRQ_WDT, 2);
    nvic_enable(IRQ_WDT);
    irq_enable();
    if (STATE[S_MAGIC] != MAGIC) {
        STATE[S_MAGIC] = MAGIC;
        STATE[S_BOOT] = 0;
        STATE[S_PASSED] = STATE[S_FAILED] = 0;
    }
    print("wdt-selftest boot ");
    print_u32(STATE[S_BOOT] + 1);
    print("\n");
    if (STATE[S_BOOT] == 0) boot_one();
    if (STATE[S_BOOT] == 1) boot_two();
    check("after the software reset: WDT_STA", WDT_STA, WDT_STA_SW);
    STATE[S_MAGIC] = 0;
    print("wdt-selftest: ");
    print_u32(STATE[S_PASSED]);
    print(" passed, ");
    print_u32(STATE[S_FAILED]);
    print(" failed\n");
    for (;;) wfi();
}
