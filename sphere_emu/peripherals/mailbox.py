"""MT3620 inter-core mailboxes.

A mailbox joins two cores. Each end is one instance of this block, mapped into its core,
and the board file pairs the two ends with ``peer``. Both ends use the register layout the
IO cores see at 0x21050000/0x21060000 (facts §5.1); the A7 ends (0x31010000, 0x31020000)
use the same layout, which is our documented choice (``docs/cortex-a7.md``).

Messages are (CMD, DATA) pairs. An end writes DATA_PUSH, then CMD_PUSH: the pair enters the
peer's 15-deep FIFO. The peer reads DATA_POP (the head's data), then CMD_POP, which pops.
SW_TX_INT_PORT raises the written bits in the peer's SW_RX_INT_STS (a doorbell).

Interrupt outputs of one end (the IO side wires them to NVIC 6-11 or 12-17):

=====  ==========================================================================
rd     INT_STS.RD (bit 0, write 1 to clear): the peer popped one of our messages
nf     INT_STS.NF (bit 1): our outbound FIFO holds at most NF_THRS entries
wr     INT_STS.WR (bit 2, write 1 to clear): the peer pushed a message to us
ne     INT_STS.NE (bit 3): our inbound FIFO holds more than NE_THRS entries
fifo   NF or NE, whichever is enabled and true (the threshold interrupt)
sw     SW_RX_INT_STS & SW_RX_INT_EN is not zero
=====  ==========================================================================

Each of rd/nf/wr/ne is gated by its INT_EN bit.
"""

from collections import deque
from typing import Any

from ..board import peripheral_ref
from ..errors import BoardError
from .registers import RO, W1C, WO, Peripheral, PeripheralContext, Register

FIFO_DEPTH = 15
INT_RD, INT_NF, INT_WR, INT_NE = 1 << 0, 1 << 1, 1 << 2, 1 << 3
EVENTS = INT_RD | INT_WR
GEN_SOFT_RESET, GEN_SOFT_RESET_MYSELF = 1 << 0, 1 << 1


