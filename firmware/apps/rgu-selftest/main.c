/* RGU, TOPCFG and pinmux as the IO-core drivers use them: MediaTek's start-up sets the HCLK
   source to the PLL (clear bits 15:8, OR 0x200) and Codethink's CPUFreq_Get reads it back;
   MediaTek's ADC and UART code read-modify-write TOPCFG (0x30030208 bit 31, 0x30030120)
   and its GPIO API the pinmux words; none of it may fault.
   One PASS/FAIL line per check, then "rgu-selftest: P passed, F failed". */
#include "armv7m.h"
#include "mt3620.h"
#include "mt3620-serial.h"
#include "rtprint.h"
#include "selftest.h"

extern const uintptr_t ExceptionVectorTable[];

#define TOPCFG_ADC_CLK  REG32(0x30030208u)
#define TOPCFG_UART_CG  REG32(0x30030120u)
#define PINMUX(n)       REG32(0x30010020u + 4u * (n))



_Noreturn void RTCoreMain(void)
{
    SCB_VTOR = (uint32_t)ExceptionVectorTable;
    uart_init(IO_UART_BASE);
    print("rgu-selftest\n");
    check("HCLK source at start: PLL", (RGU_HCLK_CK_CTRL >> 8) & 7, 2);
    RGU_HCLK_CK_CTRL = (RGU_HCLK_CK_CTRL & 0xFFFF00FFu) | 0x200u;   /* MediaTek */
    check("HCLK source read back (Codethink CPUFreq_Get)", (RGU_HCLK_CK_CTRL >> 8) & 3, 2);
    TOPCFG_ADC_CLK |= 1u << 31;
    check("TOPCFG ADC clock bit reads back", TOPCFG_ADC_CLK >> 31, 1);
    TOPCFG_UART_CG = (TOPCFG_UART_CG & ~1u) | (3u << 13);
    TOPCFG_UART_CG |= 1u;
    check("TOPCFG debug-UART clock/reset RMW", TOPCFG_UART_CG, 0x6001);
    PINMUX(1) = (PINMUX(1) & ~0xF0u) | 0x30u;
    check("pinmux mode word RMW", PINMUX(1), 0x30);
    selftest_summary("rgu-selftest");
    for (;;) wfi();
}
