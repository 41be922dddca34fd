"""Per-initiator address maps and MMIO dispatch.

Each bus master (an IO core, a world of the A7) has its own ``AddressMap``: the list of what
it sees at which address. The same ``MemoryBlock`` or peripheral can appear in several maps,
which is how the MT3620 shares SYSRAM, flash and the 0x38xxxxxx peripheral space while each
IO core keeps a private TCM and private local blocks at identical addresses.

``install(uc)`` turns the map into Unicorn mappings: RAM and ROM through ``mem_map_ptr``
(no Python on the access path), peripherals through ``mmio_map`` with one callback per run
of pages, dispatched in O(1). Every MMIO access first passes the map's access rules (the
firewall hook); a refused access, like an access to nothing, becomes a bus error on the core.
"""

import bisect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from unicorn import UC_PROT_ALL, UC_PROT_EXEC, UC_PROT_READ, Uc

from ..engine.cut import AccessCut
from ..engine.hooks import hook_failed
from ..engine.mmio import MmioRead, MmioWrite, map_mmio
from .access import BusAccess
from .memory import PAGE, MemoryBlock

log = logging.getLogger("sphere_emu.bus")

class Peripheral(Protocol):
    """What the bus needs of a memory-mapped block (``peripherals.registers.Peripheral``)."""

    TYPE: str

    def read(self, offset: int, size: int, access: BusAccess) -> int: ...

    def write(self, offset: int, size: int, value: int, access: BusAccess) -> None: ...

    def peek(self, offset: int) -> int: ...


AccessRule = Callable[["Mapping", BusAccess, bool], bool]  # (mapping, who, is_write) -> allowed
Refusal = Callable[[int, bool], None]  # (address, is_write): says why (logs), once refused


@dataclass
class Mapping:
    base: int
    size: int
    name: str
    kind: str  # "ram" | "rom" | "peripheral" | "unimplemented"
    memory: MemoryBlock | None = None
    offset: int = 0  # into ``memory``
    peripheral: Peripheral | None = None
    irqs: dict[str, int] = field(default_factory=dict)
    secure_only: bool = False  # only the A7 Secure World sees it
    # Offsets a busy-wait may poll -> the counter or status behind them
    # (``Peripheral.time_sources``).
    time_sources: dict[int, Callable[[], Any]] | None = None
    home: tuple[MemoryBlock, int, str] | None = None  # a retargeted window's own backing

    @property
    def end(self) -> int:
        return self.base + self.size

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "base": self.base,
                               "size": self.size}
        if self.memory is not None:
            out["memory"] = self.memory.name
        if self.peripheral is not None:
            out["type"] = self.peripheral.TYPE
        if self.irqs:
            out["irqs"] = dict(self.irqs)
        return out


class BusError(Exception):
    """A host-side access (loader, debugger) to an address the map has nothing at."""


