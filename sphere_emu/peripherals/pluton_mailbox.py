"""The Pluton command mailbox: the only way a core reaches Pluton (docs/pluton.md).

Mapped only into the A7 Secure World's address space. The guest writes CMD and ARG0–ARG5,
then writes 1 to DOORBELL; the command runs to completion at once (it takes no virtual
time in this model), RESULT holds its status, RET0–RET3 its results, STATUS.DONE is set
and INT_STATUS bit 0 raises the completion interrupt if INT_ENABLE bit 0 allows it.

The block is only the register interface: what a command does is the business of the
server attached to it (``sphere_emu.pluton.Pluton``, attached by the machine assembler of
the product layer). Without a server every command completes with ``NO_SERVER``.
"""

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from .registers import RO, W1C, WO, Field, Peripheral, PeripheralContext, Register

BLOCK_ID = 0x504C5431  # the ID register: "PLT1" as a 32-bit value
DONE = Field("DONE", 0, access=RO)  # STATUS: the last command has completed
IRQ_DONE = Field("DONE", 0)  # INT_ENABLE / INT_STATUS: command completion
NO_SERVER = 0xFFFFFFFF  # RESULT when nothing serves the mailbox


class CommandServer(Protocol):
    def execute(self, command: int, args: Sequence[int]) -> tuple[int, Sequence[int]]:
        """Run one command: (status, results)."""

    def snapshot(self) -> dict[str, Any] | None: ...

    def restore(self, state: dict[str, Any]) -> None: ...


def serve_mailboxes(blocks: Iterable[Peripheral], server: CommandServer) -> None:
    """Serve every Pluton mailbox among ``blocks`` (a machine's peripherals) with ``server``."""
    for block in blocks:
        if isinstance(block, PlutonMailbox):
            block.attach(server)


class PlutonMailbox(Peripheral):
    TYPE = "pluton-mailbox"
    IRQS = ("irq",)

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        super().__init__(name, ctx)
        self.pluton: CommandServer | None = None  # what serves the commands

    def registers(self) -> list[Register]:
        return [
            Register("ID", 0x00, reset=BLOCK_ID, access=RO),
            Register("CMD", 0x04),
            Register("ARG{}", 0x08, count=6),
            Register("DOORBELL", 0x20, access=WO, write=self._doorbell),
            Register("STATUS", 0x24, access=RO, fields=(DONE,)),
            Register("RESULT", 0x28, access=RO),
            Register("RET{}", 0x2C, count=4, access=RO),
            Register("INT_ENABLE", 0x3C, writable=IRQ_DONE.mask),
            Register("INT_STATUS", 0x40, access=W1C),
        ]

    def attach(self, server: CommandServer) -> None:
        """Serve the mailbox's commands with ``server`` (a Pluton)."""
        self.pluton = server

    def _doorbell(self, value: int) -> None:
        if not value & 1:
            return
        args = tuple(self.regs[f"ARG{i}"] for i in range(6))
        if self.pluton is None:
            status, results = NO_SERVER, ()
        else:
            status, results = self.pluton.execute(self.regs["CMD"], args)
        self.regs["RESULT"] = int(status) & 0xFFFFFFFF
        for i in range(4):
            self.regs[f"RET{i}"] = (results[i] if i < len(results) else 0) & 0xFFFFFFFF
        self.regs["STATUS"] = DONE.mask
        self.regs["INT_STATUS"] |= IRQ_DONE.mask

    def update(self) -> None:
        self.irqs["irq"].set(bool(self.regs["INT_STATUS"] & self.regs["INT_ENABLE"]))

    # -- snapshots: the server's state travels with the block that reaches it ------------
    def snapshot(self) -> dict[str, Any]:
        server = getattr(self.pluton, "snapshot", None)
        return {**super().snapshot(), "server": server() if server is not None else None}

    def restore(self, state: dict[str, Any]) -> None:
        state = dict(state)
        server = state.pop("server")
        if server is not None and self.pluton is not None:
            self.pluton.restore(server)  # several mailboxes, one Pluton: the same state
        super().restore(state)
