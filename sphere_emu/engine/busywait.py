"""Exact fast-forward of busy-waits on a time source.

Firmware waits by polling a counter: ``while (GPT3_CNT <= end) {}`` is ``ldr; cmp; bls``,
three instructions and one MMIO read (about 2 us of host time) per iteration, for every
microsecond it waits. When such a loop reads a register a peripheral declares as a time
source (``time_sources()``: offset -> the up-counter behind it), the engine checks the loop
once and, if it qualifies, computes the iteration whose read is the first to exit, and
charges the iterations before it without running them. Nothing is approximated:

- a loop qualifies only if it is one straight run ending in a conditional branch back, with
  one load (the polled register) and otherwise only ``mov``/``add``/``sub``/``cmp``/``nop``
  on registers: no stores, no other loads, no calls, no IT blocks, and no register or flag
  carried from one iteration to the next (every register the body reads before writing is
  one it never writes). One iteration is then a pure function of the value read, and the
  value read is a pure function of the time of the read.
- the loop condition is evaluated exactly (NZCV of the compare, modulo 2^32) on the values
  the counter takes from now on; between the points where an operand or the difference
  wraps or crosses zero the condition is constant, so checking those points in order finds
  the first exiting value;
- the counter says when it first holds that value; the read of iteration k happens at an
  exact instruction count, so the first k whose read is at or after that time is known;
- the skipped iterations are charged as retired instructions, so time, budgets and counts
  stay what the unaccelerated run gives, and never beyond the time slice (events and
  interrupts happen between slices, as without the fast-forward).

A counter that never leaves the condition (stopped, or the loop waits forever) is skipped to
the end of the slice. Machines turn this off with ``Machine(..., fast_forward=False)`` (CLI
``--no-fast-forward``); ``tests/test_busywait_fast_forward.py`` compares both.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from capstone.arm import (
    ARM_CC_AL,
    ARM_CC_EQ,
    ARM_CC_GE,
    ARM_CC_GT,
    ARM_CC_HI,
    ARM_CC_HS,
    ARM_CC_LE,
    ARM_CC_LO,
    ARM_CC_LS,
    ARM_CC_LT,
    ARM_CC_MI,
    ARM_CC_NE,
    ARM_CC_PL,
    ARM_CC_VC,
    ARM_CC_VS,
    ARM_INS_ADD,
    ARM_INS_B,
    ARM_INS_CMP,
    ARM_INS_LDR,
    ARM_INS_MOV,
    ARM_INS_NOP,
    ARM_INS_SUB,
    ARM_OP_IMM,
    ARM_OP_MEM,
    ARM_OP_REG,
    ARM_REG_PC,
)

from .cut import AccessCut

MASK = 0xFFFFFFFF
HALF = 0x80000000
MAX_LOOP_BYTES = 64

Value = tuple[str, int]  # ("c", constant) or ("v", c): the value read plus c, modulo 2^32


class Source(Protocol):
    """An up-counter: its value at a time, and when it has advanced by a number of ticks."""

    down: bool
    num: int

    def read(self, now_ns: int) -> int: ...

    def ticks(self, now_ns: int) -> int: ...

    def time_after(self, ticks: int) -> int: ...


@dataclass(frozen=True)
class PollLoop:
    """A qualifying loop: its code, length, symbolic body and back-branch condition."""

    head: int
    code: bytes
    length: int  # instructions per iteration
    # ("ldr", rd) | ("mov", rd, op) | ("add" or "sub", rd, rn, op, sets flags) | ("cmp", rn, op)
    body: tuple[tuple[Any, ...], ...]
    condition: int  # capstone ARM_CC_* of the branch back (taken = keep waiting)
    inputs: tuple[int, ...]  # capstone register ids the body reads as loop invariants


def _operand(op: Any) -> tuple[str, int] | None:
    if op.type == ARM_OP_REG:
        return ("r", op.reg)
    if op.type == ARM_OP_IMM:
        return ("i", op.imm & MASK)
    return None


def analyse(insns: Sequence[Any], load_pc: int, load_base_value: Callable[[int], int],
            address: int) -> PollLoop | None:
    """The loop through ``load_pc`` in ``insns`` (decoded from the loop's head), if it
    qualifies; ``load_base_value`` gives a register's current value (for the load address)."""
    body: list[tuple[Any, ...]] = []
    written: set[int] = set()
    inputs: set[int] = set()
    flags_set = False
    loads = 0

    def read(reg: int) -> None:
        if reg not in written:
            inputs.add(reg)

    for index, insn in enumerate(insns):
        last = index == len(insns) - 1
        ops = [_operand(op) if op.type != ARM_OP_MEM else None for op in insn.operands]
        if insn.id == ARM_INS_B:
            if not last or insn.cc in (ARM_CC_AL, 0) or not flags_set:
                return None
            return PollLoop(insns[0].address, b"".join(bytes(i.bytes) for i in insns),
                            len(insns), tuple(body), insn.cc, tuple(sorted(inputs)))
        if last or getattr(insn, "cc", ARM_CC_AL) not in (ARM_CC_AL, 0):
            return None  # conditional (IT-block) instructions carry state: not ours
        if insn.id == ARM_INS_LDR and len(insn.operands) == 2 and ops[0] is not None \
                and insn.operands[1].type == ARM_OP_MEM:
            mem = insn.operands[1].mem
            if insn.address != load_pc or mem.index or mem.base in written or \
                    mem.base == ARM_REG_PC or \
                    (load_base_value(mem.base) + mem.disp) & MASK != address:
                return None
            read(mem.base)
            body.append(("ldr", ops[0][1]))
            written.add(ops[0][1])
            loads += 1
        elif insn.id == ARM_INS_MOV and len(ops) == 2 and ops[0] and ops[1]:
            if insn.update_flags:
                return None
            if ops[1][0] == "r":
                read(ops[1][1])
            body.append(("mov", ops[0][1], ops[1]))
            written.add(ops[0][1])
        elif insn.id in (ARM_INS_ADD, ARM_INS_SUB) and len(ops) in (2, 3) and all(ops):
            rd, rn, op = (ops[0], ops[0], ops[1]) if len(ops) == 2 else ops
            if rd[0] != "r" or rn[0] != "r":
                return None
            read(rn[1])
            if op[0] == "r":
                read(op[1])
            body.append(("add" if insn.id == ARM_INS_ADD else "sub", rd[1], rn[1], op,
                         insn.update_flags))
            written.add(rd[1])
            flags_set = flags_set or insn.update_flags
        elif insn.id == ARM_INS_CMP and len(ops) == 2 and all(ops) and ops[0][0] == "r":
            read(ops[0][1])
            if ops[1][0] == "r":
                read(ops[1][1])
            body.append(("cmp", ops[0][1], ops[1]))
            flags_set = True
        elif insn.id == ARM_INS_NOP:
            continue
        else:
            return None
        if loads > 1:
            return None
    return None


def _value(regs: dict[int, Value], operand: tuple[str, int]) -> Value:
    kind, x = operand
    return ("c", x) if kind == "i" else regs[x]


def _combine(a: Value, b: Value, subtract: bool) -> Value | None:
    if a[0] == "c" and b[0] == "c":
        return ("c", (a[1] - b[1] if subtract else a[1] + b[1]) & MASK)
    if a[0] == "v" and b[0] == "c":
        return ("v", (a[1] - b[1] if subtract else a[1] + b[1]) & MASK)
    if a[0] == "c" and b[0] == "v" and not subtract:
        return ("v", (a[1] + b[1]) & MASK)
    if a[0] == "v" and b[0] == "v" and subtract:
        return ("c", (a[1] - b[1]) & MASK)
    return None  # -v or 2v: not a single rising value


def compare_operands(loop: PollLoop, reg_value: Callable[[int], int]
                     ) -> tuple[Value, Value] | None:
    """The two operands of the flag-setting subtraction the branch tests, symbolically."""
    regs: dict[int, Value] = {reg: ("c", reg_value(reg) & MASK) for reg in loop.inputs}
    flags: tuple[Value, Value] | None = None
    for op in loop.body:
        if op[0] == "ldr":
            regs[op[1]] = ("v", 0)
        elif op[0] == "mov":
            regs[op[1]] = _value(regs, op[2])
        elif op[0] in ("add", "sub"):
            a, b = regs[op[2]], _value(regs, op[3])
            result = _combine(a, b, op[0] == "sub")
            if result is None:
                return None
            regs[op[1]] = result
            if op[4]:
                if op[0] == "add":
                    return None  # flags of an addition: not modelled
                flags = (a, b)
        elif op[0] == "cmp":
            flags = (regs[op[1]], _value(regs, op[2]))
    return flags


def _at(value: Value, v: int) -> int:
    return (v + value[1]) & MASK if value[0] == "v" else value[1]


_CONDITIONS: dict[int, Callable[[bool, bool, bool, bool], bool]] = {
    ARM_CC_EQ: lambda n, z, c, v: z, ARM_CC_NE: lambda n, z, c, v: not z,
    ARM_CC_HS: lambda n, z, c, v: c, ARM_CC_LO: lambda n, z, c, v: not c,
    ARM_CC_MI: lambda n, z, c, v: n, ARM_CC_PL: lambda n, z, c, v: not n,
    ARM_CC_VS: lambda n, z, c, v: v, ARM_CC_VC: lambda n, z, c, v: not v,
    ARM_CC_HI: lambda n, z, c, v: c and not z, ARM_CC_LS: lambda n, z, c, v: not c or z,
    ARM_CC_GE: lambda n, z, c, v: n == v, ARM_CC_LT: lambda n, z, c, v: n != v,
    ARM_CC_GT: lambda n, z, c, v: not z and n == v, ARM_CC_LE: lambda n, z, c, v: z or n != v,
}


def condition_holds(condition: int, a: int, b: int) -> bool:
    """ARM condition ``condition`` on the flags of ``a - b`` (32-bit)."""
    result = (a - b) & MASK
    test = _CONDITIONS.get(condition)
    return test is not None and test(bool(result & HALF), result == 0, a >= b,
                                     bool((a ^ b) & (a ^ result) & HALF))


def first_exit(condition: int, a: Value, b: Value, v0: int) -> int | None:
    """Ticks from value ``v0`` until the first value that ends the loop (None: never)."""
    def keep(v: int) -> bool:
        return condition_holds(condition, _at(a, v), _at(b, v))

    if not keep(v0):
        return 0
    points: set[int] = set()
    for value in (a, b):  # where an operand wraps or changes sign
        if value[0] == "v":
            for edge in (0, HALF):
                points.update((edge - value[1] + d) & MASK for d in (-1, 0, 1))
    if a[0] != b[0]:  # where the difference is zero or changes sign
        rising, other = (a, b) if a[0] == "v" else (b, a)
        for edge in (0, HALF):
            base = (other[1] - rising[1] + edge) & MASK
            points.update((base + d) & MASK for d in (-1, 0, 1))
    for distance in sorted(((p - v0) & MASK) for p in points):
        if distance and not keep((v0 + distance) & MASK):
            return distance
    return None


@dataclass
class Skip:
    """Instructions to charge after the cut access, and what its replay must read then."""

    instructions: int
    address: int
    value: int  # the counter at the replayed read, as the unaccelerated iteration reads it


class BusyWaits:
    """One core's busy-wait detector: sees time-source reads, plans skips."""

    def __init__(self, frequency_hz: int, decode: Callable[[int, int], list[Any] | None],
                 pc: Callable[[], int], reg_value: Callable[[int], int], cut: AccessCut
                 ) -> None:
        self.enabled = True
        self._frequency_hz = frequency_hz
        self._decode = decode  # (head, end) -> instructions, or None
        self._pc = pc
        self._reg_value = reg_value
        self._cut = cut
        self._loops: dict[tuple[int, int], PollLoop | None] = {}
        self.pending: Skip | None = None
        self.skipped_instructions = 0  # for reports and benchmarks

    def observe(self, address: int, source: Source, index: int, slice_start_ns: int,
                budget_left: int) -> None:
        """A time-source read by the instruction with slice index ``index`` (its time is
        ``slice_start_ns + index / f``), with ``budget_left`` instructions after it."""
        if not self.enabled or self.pending is not None or source.down or self._cut.pending:
            return
        pc = self._pc()
        key = (pc, address)
        if key not in self._loops:
            self._loops[key] = self._find_loop(pc, address)
        loop = self._loops[key]
        if loop is None:
            return
        operands = compare_operands(loop, self._reg_value)
        if operands is None:
            return
        now_ns = slice_start_ns + index * 1_000_000_000 // self._frequency_hz
        v0 = source.read(now_ns)
        distance = first_exit(loop.condition, *operands, v0) if source.num else None
        if distance == 0:
            return  # this read ends the loop
        most = max(0, (budget_left - 1) // loop.length)  # the replayed load must fit too
        if distance is None:
            iterations = most
        else:
            exit_ns = source.time_after(source.ticks(now_ns) + distance)
            need = -(-(exit_ns - slice_start_ns) * self._frequency_hz // 1_000_000_000)
            k = max(1, -(-(need - index) // loop.length))
            iterations = min(k - 1, most)
        if iterations <= 0:
            return
        skipped = iterations * loop.length
        replay_ns = slice_start_ns + (index + skipped) * 1_000_000_000 // self._frequency_hz
        self.pending = Skip(skipped, address, source.read(replay_ns))
        self._cut.request(pc)

    def take(self) -> Skip | None:
        """The planned skip, once its run has stopped after the read."""
        skip, self.pending = self.pending, None
        if skip is not None:
            self.skipped_instructions += skip.instructions
        return skip

    def _find_loop(self, pc: int, address: int) -> PollLoop | None:
        insns = self._decode(pc, pc + MAX_LOOP_BYTES)
        if not insns:
            return None
        for end, insn in enumerate(insns):
            if insn.id == ARM_INS_B:
                target = insn.operands[0].imm if insn.operands else None
                if target is None or not target <= pc <= insn.address:
                    return None
                loop_insns = self._decode(target, insn.address + insn.size)
                if not loop_insns or loop_insns[-1].address != insn.address:
                    return None
                return analyse(loop_insns, pc, self._reg_value, address)
            if end > 16:
                break
        return None
