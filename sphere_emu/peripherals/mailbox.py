"""MT3620 inter-core mailboxes, per the chip vendor's registers (peripherals §10).

A mailbox joins two cores. Each end is one instance of this block, mapped into its core,
and the board file pairs the two ends with ``peer``. Both ends use the register layout the
IO cores see at 0x21050000/0x21060000; the A7 ends (0x31010000, 0x31020000) use the same
layout, which is our documented choice (``docs/cortex-a7.md``). MBOX_VER reads 0x36200000,
the value the Azure Sphere kernel checks (correction C4).

Messages are (CMD, DATA) pairs. An end writes DATA_PUSH, then CMD_PUSH: the pair enters the
peer's 15-deep FIFO. The peer reads DATA_POP (the head's data), then CMD_POP, which pops.
SW_TX_INT_PORT raises the written bits (7:0) in the peer's SW_RX_INT_STS: the kernel's
doorbells, 2 = "HL core sent", 1 = "HL core read" (correction C2).

GEN_CTRL is self-clearing and never drops what the peer has already queued for this end
(§10.4's safe model: MediaTek's driver writes 0x2 when it opens a channel, possibly after the
kernel has posted its buffer set-up): bit 1 (SOFT_RST_MYSELF) withdraws this end's own
messages the peer has not popped yet and clears this end's RD/WR events; bit 0 (SOFT_RST)
also clears the peer's RD/WR events. SW_RX_INT_EN/STS are left alone by both.

INT_EN/INT_STS use the vendor's bit order (correction C1). Interrupt outputs of one end (the
IO side wires them to NVIC 6-11 or 12-17):

=====  ==========================================================================
ne     INT_STS.NE (bit 0): our inbound FIFO holds more than NE_THRS entries
wr     INT_STS.WR (bit 1, write 1 to clear): the peer pushed a message to us
nf     INT_STS.NF (bit 2): our outbound FIFO holds at most NF_THRS entries
rd     INT_STS.RD (bit 3, write 1 to clear): the peer popped one of our messages
fifo   NF or NE, whichever is enabled and true (the threshold interrupt)
sw     SW_RX_INT_STS & SW_RX_INT_EN is not zero
=====  ==========================================================================

Each of ne/wr/nf/rd is gated by its INT_EN bit.
"""

from collections import deque
from typing import Any

from ..engine.busywait import Status
from ..errors import BoardError
from .registers import (
    RO,
    SC,
    W1C,
    WO,
    Field,
    Peripheral,
    PeripheralContext,
    Register,
    peripheral_ref,
)

FIFO_DEPTH = 15
MBOX_VER_MT3620 = 0x36200000
NE, WR, NF, RD = Field("NE", 0), Field("WR", 1), Field("NF", 2), Field("RD", 3)
EVENTS = WR.mask | RD.mask
SOFT_RST, SOFT_RST_MYSELF = Field("SOFT_RST", 0, access=SC), Field("SOFT_RST_MYSELF", 1, access=SC)
SW_BITS = 0xFF
_ACCESSES_ONLY = Status()


