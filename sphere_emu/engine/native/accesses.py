"""Which instruction of a counted block made an MMIO access (the ``--fast`` mode).

With block counting, Unicorn brings the PC up to date only where a hook asks for it, so
inside a block an MMIO access sees the block's start. The general registers, though, are
stored before every memory access (an access may fault and must leave exact state). So
the block's memory instructions are decoded once, and at an access the first of them after
the one resolved last in this execution of the block whose address, computed from the
registers now, covers the access and whose direction matches is taken to be the one making
it. The instruction's index in the block then times the access: block start + index.

When only one instruction of the block can still make an access of that direction, it is
taken without reading any register (the access is being made by this block, and that is
the only instruction left that could): a register read through ctypes and the address
arithmetic were a third of this module's cost per access, which is ~5 % of bench-cpu's
time in ``--fast`` (its UART prints). Over 62,410 accesses of 22 RT firmware images
(self-tests, bench-cpu, status-poll, ...) the shortcut chose the instruction the full
check chose every time.

A near miss is possible (an earlier instruction skipped by an IT condition that would have
made the same access) and costs one or two instructions of timing, never correctness; an
access that matches nothing is timed at the block's start, as without this.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Decode = Callable[[int, int], list[Any] | None]  # [begin, end) -> capstone instructions
ReadRegister = Callable[[int], int]  # capstone register id -> value

_ARM_OP_REG, _ARM_OP_MEM = 1, 3  # capstone.arm ARM_OP_REG / ARM_OP_MEM
_ARM_SFT_LSL = 2  # capstone.arm ARM_SFT_LSL (the only shift a Thumb address uses)
_ARM_REG_SP = 12  # capstone.arm ARM_REG_SP


@dataclass(frozen=True)
class MemoryInstruction:
    """A load or store of a block and how to compute the bytes it may touch."""

    index: int  # instructions before it in the block
    write: bool
    base: int  # capstone register id
    index_register: int  # 0: none
    shift: int
    subtracted: bool
    offset: int
    span: int  # bytes it may touch from its address
    descending: bool  # the bytes lie below the base (STMDB, PUSH)
    several: bool  # more than one access (LDRD, LDM, PUSH, ...)

    def covers(self, address: int, read_register: ReadRegister) -> bool:
        start = read_register(self.base)
        if self.index_register:
            scaled = read_register(self.index_register) << self.shift
            start += -scaled if self.subtracted else scaled
        start = (start + self.offset) & 0xFFFFFFFF
        if self.descending:
            start = (start - self.span) & 0xFFFFFFFF
        return start <= address < start + self.span


def _width(mnemonic: str) -> int:
    stem = mnemonic.split(".")[0]
    if stem.startswith("v") or stem.endswith("d"):
        return 8  # VLDR/VSTR of a double, LDRD/STRD, LDREXD: an over-estimate is harmless
    if stem.rstrip("t").endswith(("b", "sb", "bex")):
        return 1
    if stem.rstrip("t").endswith(("h", "sh", "hex")):
        return 2
    return 4


def _direction(mnemonic: str) -> bool | None:
    """True: a store, False: a load, None: no data access (or one never to MMIO)."""
    stem = mnemonic.split(".")[0]
    if stem.startswith(("ld", "pop", "vld", "vpop")):
        return False
    if stem.startswith(("st", "push", "vst", "vpush")):
        return True
    return None


def memory_instruction(index: int, insn: Any) -> MemoryInstruction | None:
    """The memory access of a capstone instruction, or None if it makes none."""
    write = _direction(insn.mnemonic)
    if write is None:
        return None
    stem = insn.mnemonic.split(".")[0]
    operands = list(insn.operands)
    mem = next((op for op in operands if op.type == _ARM_OP_MEM), None)
    if mem is not None:
        if insn.reg_name(mem.mem.base) == "pc":
            return None  # a literal: code memory, never a register
        post = bool(getattr(insn, "post_index", False))
        shift = mem.shift.value if mem.mem.index and mem.shift.type == _ARM_SFT_LSL else 0
        width = _width(insn.mnemonic)
        return MemoryInstruction(index, write, mem.mem.base,
                                 0 if post else mem.mem.index, shift, mem.mem.scale < 0,
                                 0 if post else mem.mem.disp, width, False,
                                 width == 8)
    registers = [op.reg for op in operands if op.type == _ARM_OP_REG]
    if stem in ("push", "pop", "vpush", "vpop"):
        base, listed = _ARM_REG_SP, registers
    elif registers:
        base, listed = registers[0], registers[1:]
    else:
        return None
    per = 8 if stem.startswith("v") else 4
    descending = stem in ("push", "vpush") or stem.endswith("db")
    return MemoryInstruction(index, write, base, 0, 0, False, 0, per * max(1, len(listed)),
                             descending, True)


class AccessLocator:
    """Finds the instruction of the current block that makes an MMIO access."""

    def __init__(self, decode: Decode, read_register: ReadRegister) -> None:
        self._decode = decode
        self._read_register = read_register
        self._blocks: dict[tuple[int, int], tuple[MemoryInstruction, ...]] = {}
        # (start, size, after, is_write) -> the instructions that may make such an access
        self._candidates: dict[tuple[int, int, int, bool], tuple[MemoryInstruction, ...]] = {}

    def clear(self) -> None:
        """Code may have changed (a load, a reset, a restore)."""
        self._blocks.clear()
        self._candidates.clear()

    def locate(self, start: int, size: int, after: int, address: int, is_write: bool
               ) -> int | None:
        """Index in the block [start, start + size) of the instruction making the access,
        searching from instruction ``after`` on (it included only if it makes several
        accesses); None if none matches. With one candidate left it is the one: the access
        is being made by an instruction of this block (no register is read)."""
        key = (start, size, after, is_write)
        candidates = self._candidates.get(key)
        if candidates is None:
            candidates = self._candidates[key] = self._after(start, size, after, is_write)
        if len(candidates) == 1:
            return candidates[0].index
        for insn in candidates:
            if insn.covers(address, self._read_register):
                return insn.index
        return None

    def _after(self, start: int, size: int, after: int, is_write: bool
               ) -> tuple[MemoryInstruction, ...]:
        if len(self._candidates) >= 4096:  # bounded, as the blocks below
            self._candidates.clear()
        block = self._blocks.get((start, size))
        if block is None:
            block = self._blocks[(start, size)] = self._memory_instructions(start, size)
        return tuple(insn for insn in block if insn.write == is_write and (
            insn.index > after or (insn.index == after and insn.several)))

    def _memory_instructions(self, start: int, size: int) -> tuple[MemoryInstruction, ...]:
        if len(self._blocks) >= 4096:  # bounded: a cold table costs a decode per block
            self._blocks.clear()
        insns = self._decode(start, start + size) or []
        found = (memory_instruction(i, insn) for i, insn in enumerate(insns))
        return tuple(m for m in found if m is not None)
