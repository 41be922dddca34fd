"""The register framework every memory-mapped block is written in.

A block declares its registers as data, down to fields, and adds behaviour as hooks named
in the declaration. Declarations are built per instance (``registers()``), so sizes and
counts can come from the block's options and hooks are the instance's own methods::

    DLAB = Field("DLAB", 7)                          # a field is also the bit's named constant

    class Uart(Peripheral):
        def registers(self) -> list[Register]:
            return [
                Register("LCR", 0x0C, writable=0xFF, fields=(DLAB,)),
                Register("RBR", 0x00, access=RO, read=self._pop_rx),
                Register("THR", 0x00, access=WO, write=self._transmit),
                Register("DLL", 0x00, writable=0xFF, bank=self.dlab),
                Register("PIN{}_CTRL", 0x100, count=self.pins, write=self._pin_ctrl),
            ]

Semantics, per bit (a register's ``access`` and ``writable`` cover the bits no field claims):

====  =====================================================================================
RW    stored as written, read back
RO    guest writes ignored (a write to a wholly read-only register is logged)
WO    stored as written, reads as 0 (a read of a wholly write-only register is logged)
W1C   writing 1 clears the bit, writing 0 leaves it
W1S   writing 1 sets the bit, writing 0 leaves it
RC    reading returns the bit and clears it (then ``update()`` runs)
SC    self-clearing: a written 1 runs the field's hook and is never stored (reads 0)
====  =====================================================================================

Hooks: a register's ``read`` returns its whole value and ``write`` receives the written
value instead of the default store (array elements get their index first). A field's
``read`` supplies that field's value; its ``write`` runs after the store with the field's
new value when the write changed it (an SC field: whenever a 1 was written).

A read-only and a write-only register may share an offset (16550 RBR/THR). ``Bank`` gives
registers that replace others at the same offset while a mode is active (the 16550's
LCR-selected banks). After every write, and after a read-clear, the block's ``update()``
derives its IRQ lines from state: the one place that decides an interrupt's level.

Guest mistakes (unknown offsets, writes to read-only registers, reads of write-only ones)
are logged by block and register name, never raised: they are the guest's problem.

State is plain data: ``regs`` maps every register name to its stored value; a block with
more state names the attributes in ``STATE`` (or overrides ``snapshot``/``restore``).
"""

import dataclasses
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar

from ..bus.access import BusAccess as BusAccess  # re-exported: every block receives one
from ..irq import IrqLine
from ..snapshot import apply, capture

log = logging.getLogger("sphere_emu.peripherals")
GUEST_ERRORS_SHOWN = 3  # then only the 10th, 100th, ... repeat, with its count
_WRITTEN_VALUE = re.compile(r"\bof (?:0x[0-9a-fA-F]+|\d+) to\b")

MASK32 = 0xFFFFFFFF
_SIZE_MASK = (0, 0xFF, 0xFFFF, 0xFFFFFF, MASK32)


class Access(Enum):
    RW = "rw"
    RO = "ro"
    WO = "wo"
    W1C = "w1c"  # write 1 to clear
    W1S = "w1s"  # write 1 to set
    RC = "rc"  # read clears
    SC = "sc"  # self-clearing: a written 1 acts, nothing is stored


RW, RO, WO, W1C, W1S, RC, SC = (Access.RW, Access.RO, Access.WO, Access.W1C, Access.W1S,
                                Access.RC, Access.SC)
_ACCESSES = tuple(Access)


@dataclass(frozen=True)
class Field:
    """Bits ``lsb`` .. ``lsb + width - 1`` of a register; ``mask`` is the bits in place."""

    name: str
    lsb: int
    width: int = 1
    access: Access = RW
    reset: int = 0
    read: Callable[[], int] | None = None
    write: Callable[[int], None] | None = None
    mask: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mask", ((1 << self.width) - 1) << self.lsb)

    def get(self, word: int) -> int:
        return (word >> self.lsb) & ((1 << self.width) - 1)

    def on(self, *, read: Callable[[], int] | None = None,
           write: Callable[[int], None] | None = None) -> "Field":
        """This field with behaviour hooks (module-level fields are declared without)."""
        return dataclasses.replace(self, read=read, write=write)


@dataclass(frozen=True, eq=False)
class Bank:
    """A mode in which some offsets show other registers (checked on every access there)."""

    name: str
    active: Callable[[], bool]


