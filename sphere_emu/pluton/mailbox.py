"""The Pluton command mailbox: the only way a core reaches Pluton (docs/pluton.md).

Mapped only into the A7 Secure World's address space. The guest writes CMD and ARG0–ARG5,
then writes 1 to DOORBELL; the command runs to completion at once (it takes no virtual
time in this model), RESULT holds its status, RET0–RET3 its results, STATUS.DONE is set
and INT_STATUS bit 0 raises the completion interrupt if INT_ENABLE bit 0 allows it.
Commands that move bulk data take guest physical addresses; Pluton reads and writes them
as a bus master.
"""

from typing import Any

from ..peripherals.registers import RO, W1C, WO, Peripheral, PeripheralContext, Register
from .protocol import BLOCK_ID, DONE, IRQ_DONE


class PlutonMailbox(Peripheral):
    TYPE = "pluton-mailbox"
    IRQS = ("irq",)
    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        super().__init__(name, ctx)
        self._pluton: Any = ctx.options.get("pluton")

    def registers(self) -> list[Register]:
        return [
            Register("ID", 0x00, reset=BLOCK_ID, access=RO),
            Register("CMD", 0x04),
            Register("ARG{}", 0x08, count=6),
            Register("DOORBELL", 0x20, access=WO, write=self._doorbell),
            Register("STATUS", 0x24, access=RO),
            Register("RESULT", 0x28, access=RO),
            Register("RET{}", 0x2C, count=4, access=RO),
            Register("INT_ENABLE", 0x3C, writable=IRQ_DONE),
            Register("INT_STATUS", 0x40, access=W1C),
        ]

    def attach(self, pluton: Any) -> None:
        """Connect the Pluton instance (``sphere_emu.pluton.core.Pluton``) to serve."""
        self._pluton = pluton

    @property
    def pluton(self) -> Any:
        if self._pluton is None:
            # A board run without a device gets a fresh one trusting the development CA.
            from ..device import Device
            from .core import Pluton

            self._pluton = Pluton(Device.temporary(), self.ctx.memory)
        return self._pluton

    def _doorbell(self, value: int) -> None:
        if not value & 1:
            return
        from .commands import execute

        args = tuple(self.regs[f"ARG{i}"] for i in range(6))
        status, results = execute(self.pluton, self.regs["CMD"], args)  # type: ignore[arg-type]
        self.regs["RESULT"] = int(status)
        for i in range(4):
            self.regs[f"RET{i}"] = (results[i] if i < len(results) else 0) & 0xFFFFFFFF
        self.regs["STATUS"] = DONE
        self.regs["INT_STATUS"] |= IRQ_DONE

    def update(self) -> None:
        self.irqs["irq"].set(bool(self.regs["INT_STATUS"] & self.regs["INT_ENABLE"]))

    def state(self) -> dict[str, Any]:
        state = super().state()
        if self._pluton is not None:
            state["pluton"] = self._pluton.state()
        return state
