"""IO-core reset control: how the A7 Secure World starts and stops the two IO cores.

The MT3620's real mechanism is not public; this block is ours (``docs/cortex-a7.md``).
For each IO core there is a vector-table register and a control register. Setting
CTRL.RUN releases the core from reset: it loads SP and PC from the vector table at VECTOR
(an address in that core's own map) and sets VTOR to it, like the Azure Sphere RT-app
loader. Clearing CTRL.RUN holds the core in reset again. Only Secure accesses may write
(the board also maps the block ``secure_only``, so the Normal World cannot even reach it);
other writes are ignored and logged.
"""

from typing import ClassVar

from ..reset import ResetLine
from .registers import RO, BusAccess, Peripheral, PeripheralContext, Register

CTRL_RUN = 1 << 0
ID_VALUE = 0x494F5253  # "SRoI" read little-endian as text: Sphere-emu Reset of IO cores


class IoCoreResetControl(Peripheral):
    TYPE = "sphere-io-reset"
    SIZE = 0x1000
    RESETS: ClassVar[tuple[str, ...]] = ("io0", "io1")
    REGISTERS = (
        Register("ID", 0x00, reset=ID_VALUE, access=RO),
        Register("IO0_VECTOR", 0x10, reset=0x00100000, writable=0xFFFFFF80),
        Register("IO0_CTRL", 0x14, writable=CTRL_RUN),
        Register("IO1_VECTOR", 0x20, reset=0x00100000, writable=0xFFFFFF80),
        Register("IO1_CTRL", 0x24, writable=CTRL_RUN),
    )

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.resets = {line: ResetLine(f"{name}.{line}") for line in self.RESETS}
        super().__init__(name, ctx)

    def write(self, offset: int, size: int, value: int, access: BusAccess) -> None:
        if not access.secure:
            self.guest_error(f"{access.initiator}: non-secure write of {value:#x} to offset "
                             f"{offset:#x} ignored")
            return
        super().write(offset, size, value, access)

    def _control(self, core: str, value: int) -> None:
        reg = f"{core.upper()}_CTRL"
        was = self.regs[reg] & CTRL_RUN
        self.regs[reg] = value & CTRL_RUN
        line = self.resets[core]
        if value & CTRL_RUN and not was:
            line.release(self.regs[f"{core.upper()}_VECTOR"])
        elif was and not value & CTRL_RUN:
            line.hold()

    def write_IO0_CTRL(self, value: int) -> None:
        self._control("io0", value)

    def write_IO1_CTRL(self, value: int) -> None:
        self._control("io1", value)