@dataclass(frozen=True)
class Register:
    name: str  # an array's name may hold "{}" for the index, else the index is appended
    offset: int
    reset: int = 0  # with fields: OR-ed with the fields' reset values
    access: Access = RW
    writable: int = MASK32  # bits a guest write may change (for bits no field claims)
    fields: tuple[Field, ...] = ()
    read: Callable[..., int] | None = None
    write: Callable[..., None] | None = None
    count: int = 1  # > 1: an array of registers ``stride`` bytes apart
    stride: int = 4
    bank: Bank | None = None

    def element_name(self, index: int) -> str:
        if self.count == 1:
            return self.name
        return self.name.format(index) if "{}" in self.name else f"{self.name}{index}"


@dataclass
class PeripheralContext:
    """What the machine hands a peripheral when it builds it."""

    clock: Any  # sphere_emu.clock.Clock
    options: dict[str, Any] = field(default_factory=dict)
    memory: Any = None  # a MemoryPort for blocks that master the bus (DMA, Pluton)
    serial: Any = None  # sphere_emu.serial.SerialHub, for blocks that talk to the host (UARTs)
    pins: Any = None  # sphere_emu.pins.Pins, for blocks that drive or read pads (GPIO, PWM)


class PeripheralRef(str):
    """An option value that names another peripheral of the board (e.g. a mailbox's peer)."""


