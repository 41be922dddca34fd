"""Busy-wait loops, decoded and evaluated: the analysis behind ``busywait.py``.

A loop qualifies if it is one straight run ending in a conditional branch back, with one
load (the polled register) and otherwise only register arithmetic and compares the
analysis can evaluate, no stores, no IT blocks, and nothing carried from one iteration to
the next (see ``busywait.py`` for why that makes skipping it exact). Kept apart from the
engine because it needs capstone, which is loaded only once a loop is first looked at: it
is a tenth of a bare run's start-up.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

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
    ARM_INS_AND,
    ARM_INS_ASR,
    ARM_INS_B,
    ARM_INS_BIC,
    ARM_INS_CMN,
    ARM_INS_CMP,
    ARM_INS_EOR,
    ARM_INS_LDR,
    ARM_INS_LDRB,
    ARM_INS_LDRH,
    ARM_INS_LSL,
    ARM_INS_LSR,
    ARM_INS_MOV,
    ARM_INS_MVN,
    ARM_INS_NOP,
    ARM_INS_ORR,
    ARM_INS_ROR,
    ARM_INS_RSB,
    ARM_INS_SBFX,
    ARM_INS_SUB,
    ARM_INS_TEQ,
    ARM_INS_TST,
    ARM_INS_UBFX,
    ARM_INS_UXTB,
    ARM_INS_UXTH,
    ARM_OP_IMM,
    ARM_OP_MEM,
    ARM_OP_REG,
    ARM_REG_PC,
    ARM_SFT_RRX,
)

MASK = 0xFFFFFFFF
HALF = 0x80000000
MAX_LOOP_BYTES = 64

# ("c", constant), ("v", c): the value read plus c, or ("n", c): c minus the value read,
# all modulo 2^32 (a down-counter's elapsed ticks are ``start - value``).
Value = tuple[str, int]
_COEFFICIENT = {"c": 0, "v": 1, "n": -1}
_KIND = {0: "c", 1: "v", -1: "n"}


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
    sign = -1 if subtract else 1
    coefficient = _COEFFICIENT[a[0]] + sign * _COEFFICIENT[b[0]]
    if coefficient not in _KIND:
        return None  # 2v or -2v: not a single counter value
    return (_KIND[coefficient], (a[1] + sign * b[1]) & MASK)


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


def _at(value: Value, v: int, mask: int = MASK) -> int:
    return (_COEFFICIENT[value[0]] * v + value[1]) & mask


_CONDITIONS: dict[int, Callable[[bool, bool, bool, bool], bool]] = {
    ARM_CC_EQ: lambda n, z, c, v: z, ARM_CC_NE: lambda n, z, c, v: not z,
    ARM_CC_HS: lambda n, z, c, v: c, ARM_CC_LO: lambda n, z, c, v: not c,
    ARM_CC_MI: lambda n, z, c, v: n, ARM_CC_PL: lambda n, z, c, v: not n,
    ARM_CC_VS: lambda n, z, c, v: v, ARM_CC_VC: lambda n, z, c, v: not v,
    ARM_CC_HI: lambda n, z, c, v: c and not z, ARM_CC_LS: lambda n, z, c, v: not c or z,
    ARM_CC_GE: lambda n, z, c, v: n == v, ARM_CC_LT: lambda n, z, c, v: n != v,
    ARM_CC_GT: lambda n, z, c, v: not z and n == v, ARM_CC_LE: lambda n, z, c, v: z or n != v,
}


def condition_holds(condition: int, a: int, b: int, bits: int = 32) -> bool:
    """ARM condition ``condition`` on the flags of ``a - b`` (32-bit, or 64-bit as a
    ``cmp``/``sbcs`` pair leaves N, C and V)."""
    mask, half = (1 << bits) - 1, 1 << (bits - 1)
    result = (a - b) & mask
    test = _CONDITIONS.get(condition)
    return test is not None and test(bool(result & half), result == 0, a >= b,
                                     bool((a ^ b) & (a ^ result) & half))


def _critical(a: Value, b: Value, bits: int = 32) -> set[int] | None:
    """Counter values around which the compare's flags can change: where an operand wraps
    or changes sign, or their difference is zero or changes sign (None: the difference is
    not a single counter value, which the loop analysis does not produce)."""
    mask, half = (1 << bits) - 1, 1 << (bits - 1)
    points: set[int] = set()

    def around(coefficient: int, constant: int) -> None:
        for edge in (0, half):  # coefficient * v + constant == edge
            base = (coefficient * (edge - constant)) & mask
            points.update((base + d) & mask for d in (-1, 0, 1))

    for value in (a, b):
        if value[0] != "c":
            around(_COEFFICIENT[value[0]], value[1])
    difference = _COEFFICIENT[a[0]] - _COEFFICIENT[b[0]]
    if abs(difference) > 1:
        return None
    if difference:
        around(difference, a[1] - b[1])
    return points


def first_exit(condition: int, a: Value, b: Value, v0: int, bits: int = 32) -> int | None:
    """Ticks from value ``v0`` of an up-counter (``bits`` wide) until the first value that
    ends the loop (None: never)."""
    mask = (1 << bits) - 1

    def keep(v: int) -> bool:
        return condition_holds(condition, _at(a, v, mask), _at(b, v, mask), bits)

    if not keep(v0):
        return 0
    critical = _critical(a, b, bits)
    if critical is None:
        return 0  # not analysed: treated as ending, so nothing is skipped
    for distance in sorted(((p - v0) & mask) for p in critical):
        if distance and not keep((v0 + distance) & mask):
            return distance
    return None


def first_exit_down(condition: int, a: Value, b: Value, v0: int, reload: int) -> int | None:
    """Ticks from value ``v0`` of a down-counter that goes from 0 to ``reload`` (and stays
    at 0 if that is 0) until the first value that ends the loop (None: never)."""
    def keep(v: int) -> bool:
        return condition_holds(condition, _at(a, v), _at(b, v))

    if not keep(v0):
        return 0
    critical = _critical(a, b)
    if critical is None:
        return 0  # not analysed: treated as ending, so nothing is skipped
    points = sorted(critical | {0}, reverse=True)
    for p in points:  # v0 down to 0
        if p < v0 and not keep(p):
            return v0 - p
    if not reload:
        return None  # it stays at 0
    if not keep(reload):
        return v0 + 1
    for p in points:  # from the reload down to 0, the same every period
        if p < reload and not keep(p):
            return v0 + 1 + reload - p
    return None


# Register-only instructions a status poll may use between its load and its branch (none
# reads a flag: only the final branch does, so no flag is carried between iterations).
_REGISTER_ONLY = {ARM_INS_MOV, ARM_INS_MVN, ARM_INS_AND, ARM_INS_BIC, ARM_INS_ORR,
                  ARM_INS_EOR, ARM_INS_TST, ARM_INS_TEQ, ARM_INS_CMP, ARM_INS_CMN,
                  ARM_INS_LSL, ARM_INS_LSR, ARM_INS_ASR, ARM_INS_ROR, ARM_INS_UBFX,
                  ARM_INS_SBFX, ARM_INS_UXTB, ARM_INS_UXTH, ARM_INS_ADD, ARM_INS_SUB,
                  ARM_INS_RSB, ARM_INS_NOP}
_LOADS = {ARM_INS_LDR, ARM_INS_LDRB, ARM_INS_LDRH}


@dataclass(frozen=True)
class StatusLoop:
    """A loop whose every iteration is a pure function of the one value it reads."""

    head: int
    length: int  # instructions per iteration


def analyse_status(insns: Sequence[Any], load_pc: int, load_base_value: Callable[[int], int],
                   address: int) -> StatusLoop | None:
    """The loop in ``insns`` (from its head to its branch back) if an iteration depends on
    nothing but the value its one load reads from ``address`` and registers the loop never
    writes: then two iterations that read the same value do the same thing. Any register
    or ALU instruction without memory access, flag input or shifts through carry is
    allowed, so bit tests (``tst``, ``lsls``, ``ands``, ``ubfx``) qualify."""
    written: set[int] = set()
    inputs: set[int] = set()
    loads = 0
    for index, insn in enumerate(insns):
        last = index == len(insns) - 1
        if last:
            if insn.id != ARM_INS_B or insn.cc in (ARM_CC_AL, 0):
                return None
            break
        if getattr(insn, "cc", ARM_CC_AL) not in (ARM_CC_AL, 0):
            return None  # conditional (IT-block) instructions carry state: not ours
        if insn.id in _LOADS:
            mem = next((op.mem for op in insn.operands if op.type == ARM_OP_MEM), None)
            if mem is None or insn.address != load_pc or mem.index or insn.writeback or \
                    mem.base == ARM_REG_PC or len(insn.operands) != 2 or \
                    (load_base_value(mem.base) + mem.disp) & MASK != address:
                return None
            loads += 1
        elif insn.id not in _REGISTER_ONLY or any(
                op.type == ARM_OP_MEM or (op.type == ARM_OP_REG and op.shift.type == ARM_SFT_RRX)
                for op in insn.operands):
            return None
        reads, writes = insn.regs_access()
        inputs.update(r for r in reads if r not in written)
        written.update(writes)
    if loads != 1 or inputs & written or ARM_REG_PC in written:
        return None
    return StatusLoop(insns[0].address, len(insns))


def find_loop(decode: Callable[[int, int], list[Any] | None], pc: int, address: int,
              reg_value: Callable[[int], int],
              analyser: Callable[..., Any] = analyse) -> Any:
    """The loop whose load at ``pc`` reads ``address``, as ``analyser`` (``analyse`` for
    a counter, ``analyse_status`` for a status register) qualifies it, if there is one."""
    insns = decode(pc, pc + MAX_LOOP_BYTES)
    if not insns:
        return None
    for end, insn in enumerate(insns):
        if insn.id == ARM_INS_B:
            target = insn.operands[0].imm if insn.operands else None
            if target is None or not target <= pc <= insn.address:
                return None
            loop_insns = decode(target, insn.address + insn.size)
            if not loop_insns or loop_insns[-1].address != insn.address:
                return None
            return analyser(loop_insns, pc, reg_value, address)
        if end > 16:
            break
    return None
