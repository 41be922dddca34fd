"""The I/O firewall: which initiator may read or write each shared block and memory range.

The MT3620 has firewalls at 0x30000000 that lock each peripheral block to the core the OS
assigned it to; their register layout is not public, so this block is ours and behavioural
(``docs/security.md`` is the contract). It is reachable by the A7 Secure World only: the
board maps it ``secure_only`` and a non-secure write is ignored as well.

Layout (offsets from the block base, 32-bit registers):

- ``ID`` (0x000, RO) "FWL1"; ``SLOTS`` (0x004, RO) 17; ``RANGES`` (0x008, RO) 4.
- ``CTRL`` (0x010): bit 0 ENABLE, write-1 only (once set it stays set until reset). While
  it is clear the firewall is not in the path: everyone sees everything, the state of a
  bare-metal board. The Pluton ROM stage sets it before releasing the A7.
- ``SLOTn`` (0x100 + 4n, n = 0..16): the 64 KiB slot at 0x38000000 + n * 0x10000 (ADC,
  GPIO0-5, ISU0-5, I2S0, I2S1, and the two I2S data ports). One access byte per slot.
- ``RANGEk_BASE/SIZE/ACCESS`` (0x200 + 16k, +4, +8; k = 0..3): a shared memory range (4 KiB
  granular) and its access byte. A core's window onto shared memory shows only the pages
  some range grants it.

An access byte has two bits per initiator, read then write: bits 0/1 io0, 2/3 io1, 4/5 the
A7 Normal World. The Secure World is never filtered. Reset (power-on): ENABLE clear, every
access byte 0.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .registers import RO, W1S, BusAccess, Field, Peripheral, PeripheralContext, Register

log = logging.getLogger("sphere_emu.firewall")

ID_VALUE = 0x314C5746  # "FWL1" read little-endian as text
SHARED_BASE = 0x38000000
SLOT_SIZE = 0x10000
SLOT_NAMES = ("adc", "gpio0", "gpio1", "gpio2", "gpio3", "gpio4", "gpio5", "isu0", "isu1",
              "isu2", "isu3", "isu4", "isu5", "i2s0", "i2s1", "i2s0-data", "i2s1-data")
RANGE_COUNT = 4
PAGE = 0x1000
INITIATORS = ("io0", "io1", "a7")  # the order of the pairs of bits in an access byte
ENABLE = Field("ENABLE", 0, access=W1S)  # CTRL: once set, set until reset
PAGE_MASK = ~(PAGE - 1) & 0xFFFFFFFF
SLOT_BASE, RANGE_BASE = 0x100, 0x200


def slot_of(address: int) -> int | None:
    """The firewall slot an address of the shared peripheral space falls in."""
    slot = (address - SHARED_BASE) >> 16
    return slot if address >= SHARED_BASE and slot < len(SLOT_NAMES) else None


def access_text(bits: int, initiator: str) -> str:
    shift = 2 * INITIATORS.index(initiator)
    return ("r" if bits >> shift & 1 else "") + ("w" if bits >> shift & 2 else "")


@dataclass(frozen=True)
class Denial:
    """One refused access, as ``--trace firewall`` prints it."""

    time_ns: int
    initiator: str
    block: str
    address: int
    write: bool

    def __str__(self) -> str:
        return (f"firewall: {self.initiator} {'write' if self.write else 'read'} of "
                f"{self.block} at {self.address:#010x} denied")


@dataclass
class _Guarded:
    """One initiator's bus view the firewall sits in."""

    initiator: str
    shift: int
    address_map: Any  # sphere_emu.bus.AddressMap
    now_ns: Callable[[], int]
    windows: list[Any]  # RAM mappings onto shared memory