def peripheral_ref(value: object) -> PeripheralRef:
    """Option parser for values that name a peripheral; the machine links the two."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"must name a peripheral, not {value!r}")
    return PeripheralRef(value)


Reader = Callable[[], int]
Writer = Callable[[int, int], None]  # (value in place, byte-lane mask)


class Peripheral:
    """Base class of every memory-mapped block."""

    TYPE: ClassVar[str] = ""  # the name board files use for this block
    REGISTERS: ClassVar[tuple[Register, ...]] = ()  # for blocks with nothing per instance
    IRQS: ClassVar[tuple[str, ...]] = ()  # names of the block's interrupt outputs
    SIZE: ClassVar[int] = 0x1000
    OPTIONS: ClassVar[dict[str, Callable[[Any], int]]] = {}  # board-file options and parsers
    STATE: ClassVar[tuple[str, ...]] = ()  # attributes that hold state besides ``regs``

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.name = name
        self.ctx = ctx
        self.clock = ctx.clock
        # Virtual time as this block's core sees it. The clock moves between time slices
        # only; a block private to one core is given that core's exact time inside a slice
        # (Machine wires it), so a busy-wait on its counter ends when it should.
        self.now_ns: Callable[[], int] = lambda: ctx.clock.now_ns
        self.irqs = {irq_name: IrqLine(f"{name}.{irq_name}") for irq_name in self.IRQS}
        self.regs: dict[str, int] = {}
        self._resets: dict[str, int] = {}
        # Accessors are compiled per offset on the first guest access: a machine declares
        # thousands of registers and a run touches a few (compiling all was a fifth of a
        # bare run's start-up).
        self._readers: dict[int, Reader] = {}
        self._writers: dict[int, Writer] = {}
        self._declared: dict[int, list[tuple[Register, str, int | None]]] = {}
        self._stored: dict[int, str] = {}  # offset -> the register a host peek shows
        self.offsets: dict[str, int] = {}  # register name -> offset (tools, tests)
        self._build(self.registers())
        self.guest_errors: dict[str, int] = {}  # each kind of guest mistake: how often
        self.reset()

    def registers(self) -> Sequence[Register]:
        """This instance's register map. Override to size it from options or add hooks."""
        return self.REGISTERS

    # -- state -------------------------------------------------------------------------
    def reset(self) -> None:
        self.regs.update(self._resets)  # in place: the compiled accessors hold this dict

    def update(self) -> None:
        """Derive IRQ line levels from register state. Override in blocks with IRQs."""

    def snapshot(self) -> dict[str, Any]:
        """Register values and the ``STATE`` attributes, as plain data (``snapshot.py``)."""
        return {"regs": dict(self.regs), **capture(self, self.STATE)}

    def restore(self, state: dict[str, Any]) -> None:
        """Back to a ``snapshot``; IRQ outputs follow from the restored state."""
        self.regs.update(state["regs"])  # in place: the compiled accessors hold this dict
        apply(self, {k: v for k, v in state.items() if k != "regs"}, self.clock)
        self.update()

    def guest_error(self, message: str) -> None:
        """Log a guest mistake. Repeats of one (the same message but for the value written)
        are counted and logged only the first few times and then at each power of ten, so a
        guest polling a register it should not touch neither floods nor slows the log."""
        kind = _WRITTEN_VALUE.sub("of _ to", message)
        n = self.guest_errors[kind] = self.guest_errors.get(kind, 0) + 1
        if n <= GUEST_ERRORS_SHOWN:
            log.warning("%s: %s", self.name, message)
        elif str(n).rstrip("0") == "1":
            log.warning("%s: %s (%d times so far)", self.name, message, n)

    # -- bus side ----------------------------------------------------------------------
    def read(self, offset: int, size: int, access: BusAccess) -> int:
        reader = self._readers.get(offset & ~3) or self._compiled(offset & ~3)[0]
        if reader is None:
            self.guest_error(f"read of unknown offset {offset:#x}")
            return 0
        return (reader() >> ((offset & 3) << 3)) & _SIZE_MASK[size]

    def write(self, offset: int, size: int, value: int, access: BusAccess) -> None:
        writer = self._writers.get(offset & ~3) or self._compiled(offset & ~3)[1]
        if writer is None:
            self.guest_error(f"write of {value:#x} to unknown offset {offset:#x}")
            return
        if size == 4 and not offset & 3:
            writer(value, 0xFFFFFFFF)
        else:
            shift = (offset & 3) << 3
            writer((value << shift) & MASK32, (_SIZE_MASK[size] << shift) & MASK32)
        self.update()

    def peek(self, offset: int) -> int:
        """The stored word at ``offset``, without side effects (debuggers, host reads)."""
        name = self._stored.get(offset & ~3)
        return self.regs[name] if name is not None else 0

    # -- building the accessors ----------------------------------------------------------
    def _build(self, declarations: Sequence[Register]) -> None:
        declared = self._declared
        for decl in declarations:
            reset = _reset_value(decl)
            for index in range(decl.count):
                name = decl.element_name(index)
                if name in self._resets:
                    raise TypeError(f"{type(self).__name__}: register {name} declared twice")
                offset = decl.offset + index * decl.stride
                self._resets[name] = reset
                self.offsets[name] = offset
                at = declared.get(offset)
                if at is None:
                    declared[offset] = [(decl, name, index if decl.count > 1 else None)]
                    self._stored[offset] = name
                else:
                    at.append((decl, name, index if decl.count > 1 else None))
        for offset, candidates in declared.items():
            if len(candidates) > 1:  # a declaration mistake is found now, not at an access
                for kind in ("read", "write"):
                    _only_one_plain(type(self).__name__, offset, candidates, kind)
                plain = [name for decl, name, _ in candidates if decl.bank is None]
                self._stored[offset] = plain[0] if plain else candidates[0][1]

    def _compiled(self, offset: int) -> tuple[Reader | None, Writer | None]:
        """The accessors of ``offset`` (compiled now if this is its first access), or
        Nones where no register is declared."""
        candidates = self._declared.get(offset)
        if candidates is None:
            return None, None
        if offset not in self._readers:
            compiled = [(decl, name, self._compile(decl, name, index))
                        for decl, name, index in candidates]
            self._readers[offset] = self._dispatch(
                offset, [(decl, name, rw[0]) for decl, name, rw in compiled], "read")
            self._writers[offset] = self._dispatch(
                offset, [(decl, name, rw[1]) for decl, name, rw in compiled], "write")
        return self._readers[offset], self._writers[offset]

    def _dispatch(self, offset: int, candidates: list[tuple[Register, str, Any]],
                  kind: str) -> Any:
        """One accessor per offset: banked registers while their bank is active, else the
        unbanked register that can be read (written) there, else a logging refusal."""
        usable = [(d, n, f) for d, n, f in candidates if _can(d, kind)]
        plain = [(n, f) for d, n, f in usable if d.bank is None]
        if plain:
            default = plain[0][1]
        else:
            names = "/".join(n for d, n, _ in candidates if d.bank is None) or f"{offset:#x}"
            default = self._refusal(names, kind)
        banked = [(d.bank.active, f) for d, _n, f in usable if d.bank is not None]
        if not banked:
            return default
        if len(banked) == 1:  # the usual case, without a loop on every access
            (active, only), = banked
            if kind == "read":
                def read_one_bank() -> int:
                    return only() if active() else default()
                return read_one_bank

            def write_one_bank(value: int, lanes: int) -> None:
                if active():
                    only(value, lanes)
                else:
                    default(value, lanes)
            return write_one_bank
        if kind == "read":
            def read_banked() -> int:
                for active, reader in banked:
                    if active():
                        return reader()
                return default()
            return read_banked

        def write_banked(value: int, lanes: int) -> None:
            for active, writer in banked:
                if active():
                    writer(value, lanes)
                    return
            default(value, lanes)
        return write_banked

    def _refusal(self, name: str, kind: str) -> Any:
        if kind == "read":
            def refuse_read() -> int:
                self.guest_error(f"read of write-only register {name}")
                return 0
            return refuse_read

        def refuse_write(value: int, _lanes: int) -> None:
            self.guest_error(f"write of {value:#x} to read-only register {name}")
        return refuse_write

    def _compile(self, decl: Register, name: str,
                 index: int | None) -> tuple[Reader, Writer]:
        regs = self.regs
        m = _Masks(decl)
        hook_r, hook_w = decl.read, decl.write
        if index is not None:
            hook_r = _bind_index(hook_r, index)
            hook_w = _bind_index(hook_w, index)

        reader: Reader
        field_reads = [(f.mask, f.lsb, f.read) for f in decl.fields if f.read is not None]
        if hook_r is not None:
            reader = hook_r
        elif not field_reads and not m.rc and m.readable == MASK32:
            def reader() -> int:
                return regs[name]
        else:
            readable, rc = m.readable, m.rc

            def reader() -> int:
                stored = regs[name]
                value = stored & readable
                for mask, lsb, source in field_reads:
                    value = (value & ~mask) | ((source() << lsb) & mask)
                if stored & rc:
                    regs[name] = stored & ~rc
                    self.update()
                return value

        writer: Writer
        if hook_w is not None:
            w1 = m.w1c | m.w1s | m.sc  # unwritten lanes of these must read as 0, not kept

            def writer(value: int, lanes: int) -> None:
                if lanes != MASK32:
                    value = (value & lanes) | (regs[name] & ~lanes & ~w1)
                hook_w(value)
        else:
            writer = self._store(name, m, [f for f in decl.fields if f.write is not None])
        return reader, writer

    def _store(self, name: str, m: "_Masks", hooked: list[Field]) -> Writer:
        regs = self.regs
        rw, w1c, w1s, sc = m.stored, m.w1c, m.w1s, m.sc
        if not hooked and not (w1c | w1s):
            def store_plain(value: int, lanes: int) -> None:
                keep = rw & lanes
                regs[name] = (regs[name] & ~keep) | (value & keep)
            return store_plain
        if not hooked and not w1s and not rw:
            def store_w1c(value: int, lanes: int) -> None:
                regs[name] &= ~(value & lanes & w1c)
            return store_w1c

        fields = [(f.mask, f.lsb, f.write, bool(f.mask & sc)) for f in hooked]

        def store(value: int, lanes: int) -> None:
            old = regs[name]
            value &= lanes
            keep = rw & lanes
            new = ((old & ~keep) | (value & keep)) & ~(value & w1c) | (value & w1s)
            regs[name] = new
            for mask, lsb, hook, self_clearing in fields:
                if self_clearing:
                    if value & mask:
                        hook((value & mask) >> lsb)
                elif (old ^ new) & mask:
                    hook((new & mask) >> lsb)
        return store


