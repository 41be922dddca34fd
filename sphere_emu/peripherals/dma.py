"""MT3620 IO-core DMA engine (0x21080000): 30 channels, one interrupt line (NVIC 77).

Channel types by number (mt3620-peripherals.md §5.1): 0-11 half-size (memory <-> one
peripheral port at FIXADDR), 12 full-size (memory to memory), 13-29 virtual FIFO (a ring
in memory between software and a peripheral).

Data never moves a byte at a time:

- a channel with DREQ set is paced by its peripheral. Starting it connects a ``DmaPort`` to
  the block at FIXADDR (found through this core's address map, so the port is wherever the
  driver points it); the block takes or gives whole chunks when its own bus timing says
  (an I2C transaction's end, a SPI transfer, a UART character, an ADC sample);
- a channel without DREQ (memory to memory, or Codethink's SPI descriptor write) moves
  COUNT units at the engine's own rate, one unit per cycle of the 197.6 MHz bus clock, and
  completes by a clock event; RLCT counts down in virtual time meanwhile.

Completion (half/full) sets INTSTA.DONE (bit 15) and, at the half-way unit, HALF (bit 13);
a virtual FIFO sets DONE when its fill level crosses COUNT (RX: reaches it; TX: drops below
it) and TIMEOUT (bit 16) TO bus cycles after the last RX data. A status bit is set only if
its enable (ITEN/HITEN/TOEN) is on; GLBSTA shows RUN and IT per channel; the line is high
while any INTSTA is. Choices where the record is silent: docs/peripherals.md (DMA).
"""

from dataclasses import dataclass
from typing import Any

from ..clock import Event
from ..engine.busywait import Status
from ..snapshot import apply, capture
from .dma_bus import DmaBus
from .registers import RO, WO, BusAccess, Peripheral, PeripheralContext, Register

NUM_CHANNELS = 30
FULL_SIZE = 12
FIRST_VFF = 13
BUS_CLOCK_HZ = 197_600_000
GLOBAL = 0x4000
# CON
SINC, DINC, DREQ = 1 << 2, 1 << 3, 1 << 4
HITEN, TOEN, ITEN = 1 << 13, 1 << 14, 1 << 15
WPSD, WPEN, DIR_RX = 1 << 16, 1 << 17, 1 << 18
STR = 1 << 15
INT_HALF, INT_DONE, INT_TIMEOUT = 1 << 13, 1 << 15, 1 << 16
WRAP = 1 << 16

CHANNEL_REGS = {  # offset: (name, writable mask)
    0x00: ("SRC", 0xFFFFFFFF), 0x04: ("DST", 0xFFFFFFFF), 0x08: ("WPPT", 0xFFFF),
    0x0C: ("WPTO", 0xFFFFFFFF), 0x10: ("COUNT", 0x1FFFF), 0x14: ("CON", 0x7E73F),
    0x18: ("START", STR), 0x1C: ("INTSTA", 0), 0x20: ("ACKINT", 0x1A000),
    0x24: ("RLCT", 0), 0x28: ("LIMITER", 0xFF), 0x2C: ("PGMADDR", 0xFFFFFFFF),
    0x38: ("FFCNT", 0), 0x3C: ("FFSTA", 0), 0x40: ("ALTLEN", 0x8000FFFF),
    0x44: ("FFSIZE", 0xFFFF), 0x50: ("TO", 0xFFFFFFFF), 0x58: ("HWPTR", 0),
    0x5C: ("SWPTR", 0x1FFFF), 0x60: ("FIXADDR", 0xFFFFFFFF),
}


@dataclass
class Channel:
    number: int
    regs: dict[str, int]  # the engine's register store (CHn_* entries)
    running: bool = False
    intsta: int = 0
    done: int = 0  # units moved (half/full size)
    units: int = 0  # units to move
    started_ns: int = 0
    hwptr: int = 0  # virtual FIFO: the engine's byte offset | wrap bit
    event: Event | None = None
    timeout: Event | None = None
    target: Any = None  # the peripheral connected by handshake
    target_offset: int = 0

    def r(self, name: str) -> int:
        return self.regs[f"CH{self.number}_{name}"]

    @property
    def unit(self) -> int:
        return (1, 2, 4, 4)[self.r("CON") & 3]

    @property
    def vff(self) -> bool:
        return self.number >= FIRST_VFF

    @property
    def to_peripheral(self) -> bool:
        return not self.r("CON") & DIR_RX


