"""A GICv2 interrupt controller (distributor + CPU interface) for the single A7 core.

Layout of a GIC-400: distributor at +0x1000, CPU interface at +0x2000 (``docs/cortex-a7.md``
gives the A7's base). Interrupt IDs 0-15 are SGIs, 16-31 PPIs (the generic timers use
27, 29 and 30), 32 and up SPIs wired from the board file.

Modelled: Security Extensions (group 0 = Secure, signalled as FIQ when GICC_CTLR.FIQEn is
set; group 1 = Non-secure, signalled as IRQ; Non-secure accesses see only group 1),
enable/pending/active state, level and edge inputs, 32 priority levels (5 bits), the
priority mask, preemption by running priority, SGIs through GICD_SGIR, IAR/EOIR/HPPIR/RPR
and their Non-secure aliases. Not modelled: binary-point grouping (every priority bit
counts for preemption), EOImode 1 / GICC_DIR, the Non-secure view's shifted priorities,
multiple CPUs.

The core learns what to take through ``irq_signal`` / ``fiq_signal`` and the
``on_signal_change`` callback; it takes the exception itself.
"""

import bisect
from collections.abc import Callable
from typing import Any

from ..peripherals.registers import RO, WO, BusAccess, Peripheral, PeripheralContext, Register
from ..units import parse_int

GICD = 0x1000
GICC = 0x2000
SPURIOUS = 1023
GROUP1_PENDING = 1022  # Secure IAR read while the highest pending interrupt is group 1
PRIORITY_MASK = 0xF8  # 5 implemented priority bits
IDLE_PRIORITY = 0xFF

# Per-interrupt register arrays: name -> (offset, bits per interrupt)
_ARRAYS: dict[str, tuple[int, int]] = {
    "IGROUPR": (GICD + 0x080, 1),
    "ISENABLER": (GICD + 0x100, 1),
    "ICENABLER": (GICD + 0x180, 1),
    "ISPENDR": (GICD + 0x200, 1),
    "ICPENDR": (GICD + 0x280, 1),
    "ISACTIVER": (GICD + 0x300, 1),
    "ICACTIVER": (GICD + 0x380, 1),
    "IPRIORITYR": (GICD + 0x400, 8),
    "ITARGETSR": (GICD + 0x800, 8),
    "ICFGR": (GICD + 0xC00, 2),
}
MAX_INTERRUPTS = 1020


def _registers(gic: "Gic") -> list[Register]:
    regs = [
        Register("GICD_CTLR", GICD + 0x000, read=gic._read_gicd_ctlr, write=gic._write_gicd_ctlr),
        Register("GICD_TYPER", GICD + 0x004, access=RO),
        Register("GICD_IIDR", GICD + 0x008, reset=0x0200143B, access=RO),
        Register("GICD_SGIR", GICD + 0xF00, access=WO, write=gic._write_gicd_sgir),
        Register("GICD_PIDR2", GICD + 0xFE8, reset=0x20, access=RO),
        Register("GICC_CTLR", GICC + 0x000, read=gic._read_gicc_ctlr, write=gic._write_gicc_ctlr),
        Register("GICC_PMR", GICC + 0x004, write=gic._write_gicc_pmr),
        Register("GICC_BPR", GICC + 0x008, reset=0x2),
        Register("GICC_IAR", GICC + 0x00C, access=RO, read=gic._read_gicc_iar),
        Register("GICC_EOIR", GICC + 0x010, access=WO, write=gic._write_gicc_eoir),
        Register("GICC_RPR", GICC + 0x014, access=RO, read=gic.running_priority),
        Register("GICC_HPPIR", GICC + 0x018, access=RO, read=gic._read_gicc_hppir),
        Register("GICC_ABPR", GICC + 0x01C, reset=0x3),
        Register("GICC_AIAR", GICC + 0x020, access=RO, read=gic._read_gicc_aiar),
        Register("GICC_AEOIR", GICC + 0x024, access=WO, write=gic._write_gicc_aeoir),
        Register("GICC_AHPPIR", GICC + 0x028, access=RO, read=gic._read_gicc_ahppir),
        Register("GICC_IIDR", GICC + 0x0FC, reset=0x0202143B, access=RO),
    ]
    for name, (offset, bits) in _ARRAYS.items():
        words = (gic.count * bits + 31) // 32
        regs += [Register(f"GICD_{name}{i}", offset + 4 * i) for i in range(words)]
    return regs


