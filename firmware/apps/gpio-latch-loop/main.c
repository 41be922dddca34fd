/* Tight loops over GPIO output latches through every way a latch is written: DOUT, its
   SET/RESET aliases and the read-modify-write of DOUT (tests/test_gpio_latch.py). With the
   native library the latch of an unwatched block is served in C; whatever path serves it,
   the pins, the values read back and the times must be the same.

   Phase 1: LOOPS iterations over GPIO0-3 (group 0, a block of its own) and GPIO26 (the
            GPIO function of ISU0, sharing its page with the ISU's registers), adding up
            everything DOUT and the aliases read back; then GPIO3 set.
            Prints "gpio-latch: phase 1 sum S dout D isu I".
   Pause:   a countdown of ~5 ms of virtual time (a test may start watching a pad).
   Phase 2: GPIO0 toggled TOGGLES times, through DOUT_SET, DOUT_RESET and DOUT in turn,
            then "gpio-latch: done dout D". */
#include "mt3620-gpio.h"
#include "rtprint.h"

#define LOOPS   20000u
#define TOGGLES 12u
#define PAUSE   200000u

#define ISU0_GPIO       0x38070000u         /* ISU0's page: GPIO registers from +0x04 */
#define ISU0_GPIO_DOUT  REG32(ISU0_GPIO + 0x10)
#define ISU0_GPIO_OE    REG32(ISU0_GPIO + 0x20)
#define ISU0_GPIO_SET   REG32(ISU0_GPIO + 0x14)

static void report(const char *label, uint32_t value)
{
    print(label);
    print_u32(value);
}

_Noreturn void RTCoreMain(void)
{
    const uint32_t b = GPIO_GRP_BASE(0);
    uint32_t sum = 0;
    uart_init(IO_UART_BASE);
    for (unsigned pin = 0; pin < 4; pin++) gpio_make_output(pin);
    ISU0_GPIO_OE = 1u;                                   /* GPIO26 an output */
    for (uint32_t i = 0; i < LOOPS; i++) {
        GPIO_DOUT(b) = (GPIO_DOUT(b) & ~1u) | (i & 1u);  /* GPIO0 follows i */
        GPIO_DOUT_SET(b) = 2u;                           /* GPIO1 high ... */
        sum += GPIO_DOUT(b);
        GPIO_DOUT_RESET(b) = 2u;                         /* ... and low again */
        GPIO_DOUT(b) ^= 4u;                              /* GPIO2 toggles */
        sum += GPIO_DOUT(b) + GPIO_DOUT_SET(b) + GPIO_DOUT_RESET(b);  /* aliases read 0 */
        ISU0_GPIO_DOUT ^= 1u;                            /* GPIO26 toggles */
        sum += ISU0_GPIO_DOUT;
    }
    GPIO_DOUT_SET(b) = 8u;
    ISU0_GPIO_SET = 1u;
    report("gpio-latch: phase 1 sum ", sum);
    report(" dout ", GPIO_DOUT(b));
    report(" isu ", ISU0_GPIO_DOUT);
    print("\n");
    for (volatile uint32_t n = PAUSE; n; n--) { }
    for (uint32_t i = 0; i < TOGGLES; i++) {
        if (i % 3u == 0u) GPIO_DOUT_SET(b) = 1u;
        else if (i % 3u == 1u) GPIO_DOUT_RESET(b) = 1u;
        else GPIO_DOUT(b) ^= 1u;
    }
    report("gpio-latch: done dout ", GPIO_DOUT(b));
    print("\n");
    for (;;) { }
}