class _Port:
    """The DmaPort a handshaking peripheral moves its data through."""

    def __init__(self, engine: "Mt3620Dma", ch: Channel) -> None:
        self.engine = engine
        self.ch = ch
        self.channel = ch.number
        self.to_peripheral = ch.to_peripheral

    def remaining(self) -> int:
        ch = self.ch
        if ch.vff:
            return self.engine.fifo_bytes(ch) if ch.to_peripheral else \
                self.engine.fifo_size(ch) - self.engine.fifo_bytes(ch)
        return (ch.units - ch.done) * ch.unit

    def until_interrupt(self) -> int | None:
        return self.engine.until_interrupt(self.ch)

    def take(self, count: int) -> bytes:
        return self.engine.take(self.ch, count)

    def give(self, data: bytes) -> int:
        return self.engine.give(self.ch, data)


class Mt3620Dma(Peripheral):
    TYPE = "mt3620-dma"
    IRQS = ("irq",)
    SIZE = 0x10000

    def registers(self) -> list[Register]:
        hooks: dict[str, dict[str, Any]] = {
            "START": {"read": lambda i: STR if self.channels[i].running else 0,
                      "write": self._write_start},
            "INTSTA": {"access": RO, "read": lambda i: self.channels[i].intsta},
            "ACKINT": {"access": WO, "write": self._write_ackint},
            "RLCT": {"access": RO, "read": lambda i: self._remaining_units(self.channels[i])},
            "FFCNT": {"access": RO, "read": self._ffcnt},
            "FFSTA": {"access": RO, "read": self._ffsta},
            "HWPTR": {"access": RO, "read": lambda i: self.channels[i].hwptr},
            "SWPTR": {"write": self._write_swptr},
        }
        channel_regs = [
            Register(f"CH{{}}_{name}", offset, count=NUM_CHANNELS, stride=0x100,
                     writable=writable, **hooks.get(name, {}))
            for offset, (name, writable) in CHANNEL_REGS.items()]
        return channel_regs + [
            Register("GLBSTA0", GLOBAL + 0x00, access=RO, read=lambda: self._glbsta(0)),
            Register("GLBSTA1", GLOBAL + 0x04, access=RO, read=lambda: self._glbsta(16)),
            Register("CH_RST", GLOBAL + 0x08),
            Register("GLO_CON", GLOBAL + 0x0C),
            Register("GROUP0", GLOBAL + 0x10),
            Register("GROUP1", GLOBAL + 0x14),
            Register("ISU_VFIFO", GLOBAL + 0x18),
            Register("ISU_VFIFO_ERR", GLOBAL + 0x1C),
            Register("CH_EN_STA", GLOBAL + 0x20, access=RO),
            # SET/CLR read 0, so MediaTek's read-modify-write touches one channel
            Register("CH_EN_SET", GLOBAL + 0x24, access=WO, read=lambda: 0,
                     write=self._ch_en_set),
            Register("CH_EN_CLR", GLOBAL + 0x28, access=WO, read=lambda: 0,
                     write=self._ch_en_clr),
            Register("GLBPAUSE", GLOBAL + 0x30),
            Register("GLBSTAPAUSE", GLOBAL + 0x34, access=RO),
            Register("SET_DREQ", GLOBAL + 0x50),
            Register("CLR_DREQ", GLOBAL + 0x58),
        ]

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.bus = DmaBus(name)
        self.channels: list[Channel] = []
        super().__init__(name, ctx)
        self.channels.extend(Channel(n, self.regs) for n in range(NUM_CHANNELS))

    def attach_core(self, core: Any) -> None:
        """The owning core's view of memory: what this engine reaches."""
        self.bus.map = core.address_map

    def reset(self) -> None:
        super().reset()
        for ch in self.channels:
            self._stop(ch)
            ch.intsta = ch.done = ch.units = ch.hwptr = 0
        self.update()

    def update(self) -> None:
        self.irqs["irq"].set(any(ch.intsta for ch in self.channels))

    def time_sources(self) -> dict[int, Any]:
        """GLBSTA0/1 and each channel's START and INTSTA as a status a busy-wait may poll
        (engine/busywait.py): they change by accesses, at clock events and when a
        self-paced transfer ends (completed by the first access at or after its end)."""
        status = Status(self._next_self_paced_end)
        offsets = [GLOBAL, GLOBAL + 0x04]
        offsets += [0x100 * n + reg for n in range(NUM_CHANNELS) for reg in (0x18, 0x1C)]
        return dict.fromkeys(offsets, lambda: status)

    def _next_self_paced_end(self) -> int | None:
        return min((ch.event.when_ns for ch in self.channels if ch.event is not None),
                   default=None)

    def _catch_up(self) -> None:
        """Self-paced transfers that have ended by this core's time are complete, even if
        their clock event lies later in the time slice: a poll sees them end on time."""
        now = self.now_ns()
        for ch in self.channels:
            if ch.event is not None and now >= ch.event.when_ns:
                ch.event.cancel()
                self._self_paced_done(ch)

    # -- bus side ------------------------------------------------------------------------
    def read(self, offset: int, size: int, access: BusAccess) -> int:
        self._catch_up()
        return super().read(offset, size, access)

    def write(self, offset: int, size: int, value: int, access: BusAccess) -> None:
        self._catch_up()
        super().write(offset, size, value, access)

    def _write_start(self, index: int, value: int) -> None:
        ch = self.channels[index]
        if value & STR and not ch.running:
            self._start(ch)
        elif not value & STR and ch.running:
            self._settle(ch)
            self._stop(ch)

    def _write_ackint(self, index: int, value: int) -> None:
        self.channels[index].intsta &= ~value

    def _write_swptr(self, index: int, value: int) -> None:
        ch = self.channels[index]
        self.regs[f"CH{index}_SWPTR"] = value & 0x1FFFF
        if ch.running and ch.vff and ch.to_peripheral:
            self._kick(ch)
        moved = getattr(ch.target, "dma_swptr", None) if ch.running else None
        if moved is not None:  # a streaming block re-plans its chunk (the fill changed)
            moved(ch.target_offset, ch.to_peripheral)

    def _ffcnt(self, index: int) -> int:
        ch = self.channels[index]
        return self.fifo_bytes(ch) // ch.unit if ch.vff else 0

    def _ffsta(self, index: int) -> int:
        ch = self.channels[index]
        if not ch.vff:
            return 0
        count = self.fifo_bytes(ch)
        return (1 if count >= self.fifo_size(ch) else 0) | (2 if count == 0 else 0)

    # -- globals ------------------------------------------------------------------------
    def _glbsta(self, first: int) -> int:
        value = 0
        for ch in self.channels[first:first + 16]:
            bit = 2 * (ch.number - first)
            value |= (1 << bit if ch.running else 0) | (1 << (bit + 1) if ch.intsta else 0)
        return value

    def _ch_en_set(self, value: int) -> None:
        self.regs["CH_EN_STA"] |= value

    def _ch_en_clr(self, value: int) -> None:
        self.regs["CH_EN_STA"] &= ~value

    # -- running a channel --------------------------------------------------------------
    def _start(self, ch: Channel) -> None:
        ch.running = True
        ch.started_ns = self.now_ns()
        ch.done = 0
        ch.units = ch.r("COUNT") & 0xFFFF
        con = ch.r("CON")
        if ch.vff:
            ch.hwptr = 0  # a restart refills from the ring's start (Codethink's UART TX)
        if con & DREQ and ch.number != FULL_SIZE:
            found = self.bus.peripheral_at(ch.r("FIXADDR"))
            if found is None or not hasattr(found[0], "dma_connect"):
                self.guest_error(f"CH{ch.number}: FIXADDR {ch.r('FIXADDR'):#010x} has no "
                                 "DMA handshake; the channel waits forever")
                return
            ch.target, ch.target_offset = found
            ch.target.dma_connect(ch.target_offset, ch.to_peripheral, _Port(self, ch))
            if ch.to_peripheral:
                self._kick(ch)
        elif not ch.vff:
            duration = -(-ch.units * 1_000_000_000 // BUS_CLOCK_HZ)
            ch.event = self.clock.schedule_at(ch.started_ns + duration, self._channel_done,
                                              ch.number)

    def _stop(self, ch: Channel) -> None:
        ch.running = False
        for ev in (ch.event, ch.timeout):
            if ev is not None:
                ev.cancel()
        ch.event = ch.timeout = None
        if ch.target is not None:
            ch.target.dma_connect(ch.target_offset, ch.to_peripheral, None)
            ch.target = None

    def _settle(self, ch: Channel) -> None:
        """A self-paced channel stopped early: move what it had moved by now."""
        if ch.event is not None and not ch.vff:
            moved = ch.units - self._remaining_units(ch)
            self._move_self_paced(ch, moved)
            ch.done = moved

    def _remaining_units(self, ch: Channel) -> int:
        if ch.event is not None:  # self-paced: counts down in virtual time
            elapsed = (self.now_ns() - ch.started_ns) * BUS_CLOCK_HZ // 1_000_000_000
            return max(ch.units - elapsed, 0)
        return 0 if ch.vff else max(ch.units - ch.done, 0)

    def _kick(self, ch: Channel) -> None:
        kick = getattr(ch.target, "dma_kick", None)
        if kick is not None:
            kick(ch.target_offset)

    def _self_paced_done(self, ch: Channel) -> None:
        ch.event = None
        self._move_self_paced(ch, ch.units)
        ch.done = ch.units
        self._finish(ch)

    def _move_self_paced(self, ch: Channel, units: int) -> None:
        con, unit = ch.r("CON"), ch.unit
        nbytes = units * unit
        if ch.number == FULL_SIZE:
            src, dst = ch.r("SRC"), ch.r("DST")
            sinc, dinc = bool(con & SINC), bool(con & DINC)
        elif ch.to_peripheral:
            src, dst, sinc, dinc = self._mem_addr(ch, 0), ch.r("FIXADDR"), True, False
        else:
            src, dst, sinc, dinc = ch.r("FIXADDR"), self._mem_addr(ch, 0), False, True
        data = self.bus.read(src, nbytes, unit, sinc) if nbytes else b""
        if data is None or not self.bus.write(dst, data, unit, dinc):
            self.guest_error(f"CH{ch.number}: bus error moving {nbytes} bytes "
                             f"{src:#010x} -> {dst:#010x}")

    def _finish(self, ch: Channel) -> None:
        con = ch.r("CON")
        if con & ITEN:
            ch.intsta |= INT_DONE
        self._stop(ch)
        self.update()

    # -- memory side of half-size channels ---------------------------------------------
    def _mem_addr(self, ch: Channel, unit_index: int) -> int:
        con = ch.r("CON")
        wppt = ch.r("WPPT") & 0xFFFF
        if con & WPEN and wppt and unit_index >= wppt:
            return ch.r("WPTO") + (unit_index - wppt) * ch.unit
        return ch.r("PGMADDR") + unit_index * ch.unit

    def _mem_runs(self, ch: Channel, first: int, count: int) -> list[tuple[int, int]]:
        """(address, units) runs for units first..first+count, split at the wrap point."""
        wppt = ch.r("WPPT") & 0xFFFF
        if ch.r("CON") & WPEN and wppt and first < wppt < first + count:
            head = wppt - first
            return [(self._mem_addr(ch, first), head), (self._mem_addr(ch, wppt), count - head)]
        return [(self._mem_addr(ch, first), count)]

    def _progress(self, ch: Channel, units: int) -> None:
        before, ch.done = ch.done, ch.done + units
        half = ch.units // 2
        if ch.r("CON") & HITEN and before < half <= ch.done:
            ch.intsta |= INT_HALF
        if ch.done >= ch.units:
            self._finish(ch)
        self.update()

    # -- the port: peripheral-paced movement -------------------------------------------
    def take(self, ch: Channel, count: int) -> bytes:
        if not ch.running:
            return b""
        if ch.vff:
            return self._vff_take(ch, count)
        units = min(count // ch.unit, ch.units - ch.done)
        out = bytearray()
        for address, n in self._mem_runs(ch, ch.done, units):
            out += self.bus.read(address, n * ch.unit, ch.unit, True) or bytes(n * ch.unit)
        self._progress(ch, units)
        return bytes(out)

    def give(self, ch: Channel, data: bytes) -> int:
        if not ch.running:
            return 0
        if ch.vff:
            return self._vff_give(ch, data)
        units = min(len(data) // ch.unit, ch.units - ch.done)
        pos = 0
        for address, n in self._mem_runs(ch, ch.done, units):
            self.bus.write(address, data[pos:pos + n * ch.unit], ch.unit, True)
            pos += n * ch.unit
        self._progress(ch, units)
        return units * ch.unit

    def until_interrupt(self, ch: Channel) -> int | None:
        """Bytes the peripheral must move before the channel's next interrupt condition
        (threshold crossing, half, done), None if no enabled one lies ahead: a block that
        streams in chunks ends a chunk there, so the interrupt comes at its exact time."""
        con, unit = ch.r("CON"), ch.unit
        if ch.vff:
            if not con & ITEN:
                return None
            threshold, fill = (ch.r("COUNT") & 0xFFFF) * unit, self.fifo_bytes(ch)
            if ch.to_peripheral:  # DONE once the fill drops below COUNT units
                return fill - threshold + unit if fill >= threshold else None
            return threshold - fill if fill < threshold else None
        points = [ch.units] if con & ITEN else []
        if con & HITEN:
            points.append(ch.units // 2)
        ahead = [p - ch.done for p in points if p > ch.done]
        return min(ahead) * unit if ahead else None

    # -- virtual FIFOs ------------------------------------------------------------------
    def fifo_size(self, ch: Channel) -> int:
        return (ch.r("FFSIZE") & 0xFFFF) * ch.unit

    def fifo_bytes(self, ch: Channel) -> int:
        hw, sw = ch.hwptr, ch.r("SWPTR")
        producer, consumer = (sw, hw) if ch.to_peripheral else (hw, sw)
        if (producer ^ consumer) & WRAP:
            return self.fifo_size(ch) - (consumer & 0xFFFF) + (producer & 0xFFFF)
        return (producer & 0xFFFF) - (consumer & 0xFFFF)

    def _ring_runs(self, ch: Channel, count: int) -> list[tuple[int, int]]:
        offset, size = ch.hwptr & 0xFFFF, self.fifo_size(ch)
        head = min(count, size - offset)
        runs = [(ch.r("PGMADDR") + offset, head)]
        if count > head:
            runs.append((ch.r("PGMADDR"), count - head))
        return runs

    def _advance_hw(self, ch: Channel, count: int) -> None:
        offset = (ch.hwptr & 0xFFFF) + count
        wrap = ch.hwptr & WRAP
        if offset >= self.fifo_size(ch):
            offset -= self.fifo_size(ch)
            wrap ^= WRAP
        ch.hwptr = wrap | offset

    def _vff_take(self, ch: Channel, count: int) -> bytes:
        count = min(count, self.fifo_bytes(ch))
        count -= count % ch.unit
        out = bytearray()
        for address, n in self._ring_runs(ch, count):
            out += self.bus.read(address, n, ch.unit, True) or bytes(n)
        self._advance_hw(ch, count)
        if ch.r("CON") & ITEN and self.fifo_bytes(ch) // ch.unit < (ch.r("COUNT") & 0xFFFF):
            ch.intsta |= INT_DONE
        self.update()
        return bytes(out)

    def _vff_give(self, ch: Channel, data: bytes) -> int:
        free = self.fifo_size(ch) - self.fifo_bytes(ch)
        count = min(len(data), free)
        count -= count % ch.unit
        pos = 0
        for address, n in self._ring_runs(ch, count):
            self.bus.write(address, data[pos:pos + n], ch.unit, True)
            pos += n
        self._advance_hw(ch, count)
        con = ch.r("CON")
        threshold = ch.r("COUNT") & 0xFFFF
        if con & ITEN and threshold and self.fifo_bytes(ch) // ch.unit >= threshold:
            ch.intsta |= INT_DONE
        if con & TOEN and ch.r("TO"):
            if ch.timeout is not None:
                ch.timeout.cancel()
            delay = -(-ch.r("TO") * 1_000_000_000 // BUS_CLOCK_HZ)
            ch.timeout = self.clock.schedule_in(delay, self._vff_timeout, ch.number)
        self.update()
        return count

    def _channel_done(self, number: int) -> None:
        self._self_paced_done(self.channels[number])

    def _vff_timeout(self, number: int) -> None:
        ch = self.channels[number]
        ch.timeout = None
        if ch.running and self.fifo_bytes(ch):
            ch.intsta |= INT_TIMEOUT
            self.update()

    # -- snapshots -----------------------------------------------------------------------
    _CHANNEL_STATE = ("running", "intsta", "done", "units", "started_ns", "hwptr", "event",
                      "timeout", "target_offset")

    def snapshot(self) -> dict[str, Any]:
        return {**super().snapshot(),
                "channels": [{**capture(ch, self._CHANNEL_STATE),
                              "handshake": ch.target is not None} for ch in self.channels]}

    def restore(self, state: dict[str, Any]) -> None:
        state = dict(state)
        channels = state.pop("channels")
        super().restore(state)
        for ch, saved in zip(self.channels, channels, strict=True):
            saved = dict(saved)
            handshake = saved.pop("handshake")
            apply(ch, saved, self.clock)
            if handshake:  # the handshake FIXADDR named when the channel started
                found = self.bus.peripheral_at(ch.r("FIXADDR"))
                if found is not None:
                    ch.target, ch.target_offset = found
                    ch.target.dma_connect(ch.target_offset, ch.to_peripheral, _Port(self, ch))
        self.update()