class Mt3620Mailbox(Peripheral):
    TYPE = "mt3620-mailbox"
    IRQS = ("rd", "nf", "wr", "ne", "fifo", "sw")
    OPTIONS = {"peer": peripheral_ref}
    REGISTERS = (
        Register("MBOX_VER", 0x00, access=RO),
        Register("GEN_CTRL", 0x04, writable=GEN_SOFT_RESET | GEN_SOFT_RESET_MYSELF),
        Register("DBG_IDX", 0x08, writable=0xFF),
        Register("DBG_PROBE", 0x0C, access=RO),
        Register("SW_TX_INT_PORT", 0x14, access=WO),
        Register("SW_RX_INT_EN", 0x18),
        Register("SW_RX_INT_STS", 0x1C, access=W1C),
        Register("FIFO_CTRL", 0x20, writable=0x3FF),
        Register("NF_THRS", 0x30, reset=FIFO_DEPTH - 1, writable=0xF),
        Register("NE_THRS", 0x34, reset=0, writable=0xF),
        Register("INT_EN", 0x38, writable=0xF),
        Register("INT_STS", 0x3C),
        Register("CMD_PUSH", 0x40, access=WO),
        Register("DATA_PUSH", 0x44, access=WO),
        Register("FIFO_PUSH_CNT", 0x48, access=RO),
        Register("CMD_POP", 0x50, access=RO),
        Register("DATA_POP", 0x54, access=RO),
        Register("FIFO_POP_CNT", 0x58, access=RO),
        Register("SEMAPHORE_P", 0x60, writable=1),
    )

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.inbound: deque[tuple[int, int]] = deque()
        self.peer: Mt3620Mailbox | None = None
        super().__init__(name, ctx)

    def link(self, option: str, other: Peripheral) -> None:
        """Called by the machine for the ``peer`` option once every block exists."""
        if not isinstance(other, Mt3620Mailbox) or other is self:
            raise BoardError(f"peripherals.{self.name}.{option}: {other.name} is not "
                             "another mt3620-mailbox")
        self.peer = other

    def reset(self) -> None:
        super().reset()
        self.inbound.clear()

    # -- what the peer does to us --------------------------------------------------------
    def _accept(self, cmd: int, data: int) -> None:
        self.inbound.append((cmd, data))
        self.regs["INT_STS"] |= INT_WR
        self.update()

    def _was_popped(self) -> None:
        self.regs["INT_STS"] |= INT_RD
        self.update()

    def _doorbell(self, bits: int) -> None:
        self.regs["SW_RX_INT_STS"] |= bits
        self.update()

    def _outbound_count(self) -> int:
        return len(self.peer.inbound) if self.peer is not None else 0

    # -- registers -----------------------------------------------------------------------
    def write_CMD_PUSH(self, value: int) -> None:
        self.regs["CMD_PUSH"] = value
        if self.peer is None:
            self.guest_error("CMD_PUSH with no peer mailbox configured: message dropped")
        elif len(self.peer.inbound) >= FIFO_DEPTH:
            self.guest_error(f"CMD_PUSH {value:#x} to a full FIFO: message dropped")
        else:
            self.peer._accept(value, self.regs["DATA_PUSH"])

    def read_CMD_POP(self) -> int:
        if not self.inbound:
            self.guest_error("CMD_POP from an empty FIFO")
            return 0
        cmd, _data = self.inbound.popleft()
        self.update()
        if self.peer is not None:
            self.peer._was_popped()
        return cmd

    def read_DATA_POP(self) -> int:
        return self.inbound[0][1] if self.inbound else 0

    def read_FIFO_POP_CNT(self) -> int:
        return len(self.inbound)

    def read_FIFO_PUSH_CNT(self) -> int:
        return self._outbound_count()

    def write_SW_TX_INT_PORT(self, value: int) -> None:
        if self.peer is not None:
            self.peer._doorbell(value)

    def _status(self) -> tuple[bool, bool]:
        nf = self._outbound_count() <= self.regs["NF_THRS"]
        ne = len(self.inbound) > self.regs["NE_THRS"]
        return nf, ne

    def read_INT_STS(self) -> int:
        nf, ne = self._status()
        return (self.regs["INT_STS"] & EVENTS) | (INT_NF if nf else 0) | (INT_NE if ne else 0)

    def write_INT_STS(self, value: int) -> None:
        self.regs["INT_STS"] &= ~(value & EVENTS)

    def write_GEN_CTRL(self, value: int) -> None:
        if value & GEN_SOFT_RESET:
            for end in (self, self.peer):
                if end is not None:
                    end.inbound.clear()
                    end.regs["INT_STS"] = 0
                    end.regs["SW_RX_INT_STS"] = 0
                    end.update()
        elif value & GEN_SOFT_RESET_MYSELF:
            self.inbound.clear()
            self.regs["INT_STS"] = 0
            self.regs["SW_RX_INT_STS"] = 0
            if self.peer is not None:
                self.peer.update()
        self.regs["GEN_CTRL"] = 0  # self-clearing

    def update(self) -> None:
        nf, ne = self._status()
        events, enabled = self.regs["INT_STS"], self.regs["INT_EN"]
        nf_irq, ne_irq = nf and bool(enabled & INT_NF), ne and bool(enabled & INT_NE)
        self.irqs["rd"].set(bool(events & enabled & INT_RD))
        self.irqs["nf"].set(nf_irq)
        self.irqs["wr"].set(bool(events & enabled & INT_WR))
        self.irqs["ne"].set(ne_irq)
        self.irqs["fifo"].set(nf_irq or ne_irq)
        self.irqs["sw"].set(bool(self.regs["SW_RX_INT_STS"] & self.regs["SW_RX_INT_EN"]))

    def state(self) -> dict[str, Any]:
        out = super().state()
        out["inbound"] = list(self.inbound)
        return out