class AddressMap:
    def __init__(self, initiator: str) -> None:
        self.initiator = initiator
        self.mappings: list[Mapping] = []
        self._bases: list[int] = []
        # A tuple, changed only through ``add_access_rule`` (native callbacks must hear of it).
        self.access_rules: tuple[AccessRule, ...] = ()
        # What a firewall refuses, compiled from its tables whenever they change: mapping
        # base -> who reports it. Probing a dict is all an allowed access pays (~1%); a rule
        # call on every access would cost ~20% of an MMIO access.
        self.refused_reads: dict[int, Refusal] = {}
        self.refused_writes: dict[int, Refusal] = {}
        # Set by the core that owns this map (its ``privileged`` is evaluated lazily):
        self.access = BusAccess(initiator)
        self.on_bus_error: Callable[[int, bool], None] = lambda address, is_write: None
        self._uc: Uc | None = None
        # The core's run engine: ends a run right after an access and replays it (set by
        # the core; ``engine/cut.py``).
        self.cut: AccessCut | None = None
        # The core's busy-wait detector, told of every time-source or status read and the
        # value read (engine/busywait.py).
        self.on_time_source_read: Callable[[int, Any, int], None] | None = None
        # Told of every register access (address, size, is_write) before it is served:
        # block counting (``--fast``) finds the instruction making it (engine/native).
        self.on_access: Callable[[int, int, bool], None] | None = None
        self._unimplemented_seen: set[str] = set()
        # Set by a core that needs its invalid-access hook over memory that was mapped at
        # install time and may be hidden later (begin, end).
        self.watch_invalid: Callable[[int, int], object] = lambda begin, end: None
        # RAM mappings shown only in part (the firewall's shared-memory windows): base ->
        # the (start, end, writable) pieces mapped into the core.
        self._views: dict[int, list[tuple[int, int, bool]]] = {}
        # Told of a bus master's access to a part of such a window the core is not shown
        # (the firewall reports it like a refusal): (mapping, address, is_write).
        self.on_hidden: Callable[[Mapping, int, bool], None] | None = None
        # MMIO runs a block serves with native callbacks (``native_mmio``): told when the
        # access rules change.
        self._native_ports: list[Any] = []

    # -- building ----------------------------------------------------------------------
    def add(self, mapping: Mapping) -> Mapping:
        if mapping.size <= 0:
            raise ValueError(f"{mapping.name}: size must be positive")
        i = bisect.bisect(self._bases, mapping.base)
        for other in self.mappings[max(i - 1, 0):i + 1]:
            if mapping.base < other.end and other.base < mapping.end:
                raise ValueError(f"{mapping.name} [{mapping.base:#010x}, {mapping.end:#010x}) "
                                 f"overlaps {other.name} [{other.base:#010x}, {other.end:#010x})")
        self.mappings.insert(i, mapping)
        self._bases.insert(i, mapping.base)
        return mapping

    def find(self, address: int) -> Mapping | None:
        i = bisect.bisect(self._bases, address) - 1
        if i >= 0 and address < self.mappings[i].end:
            return self.mappings[i]
        return None

    def install(self, uc: Uc) -> None:
        """Create this map's Unicorn mappings in ``uc`` (the core's own instance)."""
        self._uc = uc
        mmio_pages: dict[int, list[Mapping]] = {}
        for m in self.mappings:
            if m.kind in ("ram", "rom"):
                assert m.memory is not None
                if m.base % PAGE or m.size % PAGE or m.offset % PAGE:
                    raise ValueError(f"{m.name}: memory must be 4 KiB aligned")
                for start, end, writable in self._views.get(m.base, [(m.base, m.end, True)]):
                    self._map_ram(uc, m, start, end, writable)
            else:
                sources = getattr(m.peripheral, "time_sources", None)
                if sources is not None:
                    m.time_sources = sources() or None
                first, last = m.base // PAGE, (m.end - 1) // PAGE
                for page in range(first, last + 1):
                    mmio_pages.setdefault(page, []).append(m)
        for run_base, run_size, members in _page_runs(mmio_pages):
            self._map_mmio_run(uc, run_base, run_size, members)

    def retarget(self, mapping: Mapping, memory: MemoryBlock | None, offset: int = 0) -> None:
        """Point a memory window at ``offset`` of another block, read-only and in place (the
        XIP flash window of an IO core), or back at its own memory when ``memory`` is None."""
        if mapping.home is None:
            assert mapping.memory is not None
            mapping.home = (mapping.memory, mapping.offset, mapping.kind)
        kind = "rom"
        if memory is None:
            memory, offset, kind = mapping.home
        if offset < 0 or offset + mapping.size > memory.size:
            raise ValueError(f"{mapping.name}: {memory.name} has no {mapping.size:#x} bytes "
                             f"at {offset:#x}")
        mapping.memory, mapping.offset, mapping.kind = memory, offset, kind
        if self._uc is not None:
            perms = UC_PROT_ALL if kind == "ram" else UC_PROT_READ | UC_PROT_EXEC
            self._uc.mem_unmap(mapping.base, mapping.size)
            self._uc.mem_map_ptr(mapping.base, mapping.size, perms, memory.address + offset)
            self._uc.ctl_remove_cache(mapping.base, mapping.end)

    @staticmethod
    def _map_ram(uc: Uc, m: Mapping, start: int, end: int, writable: bool) -> None:
        assert m.memory is not None
        perms = UC_PROT_ALL if m.kind == "ram" and writable else UC_PROT_READ | UC_PROT_EXEC
        uc.mem_map_ptr(start, end - start, perms, m.memory.address + m.offset + start - m.base)

    def restrict_memory(self, m: Mapping, pieces: list[tuple[int, int, bool]]) -> None:
        """Show the core only ``pieces`` (start, end, writable) of RAM mapping ``m``; the
        rest of it is nothing-there (a bus error). How the firewall's memory ranges act:
        no hook on the RAM path. Not to be called while this map's core is running."""
        old = self._views.get(m.base)
        if old is None:
            old = [(m.base, m.end, True)]
            self.watch_invalid(m.base, m.end)
        if old == pieces:
            return
        self._views[m.base] = list(pieces)
        if self._uc is not None:
            for start, end, _ in old:
                self._uc.mem_unmap(start, end - start)
            for start, end, writable in pieces:
                self._map_ram(self._uc, m, start, end, writable)
            self._uc.ctl_remove_cache(m.base, m.end)

    def _map_mmio_run(self, uc: Uc, base: int, size: int, members: list[Mapping]) -> None:
        if len(members) == 1:
            read, write = self._serve(uc, members[0], base - members[0].base)
        else:
            read, write = self._serve_shared(uc, base, members)
        native = [m for m in members if getattr(m.peripheral, "native_mmio", None) is not None]
        if len(native) == 1:
            m = native[0]
            port = m.peripheral.native_mmio(  # type: ignore[union-attr]
                uc, base, size, (max(m.base - base, 0), min(m.end - base, size)),
                base - m.base, read, write, self.access.initiator,
                lambda: self._bypassable(m))
            if port is not None:
                self._native_ports.append(port)
                return
        map_mmio(uc, base, size, read, write)

    def _bypassable(self, m: Mapping) -> bool:
        """Whether an access of this map's core to ``m`` may skip the access path (a
        block's native callbacks): no rule at all, no refusal."""
        return not self.access_rules and (
            m.base not in self.refused_reads and m.base not in self.refused_writes)

    def add_access_rule(self, rule: AccessRule) -> None:
        """Put ``rule`` in the path of every access from now on."""
        self.access_rules = (*self.access_rules, rule)
        self.rules_changed()

    def rules_changed(self) -> None:
        """The access rules or refusals changed (a firewall reprogrammed): native
        callbacks that skip them re-evaluate, failing closed."""
        for port in self._native_ports:
            port.rules_changed()

    # -- the guest's accesses ----------------------------------------------------------
    def _allowed(self, m: Mapping, who: BusAccess, is_write: bool) -> bool:
        return all(rule(m, who, is_write) for rule in self.access_rules)

    def _serve(self, uc: Uc, m: Mapping, delta: int) -> tuple[MmioRead, MmioWrite]:
        """The callbacks Unicorn calls for a run of ``m`` starting ``delta`` bytes into it
        (engine/mmio.py): the whole access path in one guarded frame, with what never
        changes after install (the mapping, its block) held in the closure. What others
        set later (the cut, the access rules and refusals, the hooks) is read per access,
        so a firewall's new tables apply from the next access. An access outside ``m``
        (a run of pages reaching past a small block) is refused."""
        base, end, peripheral, refuse = m.base, m.size, m.peripheral, self._refuse

        def read(_h: int, offset: int, size: int, _d: int | None) -> int:
            try:
                offset += delta
                if not 0 <= offset < end:
                    return refuse(base + offset, False)
                cut = self.cut
                if cut is not None and cut.record is not None:
                    replayed, value = cut.replay(False, base + offset)
                    if replayed:
                        return value
                if self.on_access is not None:
                    self.on_access(base + offset, size, False)
                who = self.access
                refused = self.refused_reads
                if base in refused:
                    refused[base](base + offset, False)
                    return refuse(base + offset, False)
                if self.access_rules and not self._allowed(m, who, False):
                    return refuse(base + offset, False)
                if peripheral is None:
                    self._note_unimplemented(m, offset, False)
                    return 0
                value = peripheral.read(offset, size, who)
                sources = m.time_sources
                if sources is not None and self.on_time_source_read is not None:
                    source = sources.get(offset)
                    if source is not None:
                        self.on_time_source_read(base + offset, source(), value)
                if cut is not None and cut.armed:
                    cut.after_access(False, base + offset, value)
                return value
            except BaseException as error:
                return hook_failed(uc, error)

        def write(_h: int, offset: int, size: int, value: int, _d: int | None) -> None:
            try:
                offset += delta
                if not 0 <= offset < end:
                    refuse(base + offset, True)
                    return
                cut = self.cut
                if (cut is not None and cut.record is not None
                        and cut.replay(True, base + offset)[0]):
                    return
                if self.on_access is not None:
                    self.on_access(base + offset, size, True)
                who = self.access
                refused = self.refused_writes
                if base in refused:
                    refused[base](base + offset, True)
                    refuse(base + offset, True)
                    return
                if self.access_rules and not self._allowed(m, who, True):
                    refuse(base + offset, True)
                    return
                if peripheral is None:
                    self._note_unimplemented(m, offset, True)
                    return
                peripheral.write(offset, size, value, who)
                if cut is not None and cut.armed:
                    cut.after_access(True, base + offset, value)
            except BaseException as error:
                hook_failed(uc, error)

        return read, write

    def _serve_shared(self, uc: Uc, base: int, members: list[Mapping]
                      ) -> tuple[MmioRead, MmioWrite]:
        """Callbacks for a run of pages several mappings share: each access goes to the
        member's own callbacks, a gap is refused."""
        spans = tuple((m.base - base, m.end - base, *self._serve(uc, m, base - m.base))
                      for m in members)
        refuse = self._refuse

        def read(h: int, offset: int, size: int, d: int | None) -> int:
            for begin, end, member_read, _ in spans:
                if begin <= offset < end:
                    return member_read(h, offset, size, d)
            try:
                return refuse(base + offset, False)
            except BaseException as error:
                return hook_failed(uc, error)

        def write(h: int, offset: int, size: int, value: int, d: int | None) -> None:
            for begin, end, _, member_write in spans:
                if begin <= offset < end:
                    member_write(h, offset, size, value, d)
                    return
            try:
                refuse(base + offset, True)
            except BaseException as error:
                hook_failed(uc, error)

        return read, write

    def _note_unimplemented(self, m: Mapping, offset: int, is_write: bool) -> None:
        if m.name not in self._unimplemented_seen:
            self._unimplemented_seen.add(m.name)
            log.warning("%s: first access to unimplemented block %s (%s at %#010x)",
                        self.initiator, m.name, "write" if is_write else "read", m.base + offset)

    def _refuse(self, address: int, is_write: bool) -> int:
        self.on_bus_error(address, is_write)
        if self._uc is not None:
            self._uc.emu_stop()  # aborts the access: the instruction does not retire
        return 0

    # -- a bus master acting for this initiator (DMA) ---------------------------------
    def master_may(self, address: int, size: int, is_write: bool) -> bool:
        """Whether a bus master acting for this map's initiator (a DMA channel, for the core
        that programmed it) may touch all of ``[address, address + size)``: memory as the
        firewall shows it to that core, and no firewall refusal. A refusal is reported
        (logged) as the core's own access would be. Check before moving any byte."""
        end = address + size
        while address < end:
            m = self.find(address)
            if m is None:
                return False
            if not self._master_visible(m, address, is_write):
                if self.on_hidden is not None and m.base in self._views:
                    self.on_hidden(m, address, is_write)
                return False
            refused = (self.refused_writes if is_write else self.refused_reads).get(m.base)
            if refused is not None:
                refused(address, is_write)
                return False
            address = m.end
        return True

    def _master_visible(self, m: Mapping, address: int, is_write: bool) -> bool:
        if m.memory is None:
            return True
        if is_write and m.kind == "rom":
            return False
        pieces = self._views.get(m.base)
        return pieces is None or any(start <= address < stop and (writable or not is_write)
                                     for start, stop, writable in pieces)

    # -- host-side access (loaders, debuggers) -----------------------------------------
    def read_memory(self, address: int, size: int) -> bytes:
        """Read without side effects: RAM/ROM contents; registers' stored values."""
        out = bytearray()
        while size > 0:
            m = self.find(address)
            if m is None:
                raise BusError(f"{self.initiator}: nothing at {address:#010x}")
            chunk = min(size, m.end - address)
            if m.memory is not None:
                out += m.memory.read(m.offset + address - m.base, chunk)
            elif m.peripheral is not None:
                out += _peek(m.peripheral, address - m.base, chunk)
            else:
                out += bytes(chunk)
            address += chunk
            size -= chunk
        return bytes(out)

    def write_memory(self, address: int, data: bytes) -> None:
        """Write RAM or ROM contents (loaders may fill ROM). Registers are not host-writable."""
        view = memoryview(data)
        while view:
            m = self.find(address)
            if m is None or m.memory is None:
                raise BusError(f"{self.initiator}: no memory at {address:#010x}")
            chunk = min(len(view), m.end - address)
            m.memory.write(m.offset + address - m.base, bytes(view[:chunk]))
            address += chunk
            view = view[chunk:]


def _peek(peripheral: Peripheral, offset: int, size: int) -> bytes:
    return bytes((peripheral.peek(o) >> (8 * (o & 3))) & 0xFF for o in range(offset, offset + size))


def _page_runs(pages: dict[int, list[Mapping]]) -> list[tuple[int, int, list[Mapping]]]:
    """Group consecutive pages that dispatch to the same mappings into one MMIO run."""
    runs: list[tuple[int, int, list[Mapping]]] = []
    for page in sorted(pages):
        members = pages[page]
        if runs:
            run_base, run_size, run_members = runs[-1]
            if run_base + run_size == page * PAGE and _same(run_members, members):
                runs[-1] = (run_base, run_size + PAGE, run_members)
                continue
        runs.append((page * PAGE, PAGE, members))
    return runs


def _same(a: list[Mapping], b: list[Mapping]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))
