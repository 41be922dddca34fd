"""The register framework every peripheral is written in.

A peripheral declares its register map once, at the top of its class, as data::

    REGISTERS = (
        Register("LSR", 0x14, reset=0x60, access=RO),
        Register("SCR", 0x1C),
    )

Plain registers need no code: reads return the stored value, writes store it (masked), W1C
registers clear the bits written as 1, RC registers clear on read. A register with behaviour
gets a ``read_<NAME>(self) -> int`` and/or ``write_<NAME>(self, value)`` method, found once
per class. After every write the peripheral's ``update()`` derives its IRQ lines from state
(QEMU's style), so there is exactly one place that decides an interrupt's level.

Guest mistakes (unknown offsets, writes to read-only registers, reads of write-only ones) are
logged by peripheral and register name, never raised: they are the guest's problem.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar

from ..irq import IrqLine

log = logging.getLogger("sphere_emu.peripherals")


class Access(Enum):
    RW = "rw"
    RO = "ro"
    WO = "wo"
    W1C = "w1c"  # write 1 to clear
    RC = "rc"  # read clears


RW, RO, WO, W1C, RC = Access.RW, Access.RO, Access.WO, Access.W1C, Access.RC


@dataclass(frozen=True)
class Register:
    name: str
    offset: int
    reset: int = 0
    access: Access = Access.RW
    writable: int = 0xFFFFFFFF  # bits a plain write may change


class BusAccess:
    """Who is making an access: what the bus's access rules (firewalls) decide on.

    ``privileged`` may be given as a function: a core passes one that reads its CPU state,
    so the register read is paid only by the blocks and rules that ask.
    """

    __slots__ = ("initiator", "secure", "_privileged")

    def __init__(self, initiator: str, secure: bool = False,
                 privileged: bool | Callable[[], bool] = True) -> None:
        self.initiator = initiator
        self.secure = secure
        self._privileged = privileged

    @property
    def privileged(self) -> bool:
        p = self._privileged
        return p() if callable(p) else p


@dataclass
class PeripheralContext:
    """What the machine hands a peripheral when it builds it."""

    clock: Any  # sphere_emu.clock.Clock
    options: dict[str, Any] = field(default_factory=dict)
    memory: Any = None  # a MemoryPort for blocks that master the bus (DMA, Pluton)
    serial: Any = None  # sphere_emu.serial.SerialHub, for blocks that talk to the host (UARTs)


class Peripheral:
    """Base class of every memory-mapped block."""

    TYPE: ClassVar[str] = ""  # the name board files use for this block
    REGISTERS: ClassVar[tuple[Register, ...]] = ()
    IRQS: ClassVar[tuple[str, ...]] = ()  # names of the block's interrupt outputs
    SIZE: ClassVar[int] = 0x1000
    OPTIONS: ClassVar[dict[str, Callable[[Any], int]]] = {}  # board-file options and parsers

    _by_offset: ClassVar[dict[int, Register]]
    _readers: ClassVar[dict[str, Callable[["Peripheral"], int]]]
    _writers: ClassVar[dict[str, Callable[["Peripheral", int], None]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._by_offset = {}
        for reg in cls.REGISTERS:
            if reg.offset in cls._by_offset:
                other = cls._by_offset[reg.offset].name
                raise TypeError(f"{cls.__name__}: {reg.name} overlaps {other}")
            cls._by_offset[reg.offset] = reg
        cls._readers = {r.name: getattr(cls, f"read_{r.name}") for r in cls.REGISTERS
                        if hasattr(cls, f"read_{r.name}")}
        cls._writers = {r.name: getattr(cls, f"write_{r.name}") for r in cls.REGISTERS
                        if hasattr(cls, f"write_{r.name}")}

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
        self.reset()

    # -- state -------------------------------------------------------------------------
    def reset(self) -> None:
        self.regs = {r.name: r.reset for r in self.REGISTERS}

    def update(self) -> None:
        """Derive IRQ line levels from register state. Override in blocks with IRQs."""

    def guest_error(self, message: str) -> None:
        log.warning("%s: %s", self.name, message)

    # -- bus side ----------------------------------------------------------------------
    def read(self, offset: int, size: int, access: BusAccess) -> int:
        reg = self._by_offset.get(offset & ~3)
        if reg is None:
            self.guest_error(f"read of unknown offset {offset:#x}")
            return 0
        if reg.access is WO:
            self.guest_error(f"read of write-only register {reg.name}")
            return 0
        reader = self._readers.get(reg.name)
        value = reader(self) if reader else self.regs[reg.name]
        if reg.access is RC:
            self.regs[reg.name] = 0
            self.update()
        return (value >> (8 * (offset & 3))) & ((1 << (8 * size)) - 1)

    def write(self, offset: int, size: int, value: int, access: BusAccess) -> None:
        reg = self._by_offset.get(offset & ~3)
        if reg is None:
            self.guest_error(f"write of {value:#x} to unknown offset {offset:#x}")
            return
        if reg.access in (RO, RC):
            self.guest_error(f"write of {value:#x} to read-only register {reg.name}")
            return
        if size < 4:  # narrow store: only the bytes written change
            shift = 8 * (offset & 3)
            mask = ((1 << (8 * size)) - 1) << shift
            value = (value << shift) & mask
            if reg.access is not W1C:  # a W1C byte store must not clear its neighbours
                value |= self.regs[reg.name] & ~mask
        writer = self._writers.get(reg.name)
        if writer:
            writer(self, value)
        elif reg.access is W1C:
            self.regs[reg.name] &= ~value
        else:
            self.regs[reg.name] = (self.regs[reg.name] & ~reg.writable) | (value & reg.writable)
        self.update()

    # -- snapshots ---------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {"regs": dict(self.regs)}