class Gic(Peripheral):
    TYPE = "arm-gicv2"
    SIZE = 0x8000
    INTERRUPTS = 160  # 128 SPIs unless the ``interrupts`` option says otherwise
    OPTIONS = {"interrupts": parse_int}

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        wanted = ctx.options.get("interrupts", self.INTERRUPTS)
        n = min(max(32, (wanted + 31) // 32 * 32), 1024)  # whole words of 32 IDs
        self.count = n
        self.enabled = [False] * n
        self.latched = [False] * n  # pending set by an edge, SGIR or ISPENDR
        self.active = [False] * n
        self.level = [False] * n  # input line levels
        self.group = [0] * n
        self.priority = [0] * n
        self.edge = [i < 16 for i in range(n)]  # SGIs are edge; PPIs and SPIs level
        self.targets = [0] * n
        self.irq_signal = False
        self.fiq_signal = False
        self.on_signal_change: Callable[[], None] = lambda: None
        self.before_acknowledge: Callable[[], None] = lambda: None  # lets timers resync
        self._secure = True
        # Word offset of every per-interrupt array register -> (array, word index): the
        # CPU interface's registers (IAR, EOIR on every interrupt) are not looked for there.
        self._array_words = {base + 4 * i: (array, i) for array, (base, bits) in _ARRAYS.items()
                             for i in range((n * bits + 31) // 32)}
        super().__init__(name, ctx)  # calls reset(), which sets GICD_TYPER

    def registers(self) -> list[Register]:
        return _registers(self)

    def reset(self) -> None:
        super().reset()
        n = self.count
        for array in (self.enabled, self.latched, self.active):
            array[:] = [False] * n
        self.group[:] = [0] * n
        self.priority[:] = [0] * n
        self.edge[:] = [i < 16 for i in range(n)]
        self.targets[:] = [0] * n
        # Kept with ``enabled``/``active`` so update() looks at a handful, not every ID.
        self._enabled_ids: list[int] = []
        self._active_ids: set[int] = set()
        self.regs["GICD_TYPER"] = (1 << 10) | (n // 32 - 1)  # SecurityExtn, ITLinesNumber

    # -- inputs --------------------------------------------------------------------------
    def set_irq_level(self, irq: int, level: bool) -> None:
        if not 0 <= irq < self.count:
            return
        if level and not self.level[irq] and self.edge[irq]:
            self.latched[irq] = True
        self.level[irq] = level
        self.update()

    # -- state ---------------------------------------------------------------------------
    def pending(self, irq: int) -> bool:
        return self.latched[irq] or (self.level[irq] and not self.edge[irq])

    @property
    def _cpu_ctlr(self) -> int:
        return self.regs["GICC_CTLR"]

    def _set_enabled(self, irq: int, enabled: bool) -> None:
        if enabled != self.enabled[irq]:
            self.enabled[irq] = enabled
            if enabled:
                bisect.insort(self._enabled_ids, irq)
            else:
                self._enabled_ids.remove(irq)

    def _set_active(self, irq: int, active: bool) -> None:
        self.active[irq] = active
        if active:
            self._active_ids.add(irq)
        else:
            self._active_ids.discard(irq)

    def running_priority(self) -> int:
        priority = self.priority
        return min((priority[i] for i in self._active_ids), default=IDLE_PRIORITY)

    def _best_by_group(self, groups: int) -> tuple[int | None, int | None]:
        """The highest-priority interrupt of group 0 and of group 1 that could be signalled
        now, among the groups whose bit is set in ``groups``: one pass over the enabled
        IDs (ascending, so ties go to the lowest ID)."""
        groups &= self.regs["GICD_CTLR"]
        if not groups:
            return None, None
        priority, group, active = self.priority, self.group, self._active_ids
        latched, level, edge = self.latched, self.level, self.edge
        limit = self.regs["GICC_PMR"] & PRIORITY_MASK
        for i in active:
            if priority[i] < limit:
                limit = priority[i]
        best: list[int | None] = [None, None]
        best_priority = [limit, limit]
        for i in self._enabled_ids:
            p = priority[i]
            g = group[i]
            if p < best_priority[g] and groups >> g & 1 and i not in active and (
                    latched[i] or (level[i] and not edge[i])):
                best[g], best_priority[g] = i, p
        return best[0], best[1]

    def _best(self, groups: tuple[int, ...]) -> int | None:
        """Highest-priority interrupt that could be signalled now, among ``groups``."""
        found = [i for i in self._best_by_group(sum(1 << g for g in groups)) if i is not None]
        return min(found, key=lambda i: (self.priority[i], i), default=None)

    def update(self) -> None:
        cpu = self.regs["GICC_CTLR"]
        g0, g1 = self._best_by_group(cpu & 3)
        fiq = g0 is not None and bool(cpu & 8)
        irq = g1 is not None or (g0 is not None and not cpu & 8)
        if irq != self.irq_signal or fiq != self.fiq_signal:
            self.irq_signal, self.fiq_signal = irq, fiq
            self.on_signal_change()

    # -- bus side ------------------------------------------------------------------------
    def read(self, offset: int, size: int, access: BusAccess) -> int:
        self._secure = access.secure
        array = self._array_at(offset)
        if array is None:
            return super().read(offset, size, access)
        name, index = array
        word = self._read_array(name, index)
        return (word >> (8 * (offset & 3))) & ((1 << (8 * size)) - 1)

    def write(self, offset: int, size: int, value: int, access: BusAccess) -> None:
        self._secure = access.secure
        array = self._array_at(offset)
        if array is None:
            super().write(offset, size, value, access)
            return
        name, index = array
        if size < 4:
            shift = 8 * (offset & 3)
            mask = ((1 << (8 * size)) - 1) << shift
            if name in ("IPRIORITYR", "ITARGETSR"):  # byte-accessible: merge with the rest
                value = (self._read_array(name, index) & ~mask) | ((value << shift) & mask)
            else:  # set/clear registers: only the written bits act
                value = (value << shift) & mask
        self._write_array(name, index, value)
        self.update()

    def _array_at(self, offset: int) -> tuple[str, int] | None:
        return self._array_words.get(offset & ~3)

    def _visible(self, irq: int) -> bool:
        """Non-secure accesses see group 1 interrupts only."""
        return self._secure or self.group[irq] == 1

    def _ids(self, index: int, per_word: int) -> range:
        first = index * per_word
        return range(first, min(first + per_word, self.count))

    def _read_array(self, name: str, index: int) -> int:
        word = 0
        if name in ("IPRIORITYR", "ITARGETSR"):
            for k, irq in enumerate(self._ids(index, 4)):
                if not self._visible(irq):
                    continue
                field = self.priority[irq] if name == "IPRIORITYR" else (
                    0x01 if irq < 32 else self.targets[irq])
                word |= field << (8 * k)
            return word
        if name == "ICFGR":
            for k, irq in enumerate(self._ids(index, 16)):
                if self._visible(irq) and self.edge[irq]:
                    word |= 0b10 << (2 * k)
            return word
        state = {"IGROUPR": self.group, "ISENABLER": self.enabled, "ICENABLER": self.enabled,
                 "ISPENDR": None, "ICPENDR": None, "ISACTIVER": self.active,
                 "ICACTIVER": self.active}[name]
        if name == "IGROUPR" and not self._secure:
            return 0
        for k, irq in enumerate(self._ids(index, 32)):
            bit = self.pending(irq) if state is None else state[irq]
            if bit and self._visible(irq):
                word |= 1 << k
        return word

    def _write_array(self, name: str, index: int, value: int) -> None:
        if name in ("IPRIORITYR", "ITARGETSR"):
            for k, irq in enumerate(self._ids(index, 4)):
                if not self._visible(irq):
                    continue
                field = (value >> (8 * k)) & 0xFF
                if name == "IPRIORITYR":
                    self.priority[irq] = field & PRIORITY_MASK
                elif irq >= 32:
                    self.targets[irq] = field & 0x01
            return
        if name == "ICFGR":
            for k, irq in enumerate(self._ids(index, 16)):
                if irq >= 32 and self._visible(irq):  # SGI and PPI configuration is fixed
                    self.edge[irq] = bool((value >> (2 * k)) & 0b10)
            return
        if name == "IGROUPR" and not self._secure:
            return
        for k, irq in enumerate(self._ids(index, 32)):
            if not (value >> k) & 1 or not self._visible(irq):
                continue
            if name == "IGROUPR":
                pass
            elif name in ("ISENABLER", "ICENABLER"):
                self._set_enabled(irq, name == "ISENABLER")
            elif name in ("ISPENDR", "ICPENDR"):
                self.latched[irq] = name == "ISPENDR"
            else:
                self._set_active(irq, name == "ISACTIVER")
        if name == "IGROUPR":
            for k, irq in enumerate(self._ids(index, 32)):
                self.group[irq] = (value >> k) & 1

    # -- distributor registers -----------------------------------------------------------
    def _read_gicd_ctlr(self) -> int:
        ctlr = self.regs["GICD_CTLR"]
        return ctlr & 3 if self._secure else (ctlr >> 1) & 1

    def _write_gicd_ctlr(self, value: int) -> None:
        if self._secure:
            self.regs["GICD_CTLR"] = value & 3
        else:
            self.regs["GICD_CTLR"] = (self.regs["GICD_CTLR"] & 1) | ((value & 1) << 1)

    def _write_gicd_sgir(self, value: int) -> None:
        sgi = value & 0xF
        target_filter = (value >> 24) & 3
        if target_filter == 1 or (target_filter == 0 and not (value >> 16) & 1):
            return  # only other CPUs addressed: there are none
        if self._secure:
            wanted_group = (value >> 15) & 1  # NSATT
            if self.group[sgi] != wanted_group:
                return
        elif self.group[sgi] != 1:
            return
        self.latched[sgi] = True

    # -- CPU interface registers ---------------------------------------------------------
    def _read_gicc_ctlr(self) -> int:
        ctlr = self.regs["GICC_CTLR"]
        if self._secure:
            return ctlr
        return ((ctlr >> 1) & 1) | (ctlr & (1 << 10)) >> 1

    def _write_gicc_ctlr(self, value: int) -> None:
        if self._secure:
            self.regs["GICC_CTLR"] = value & 0x61F
        else:
            keep = self.regs["GICC_CTLR"] & ~((1 << 1) | (1 << 10))
            self.regs["GICC_CTLR"] = keep | ((value & 1) << 1) | ((value & (1 << 9)) << 1)

    def _write_gicc_pmr(self, value: int) -> None:
        self.regs["GICC_PMR"] = value & PRIORITY_MASK

    def _highest(self, secure_view: bool) -> int | None:
        self.before_acknowledge()
        cpu = self._cpu_ctlr
        if not secure_view:
            return self._best((1,)) if cpu & 2 else None
        groups = tuple(g for g in (0, 1) if cpu & (1 << g))
        return self._best(groups) if groups else None

    def _acknowledge(self, secure_view: bool) -> int:
        irq = self._highest(secure_view)
        if irq is None:
            return SPURIOUS
        if secure_view and self.group[irq] == 1 and not self._cpu_ctlr & 4:
            return GROUP1_PENDING
        self.latched[irq] = False
        self._set_active(irq, True)
        self.update()
        return irq

    def _end(self, value: int, group1_only: bool) -> None:
        irq = value & 0x3FF
        if irq < self.count and self.active[irq]:
            if group1_only and self.group[irq] != 1:
                return
            self._set_active(irq, False)

    def _read_gicc_iar(self) -> int:
        return self._acknowledge(self._secure)

    def _read_gicc_aiar(self) -> int:
        return self._acknowledge(False) if self._secure else SPURIOUS

    def _write_gicc_eoir(self, value: int) -> None:
        self._end(value, group1_only=not self._secure)

    def _write_gicc_aeoir(self, value: int) -> None:
        if self._secure:
            self._end(value, group1_only=True)

    def _read_gicc_hppir(self) -> int:
        irq = self._highest(self._secure)
        return SPURIOUS if irq is None else irq

    def _read_gicc_ahppir(self) -> int:
        irq = self._highest(False) if self._secure else None
        return SPURIOUS if irq is None else irq

    # -- snapshots -----------------------------------------------------------------------
    STATE = ("enabled", "latched", "active", "level", "group", "priority", "edge", "targets",
             "_secure")

    def restore(self, state: dict[str, Any]) -> None:
        super().restore(state)
        self._enabled_ids = [i for i, on in enumerate(self.enabled) if on]
        self._active_ids = {i for i, on in enumerate(self.active) if on}
        self.update()
