"""MT3620 ISU global control (ISU + 0x000): the register every ISU driver resets through,
and the board's record of which function the ISU's pads serve.

ISU_GLOBAL_CTRL: bit 0 the active-low soft reset, bit 8 the I2C clock, bits 12:9 the SPI
master clocks, bits 14:13 the UART clocks. MediaTek's drivers read-modify-write it, so it
reads back what was written; no function is gated on these bits (Codethink's drivers never
write them and work on hardware, so the OS leaves the assigned function clocked).

There is no function-select register: the OS muxes the pads from the app manifest. The
board option ``function`` (uart, i2c, spi or any, the default) says how this board uses the
ISU; a board device on a bus of another function is a board error.
"""

from .registers import Peripheral, Register

FUNCTIONS = ("any", "uart", "i2c", "spi")


def parse_function(value: object) -> str:
    text = str(value).lower()
    if text not in FUNCTIONS:
        raise ValueError(f"must be one of {', '.join(FUNCTIONS)}, not {value!r}")
    return text


class Mt3620Isu(Peripheral):
    TYPE = "mt3620-isu"
    SIZE = 0x4
    OPTIONS = {"function": parse_function}
    REGISTERS = (Register("ISU_GLOBAL_CTRL", 0x00, reset=0x1, writable=0x7F01),)

    @property
    def function(self) -> str | None:
        value = self.ctx.options.get("function", "any")
        return None if value == "any" else value
