"""IO-core reset control: how the A7 Secure World starts and stops the two IO cores.

The MT3620's real mechanism is not public; this block is ours (``docs/cortex-a7.md``).
For each IO core there is a vector-table register and a control register. Setting
CTRL.RUN releases the core from reset: it loads SP and PC from the vector table at VECTOR
(an address in that core's own map) and sets VTOR to it, like the Azure Sphere RT-app
loader. Clearing CTRL.RUN holds the core in reset again. Only Secure accesses may write
(the board also maps the block ``secure_only``, so the Normal World cannot even reach it);
other writes are ignored and logged.

XIP: IOn_XIP = flash offset | XIP_ON points the core's XIP window (0x10000000) at the flash
from that offset, read-only and in place, when the core is released (how the RT-app loader
shows an image's XIP segment to the core); with XIP_ON clear the window shows the core's own
XIP memory again. The offset is 32-byte aligned, as the RT-app linker scripts require.
"""

from typing import ClassVar

from ..reset import ResetLine
from .registers import RO, BusAccess, Field, Peripheral, PeripheralContext, Register

RUN = Field("RUN", 0)  # IOn_CTRL: out of reset
XIP_ON = Field("ON", 0)  # IOn_XIP: the window shows the flash from the offset in the rest
XIP_WINDOW = 0x10000000
XIP_SOURCE = "flash"  # the memory the XIP windows show
ID_VALUE = 0x494F5253  # "SRoI" read little-endian as text: Sphere-emu Reset of IO cores


class IoCoreResetControl(Peripheral):
    TYPE = "sphere-io-reset"
    SIZE = 0x1000
    RESETS: ClassVar[tuple[str, ...]] = ("io0", "io1")

    def registers(self) -> list[Register]:
        return [
            Register("ID", 0x00, reset=ID_VALUE, access=RO),
            Register("IO{}_VECTOR", 0x10, count=2, stride=0x10, reset=0x00100000,
                     writable=0xFFFFFF80),
            Register("IO{}_CTRL", 0x14, count=2, stride=0x10, fields=(RUN,),
                     write=self._control),
            Register("IO{}_XIP", 0x18, count=2, stride=0x10, writable=0xFFFFFFE0 | XIP_ON.mask),
        ]

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.resets = {line: ResetLine(f"{name}.{line}") for line in self.RESETS}
        super().__init__(name, ctx)

    def write(self, offset: int, size: int, value: int, access: BusAccess) -> None:
        if not access.secure:
            self.guest_error(f"{access.initiator}: non-secure write of {value:#x} to offset "
                             f"{offset:#x} ignored")
            return
        super().write(offset, size, value, access)

    def _control(self, index: int, value: int) -> None:
        reg = f"IO{index}_CTRL"
        was = self.regs[reg] & RUN.mask
        self.regs[reg] = value & RUN.mask
        line = self.resets[self.RESETS[index]]
        if value & RUN.mask and not was:
            xip = self.regs[f"IO{index}_XIP"]
            try:
                line.map_window(XIP_WINDOW, XIP_SOURCE if xip & XIP_ON.mask else None,
                                xip & ~0x1F)
            except ValueError as err:
                self.guest_error(f"io{index}: XIP window refused: {err}")
                line.map_window(XIP_WINDOW, None, 0)
            line.release(self.regs[f"IO{index}_VECTOR"])
        elif was and not value & RUN.mask:
            line.hold()