class Firewall(Peripheral):
    TYPE = "sphere-firewall"
    SIZE = 0x1000

    def registers(self) -> list[Register]:
        return [
            Register("ID", 0x000, reset=ID_VALUE, access=RO),
            Register("SLOTS", 0x004, reset=len(SLOT_NAMES), access=RO),
            Register("RANGES", 0x008, reset=RANGE_COUNT, access=RO),
            Register("CTRL", 0x010, writable=0, fields=(ENABLE.on(write=self._enable),)),
            Register("SLOT{}", SLOT_BASE, count=len(SLOT_NAMES), writable=0x3F),
            Register("RANGE{}_BASE", RANGE_BASE, count=RANGE_COUNT, stride=16,
                     writable=PAGE_MASK),
            Register("RANGE{}_SIZE", RANGE_BASE + 4, count=RANGE_COUNT, stride=16,
                     writable=PAGE_MASK),
            Register("RANGE{}_ACCESS", RANGE_BASE + 8, count=RANGE_COUNT, stride=16,
                     writable=0x3F),
        ]

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self._guarded: list[_Guarded] = []
        self._slots = [0] * len(SLOT_NAMES)  # the SLOTn registers, for the access path
        self._logged: set[tuple[str, str, int]] = set()
        self.denials: list[Denial] = []
        self.on_denied: list[Callable[[Denial], None]] = []
        super().__init__(name, ctx)

    # -- wiring (the machine) ----------------------------------------------------------
    def guard(self, initiator: str, address_map: Any, now_ns: Callable[[], int],
              windows: list[Any]) -> None:
        """Sit in ``address_map`` (a non-secure view of ``initiator``, one of INITIATORS)."""
        g = _Guarded(initiator, 2 * INITIATORS.index(initiator), address_map, now_ns, windows)
        self._guarded.append(g)
        address_map.on_hidden = lambda m, address, write: self._deny(g, m.name, address, write)
        self._program(g)

    @property
    def enabled(self) -> bool:
        return bool(self.regs["CTRL"] & ENABLE.mask)

    def reset(self) -> None:
        super().reset()
        self._slots[:] = [0] * len(SLOT_NAMES)
        for g in self._guarded:  # a reset firewall is out of the path again
            self._program(g)

    # -- the Secure World's registers --------------------------------------------------
    def write(self, offset: int, size: int, value: int, access: BusAccess) -> None:
        if not access.secure:
            self.guest_error(f"{access.initiator}: non-secure write of {value:#x} to offset "
                             f"{offset:#x} ignored")
            return
        super().write(offset, size, value, access)
        slots = [self.regs[f"SLOT{n}"] for n in range(len(SLOT_NAMES))]
        if slots != self._slots or offset >= RANGE_BASE:
            self._slots[:] = slots
            for g in self._guarded:
                self._program(g)

    def _enable(self, value: int) -> None:
        if value:
            for g in self._guarded:
                self._program(g)

    def close(self) -> None:
        """What the Pluton ROM stage does before it releases the A7: every slot and range
        back to Secure-only, and the firewall in the path (docs/security.md)."""
        self.reset()
        self.write(self.offsets["CTRL"], 4, ENABLE.mask, BusAccess("pluton-rom", secure=True))

    # -- the access path ---------------------------------------------------------------
    def _program(self, g: _Guarded) -> None:
        """Turn the tables into ``g``'s refusal maps (the bus probes them per access) and
        its memory windows. Runs when the tables change, never on an access."""
        reads, writes = g.address_map.refused_reads, g.address_map.refused_writes
        reads.clear()
        writes.clear()
        if self.enabled:
            for m in g.address_map.mappings:
                slot = slot_of(m.base)
                if slot is None or m.kind in ("ram", "rom"):
                    continue
                bits = self._slots[slot] >> g.shift
                report = self._reporter(g, SLOT_NAMES[slot])
                if not bits & 1:
                    reads[m.base] = report
                if not bits & 2:
                    writes[m.base] = report
        g.address_map.rules_changed()  # blocks served natively look again (fail closed)
        self._apply_windows(g)

    def _reporter(self, g: _Guarded, block: str) -> Callable[[int, bool], None]:
        return lambda address, write: self._deny(g, block, address, write)

    def _deny(self, g: _Guarded, block: str, address: int, write: bool) -> None:
        denial = Denial(g.now_ns(), g.initiator, block, address, write)
        self.denials.append(denial)
        key = (block, g.initiator, address)
        if key not in self._logged:
            self._logged.add(key)
            log.warning("%s", denial)
        for callback in self.on_denied:
            callback(denial)

    def note_denied(self, initiator: str, address: int, write: bool, now_ns: int) -> None:
        """A bus master's access refused outside the CPU path (a DMA channel's)."""
        slot = slot_of(address)
        block = SLOT_NAMES[slot] if slot is not None else f"memory {address:#010x}"
        g = next((g for g in self._guarded if g.initiator == initiator), None)
        if g is not None:
            self._deny(_Guarded(initiator, g.shift, g.address_map, lambda: now_ns, []),
                       block, address, write)

    # -- shared memory windows ---------------------------------------------------------
    def _apply_windows(self, g: _Guarded) -> None:
        for window in g.windows:
            if not self.enabled:
                g.address_map.restrict_memory(window, [(window.base, window.end, True)])
                continue
            grants = []
            for k in range(RANGE_COUNT):
                bits = self.regs[f"RANGE{k}_ACCESS"] >> g.shift & 3
                start = max(self.regs[f"RANGE{k}_BASE"], window.base)
                end = min(self.regs[f"RANGE{k}_BASE"] + self.regs[f"RANGE{k}_SIZE"], window.end)
                if bits & 1 and start < end:
                    grants.append((start, end, bool(bits & 2)))
            g.address_map.restrict_memory(window, grants)

    # -- what people look at -----------------------------------------------------------
    def ownership(self) -> list[dict[str, Any]]:
        """Every slot and range with who may do what, for ``device show``/``monitor``."""
        rows: list[dict[str, Any]] = []
        for n, block in enumerate(SLOT_NAMES):
            bits = self._slots[n]
            rows.append({"block": block, "base": SHARED_BASE + n * SLOT_SIZE, "size": SLOT_SIZE,
                         "access": {i: access_text(bits, i) for i in INITIATORS
                                    if access_text(bits, i)}})
        for k in range(RANGE_COUNT):
            size = self.regs[f"RANGE{k}_SIZE"]
            if size:
                bits = self.regs[f"RANGE{k}_ACCESS"]
                rows.append({"block": f"range{k}", "base": self.regs[f"RANGE{k}_BASE"],
                             "size": size, "access": {i: access_text(bits, i)
                                                      for i in INITIATORS if access_text(bits, i)}})
        return rows

    def describe(self) -> str:
        lines = [f"firewall {'enforcing' if self.enabled else 'open (not enabled)'}"]
        for row in self.ownership():
            who = ", ".join(f"{i} {a}" for i, a in row["access"].items()) or "secure only"
            lines.append(f"  {row['block']:<10} {row['base']:#010x} +{row['size']:#07x}  {who}")
        return "\n".join(lines)

    def restore(self, state: dict[str, Any]) -> None:
        super().restore(state)
        self._slots[:] = [self.regs[f"SLOT{n}"] for n in range(len(SLOT_NAMES))]
        for g in self._guarded:
            self._program(g)
