/* The GPIO function of the ADC (GPIO41-48), ISU (26-40, 66-75) and I2S (56-65) pin groups,
   through their own blocks' GPIO registers (DIN at +0x04 / +0x0C / +0x00 of the I2S +0x100
   sub-block, latches from +0x10), on tests/data/gpio-groups.yaml:
   - the RDB's status LED (GPIO45-47, active low) driven from the ADC block;
   - ISU0's GPIO26 driving the ADC block's GPIO41 over a wire;
   - I2S0's GPIO56 against ISU3's GPIO66 with its pull-up, over a wire.
   Leaves status red and blue lit, green dark.
   One PASS/FAIL line per check, then "gpio-groups-selftest: P passed, F failed". */
#include "armv7m.h"
#include "mt3620.h"
#include "mt3620-gpio.h"
#include "mt3620-serial.h"
#include "rtprint.h"
#include "selftest.h"

extern const uintptr_t ExceptionVectorTable[];

#define ADC_GPIO      0x38000000u                  /* GPIO41..48, bit = pin - 41 */
#define ISU_GPIO(n)   ISU_BASE(n)                  /* five pads per ISU */
#define I2S_GPIO(i)   (0x380D0100u + (i) * 0x10000u)
#define ADC_DIN       REG32(ADC_GPIO + 0x04)
#define ISU_DIN(n)    REG32(ISU_GPIO(n) + 0x0C)
#define I2S_DIN(i)    REG32(I2S_GPIO(i) + 0x00)
#define STATUS_RGB    (7u << 4)                    /* GPIO45, 46, 47 */

_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("gpio-groups-selftest\n");

    check("ADC_GLOBAL_CTRL out of reset", ADC_GLOBAL_CTRL, 1);
    ADC_GLOBAL_CTRL = 0;                           /* MediaTek's soft-reset pulse */
    ADC_GLOBAL_CTRL = 1;
    check("ISU0_GLOBAL_CTRL untouched by its GPIO page", ISU_GLOBAL_CTRL(0), 1);

    GPIO_DOUT_SET(ADC_GPIO) = STATUS_RGB;          /* LEDs off, then outputs */
    GPIO_OE_SET(ADC_GPIO) = STATUS_RGB;
    GPIO_DOUT_RESET(ADC_GPIO) = STATUS_RGB;        /* all three on (active low) */
    check("status LED pads read back low", ADC_DIN & STATUS_RGB, 0);
    GPIO_DOUT_SET(ADC_GPIO) = 1u << 5;             /* green off */
    check("status green pad reads back high", ADC_DIN & STATUS_RGB, 1u << 5);
    check("SET alias reads 0", GPIO_DOUT_SET(ADC_GPIO), 0);

    GPIO_OE_SET(ISU_GPIO(0)) = 1u;                 /* GPIO26 out, wired to GPIO41 */
    GPIO_DOUT_SET(ISU_GPIO(0)) = 1u;
    check("ISU0 GPIO26 high -> ADC GPIO41", ADC_DIN & 1u, 1);
    GPIO_DOUT_RESET(ISU_GPIO(0)) = 1u;
    check("ISU0 GPIO26 low -> ADC GPIO41", ADC_DIN & 1u, 0);
    check("ISU0 DIN reads its own output", ISU_DIN(0) & 1u, 0);

    GPIO_PU(ISU_GPIO(3)) = GPIO_PAD_PU_SW;         /* GPIO66 input with its pull-up */
    GPIO_PU_SET(ISU_GPIO(3)) = 1u;
    check("ISU3 GPIO66 pulled up, nobody driving", ISU_DIN(3) & 1u, 1);
    GPIO_OE_SET(I2S_GPIO(0)) = 1u;                 /* GPIO56 drives 0 over the wire */
    check("I2S0 GPIO56 low beats ISU3's pull-up", ISU_DIN(3) & 1u, 0);
    check("I2S0 DIN reads its own output", I2S_DIN(0) & 1u, 0);
    GPIO_OE_RESET(I2S_GPIO(0)) = 1u;
    check("I2S0 released: pull-up again", ISU_DIN(3) & 1u, 1);

    selftest_summary("gpio-groups-selftest");
    for (;;) wfi();
}
