"""IO-core reset control: how the A7 Secure World starts and stops the two IO cores.

The MT3620's real mechanism is not public; this block is ours (``docs/cortex-a7.md``).
For each IO core there is a vector-table register and a control register. Setting
CTRL.RUN releases the core from reset: it loads SP and PC from the vector table at VECTOR
(an address in that core's own map) and sets VTOR to it, like the Azure Sphere RT-app
loader. Clearing CTRL.RUN holds the core in reset again. Only Secure accesses may write
(the board also maps the block ``secure_only``, so the Normal World cannot even reach it);
other writes are ignored and logged.

Lockup: a core that stops for good (a fault it cannot take) reports it through its reset
line. IOn_STATUS.LOCKUP latches, the "lockup" interrupt (one line for both cores, to the
A7's GIC) rises, and IOn_PC, IOn_FAULT_PC, IOn_CFSR, IOn_HFSR and IOn_FAR hold what a
debugger reading the halted core would find (where it stopped, the faulting instruction, the
fault status and address). Writing 1 to LOCKUP acknowledges it; releasing the core clears
it. IOn_CTRL.DBGHALT asks the core to stop for a debugger at its first instruction when
released (a reset vector catch), the way an app starts in debug mode.

XIP: IOn_XIP = flash offset | XIP_ON points the core's XIP window (0x10000000) at the flash
from that offset, read-only and in place, when the core is released (how the RT-app loader
shows an image's XIP segment to the core); with XIP_ON clear the window shows the core's own
XIP memory again. The offset is 32-byte aligned, as the RT-app linker scripts require.
"""

from functools import partial
from typing import ClassVar

from ..reset import Lockup, ResetLine
from .registers import RO, W1C, BusAccess, Field, Peripheral, PeripheralContext, Register

RUN = Field("RUN", 0)  # IOn_CTRL: out of reset
DBGHALT = Field("DBGHALT", 1)  # IOn_CTRL: stop for a debugger at the first instruction
LOCKUP = Field("LOCKUP", 0, access=W1C)  # IOn_STATUS: the core stopped for good
XIP_ON = Field("ON", 0)  # IOn_XIP: the window shows the flash from the offset in the rest
XIP_WINDOW = 0x10000000
XIP_SOURCE = "flash"  # the memory the XIP windows show
ID_VALUE = 0x494F5253  # "SRoI" read little-endian as text: Sphere-emu Reset of IO cores


class IoCoreResetControl(Peripheral):
    TYPE = "sphere-io-reset"
    SIZE = 0x1000
    RESETS: ClassVar[tuple[str, ...]] = ("io0", "io1")
    IRQS = ("lockup",)

    def registers(self) -> list[Register]:
        return [
            Register("ID", 0x00, reset=ID_VALUE, access=RO),
            Register("IO{}_VECTOR", 0x10, count=2, stride=0x10, reset=0x00100000,
                     writable=0xFFFFFF80),
            Register("IO{}_CTRL", 0x14, count=2, stride=0x10, fields=(RUN, DBGHALT),
                     write=self._control),
            Register("IO{}_XIP", 0x18, count=2, stride=0x10, writable=0xFFFFFFE0 | XIP_ON.mask),
            Register("IO{}_STATUS", 0x100, count=2, stride=0x20, fields=(LOCKUP,), access=RO),
            *(Register(f"IO{{}}_{name}", 0x104 + 4 * i, count=2, stride=0x20, access=RO)
              for i, name in enumerate(("PC", "FAULT_PC", "CFSR", "HFSR", "FAR"))),
        ]

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.resets = {line: ResetLine(f"{name}.{line}", on_lockup=partial(self._lockup, i))
                       for i, line in enumerate(self.RESETS)}
        super().__init__(name, ctx)

    def update(self) -> None:
        self.irqs["lockup"].set(any(self.regs[f"IO{i}_STATUS"] & LOCKUP.mask
                                    for i in range(len(self.RESETS))))

    def _lockup(self, index: int, report: Lockup) -> None:
        regs = self.regs
        regs[f"IO{index}_STATUS"] |= LOCKUP.mask
        for name, value in (("PC", report.pc), ("FAULT_PC", report.fault_pc),
                            ("CFSR", report.cfsr), ("HFSR", report.hfsr),
                            ("FAR", report.fault_address)):
            regs[f"IO{index}_{name}"] = value & 0xFFFFFFFF
        self.update()

    def write(self, offset: int, size: int, value: int, access: BusAccess) -> None:
        if not access.secure:
            self.guest_error(f"{access.initiator}: non-secure write of {value:#x} to offset "
                             f"{offset:#x} ignored")
            return
        super().write(offset, size, value, access)

    def _control(self, index: int, value: int) -> None:
        reg = f"IO{index}_CTRL"
        was = self.regs[reg] & RUN.mask
        self.regs[reg] = value & (RUN.mask | DBGHALT.mask)
        line = self.resets[self.RESETS[index]]
        if value & RUN.mask and not was:
            self.regs[f"IO{index}_STATUS"] = 0
            self.update()
            xip = self.regs[f"IO{index}_XIP"]
            try:
                line.map_window(XIP_WINDOW, XIP_SOURCE if xip & XIP_ON.mask else None,
                                xip & ~0x1F)
            except ValueError as err:
                self.guest_error(f"io{index}: XIP window refused: {err}")
                line.map_window(XIP_WINDOW, None, 0)
            line.release(self.regs[f"IO{index}_VECTOR"], debug_halt=bool(value & DBGHALT.mask))
        elif was and not value & RUN.mask:
            line.hold()