class _Masks:
    """Which bits of one register behave how, from its access, writable mask and fields
    (a bit claimed by several fields behaves as the last one says)."""

    def __init__(self, decl: Register) -> None:
        per_bit = dict.fromkeys(_ACCESSES, 0)
        claimed = 0
        for f in reversed(decl.fields):
            per_bit[f.access] |= f.mask & ~claimed
            claimed |= f.mask
        writable = decl.writable & MASK32
        per_bit[decl.access] |= writable & ~claimed
        per_bit[RO] |= ~writable & MASK32 & ~claimed
        self.stored = per_bit[RW] | per_bit[WO]  # written value kept
        self.w1c, self.w1s, self.sc, self.rc = per_bit[W1C], per_bit[W1S], per_bit[SC], per_bit[RC]
        self.readable = MASK32 & ~per_bit[WO] & ~per_bit[SC]


def _reset_value(decl: Register) -> int:
    value = decl.reset
    for f in decl.fields:
        value |= (f.reset << f.lsb) & f.mask
    return value & MASK32


def _only_one_plain(block: str, offset: int, candidates: list[tuple[Register, str, Any]],
                    kind: str) -> None:
    """Refuse a map where two unbanked registers could both be read (written) at ``offset``."""
    plain = [name for decl, name, _ in candidates if decl.bank is None and _can(decl, kind)]
    if len(plain) > 1:
        raise TypeError(f"{block}: {plain[0]} and {plain[1]} both {kind} offset {offset:#x}")


def _can(decl: Register, kind: str) -> bool:
    """Whether a guest read (write) of this register is legal at all."""
    if kind == "read":
        return decl.access is not WO or decl.read is not None
    return (decl.access not in (RO, RC) or decl.write is not None
            or any(f.access not in (RO, RC) for f in decl.fields))


def _bind_index(hook: Callable[..., Any] | None, index: int) -> Any:
    if hook is None:
        return None
    return lambda *args: hook(index, *args)
