"""MT3620 IO-core RGU / low-power / clock block (0x21010000, one per IO core).

What drivers need from it is that it reads back: MediaTek's start-up code clears
CM4_HCLK_CK_CTRL bits 15:8 and sets the PLL (0x200), Codethink's CPUFreq_Get reads the
HCLK source back, the low-power code read-modify-writes the sleep and memory power
registers. The HCLK source resets to 2 (PLL, 197.6 MHz): the OS has switched the core to
the PLL before an app runs, and the core model's clock is the board's. Nothing here
changes the core's speed or puts it to sleep (WFI does that); see docs/peripherals.md.
"""

from .registers import Field, Peripheral, Register

HCLK_SEL = Field("HCLK_SEL", 8, width=3, reset=2)  # 0 XTAL 26 MHz, 1 32 kHz, 2 PLL (K13)


class Mt3620Rgu(Peripheral):
    TYPE = "mt3620-rgu"
    SIZE = 0x1000
    REGISTERS = (
        Register("CM4_SLP_CTRL", 0x000, writable=0x3),
        Register("CM4_SLP_AUX", 0x004, writable=0x1),
        Register("CM4_SLP_EVENT_RECORD", 0x008),
        Register("CM4_HCLK_CK_CTRL", 0x00C, fields=(HCLK_SEL,)),
        Register("CM4_HW_MEM_PDN", 0x100, writable=0x3FFFFFF),
        Register("CM4_HW_MEM_SLP", 0x104, writable=0x3FFFFFF),
        Register("CM4_SW_MEM_PDN", 0x10C),
        Register("CM4_SW_MEM_SLP", 0x110),
        Register("CM4_SW_MEM_ISO", 0x114),
        Register("CM4_HW_MEM_PWR_CTRL_OPTION", 0x118),
        Register("CM4_DUMMY_REGISTER", 0x120),
        Register("TOP_AON_CM4_CKGEN0", 0x1B0),
        Register("TOP_AON_HCLK_2M_CKGEN", 0x1B4),
        # 26 MHz crystal (bit 6), WF/BT PLL ready (bits 26/27), MPLL enabled (bit 28)
        Register("TOP_AON_CM4_PWRCTLCR", 0x1B8, reset=(1 << 6) | (3 << 26) | (1 << 28)),
    )