class Mt3620Mailbox(Peripheral):
    TYPE = "mt3620-mailbox"
    STATE = ("inbound",)
    IRQS = ("rd", "nf", "wr", "ne", "fifo", "sw")
    OPTIONS = {"peer": peripheral_ref}

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.inbound: deque[tuple[int, int]] = deque()
        self.peer: Mt3620Mailbox | None = None
        super().__init__(name, ctx)

    def registers(self) -> list[Register]:
        return [
            Register("MBOX_VER", 0x00, access=RO, reset=MBOX_VER_MT3620),
            Register("GEN_CTRL", 0x04, access=WO, writable=0, fields=(
                SOFT_RST.on(write=lambda _v: self._soft_reset(both=True)),
                SOFT_RST_MYSELF.on(write=lambda _v: self._soft_reset(both=False)))),
            Register("DBG_IDX", 0x08, writable=0xFF),
            Register("DBG_PROBE", 0x0C, access=RO),
            Register("SW_TX_INT_PORT", 0x14, access=WO, write=self._ring_peer),
            Register("SW_RX_INT_EN", 0x18, writable=SW_BITS),
            Register("SW_RX_INT_STS", 0x1C, access=W1C, writable=SW_BITS),
            Register("FIFO_CTRL", 0x20, writable=0x3FF),
            Register("NF_THRS", 0x30, reset=FIFO_DEPTH - 1, writable=0xF),
            Register("NE_THRS", 0x34, reset=0, writable=0xF),
            Register("INT_EN", 0x38, fields=(NE, WR, NF, RD), writable=0),
            Register("INT_STS", 0x3C, read=self._read_int_sts, write=self._clear_events),
            Register("CMD_PUSH", 0x40, access=WO, write=self._push),
            Register("DATA_PUSH", 0x44, access=WO),
            Register("FIFO_PUSH_CNT", 0x48, access=RO, read=self._outbound_count),
            Register("CMD_POP", 0x50, access=RO, read=self._pop),
            Register("DATA_POP", 0x54, access=RO,
                     read=lambda: self.inbound[0][1] if self.inbound else 0),
            Register("FIFO_POP_CNT", 0x58, access=RO, read=lambda: len(self.inbound)),
            Register("SEMAPHORE_P", 0x60, writable=1),
        ]

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
        self.regs["INT_STS"] |= WR.mask
        self.update()

    def _was_popped(self) -> None:
        self.regs["INT_STS"] |= RD.mask
        self.update()

    def _doorbell(self, bits: int) -> None:
        self.regs["SW_RX_INT_STS"] |= bits & SW_BITS
        self.update()

    def _outbound_count(self) -> int:
        return len(self.peer.inbound) if self.peer is not None else 0

    # -- register hooks ------------------------------------------------------------------
    def _push(self, value: int) -> None:
        if self.peer is None:
            self.guest_error("CMD_PUSH with no peer mailbox configured: message dropped")
        elif len(self.peer.inbound) >= FIFO_DEPTH:
            self.guest_error(f"CMD_PUSH {value:#x} to a full FIFO: message dropped")
        else:
            self.peer._accept(value, self.regs["DATA_PUSH"])

    def _pop(self) -> int:
        if not self.inbound:
            self.guest_error("CMD_POP from an empty FIFO")
            return 0
        cmd, _data = self.inbound.popleft()
        self.update()
        if self.peer is not None:
            self.peer._was_popped()
        return cmd

    def _ring_peer(self, value: int) -> None:
        if self.peer is not None:
            self.peer._doorbell(value)

    def _levels(self) -> tuple[bool, bool]:
        nf = self._outbound_count() <= self.regs["NF_THRS"]
        ne = len(self.inbound) > self.regs["NE_THRS"]
        return nf, ne

    def _read_int_sts(self) -> int:
        nf, ne = self._levels()
        return (self.regs["INT_STS"] & EVENTS) | (NF.mask if nf else 0) | (NE.mask if ne else 0)

    def _clear_events(self, value: int) -> None:
        self.regs["INT_STS"] &= ~(value & EVENTS)

    def _soft_reset(self, *, both: bool) -> None:
        if self.peer is not None and self.peer.inbound:
            self.peer.inbound.clear()  # our own messages, not yet taken: withdrawn
            self.peer.update()
        self.regs["INT_STS"] &= ~EVENTS
        if both and self.peer is not None:
            self.peer.regs["INT_STS"] &= ~EVENTS
            self.peer.update()

    def time_sources(self) -> dict[int, Any]:
        """The FIFO counts and SW_RX_INT_STS as a status a busy-wait may poll
        (engine/busywait.py): only accesses change them, this end's or the peer's, and
        the peer's core never runs inside this one's time slice."""
        return dict.fromkeys((0x1C, 0x48, 0x58), lambda: _ACCESSES_ONLY)

    def update(self) -> None:
        nf, ne = self._levels()
        events, enabled = self.regs["INT_STS"], self.regs["INT_EN"]
        nf_irq, ne_irq = nf and bool(enabled & NF.mask), ne and bool(enabled & NE.mask)
        self.irqs["rd"].set(bool(events & enabled & RD.mask))
        self.irqs["nf"].set(nf_irq)
        self.irqs["wr"].set(bool(events & enabled & WR.mask))
        self.irqs["ne"].set(ne_irq)
        self.irqs["fifo"].set(nf_irq or ne_irq)
        self.irqs["sw"].set(bool(self.regs["SW_RX_INT_STS"] & self.regs["SW_RX_INT_EN"]))
