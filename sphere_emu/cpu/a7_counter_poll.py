"""Exact fast-forward of A7 busy-waits on the generic timer's counter (CNTPCT, CNTVCT).

The A7 reads its counters with ``mrrc p15, 0/1, Rt, Rt2, c14``: a coprocessor read, not
an MMIO access, which Unicorn answers from libunicorn's ``clock_gettime`` and the engine
serves with the core's exact virtual time (``engine/host_clock.py``). Every read therefore
passes through the model, with the PC at the reading instruction, and a polling loop can
be skipped as ``engine/busywait.py`` skips loops on MMIO counters:

- the loop (ARM code) qualifies if it is one straight run from a conditional branch's
  target to that branch, with the one counter read, ``isb``/``nop``, and ``mov``, ``add``,
  ``sub``, ``cmp`` and the ``sbcs`` of a 64-bit compare on registers or immediates, and
  nothing carried between iterations (a register read before it is written is never
  written). One iteration is then a pure function of the value read.
- the branch condition is evaluated exactly on the values the counter takes from now on:
  on the low word (32-bit arithmetic, e.g. ``now - start < ticks``) or on the 64-bit value
  against a 64-bit deadline (``cmp lo; sbcs hi``: C, N and V; conditions on Z are not
  taken, as ``sbcs`` sets it from the high word only).
- the read that ends the loop is the first at or after the time the counter reaches the
  exiting value (the counter is virtual time / 16 ns; iteration j reads at an exact
  instruction count). The run stops right after the current read; the iterations up to
  that read are charged as retired instructions (never beyond the time slice) and the
  registers the read wrote get the value that read returns in the unaccelerated run.
"""

from dataclasses import dataclass
from typing import Any

from ..engine import NS_PER_S
from .generic_timer import COUNTER_PERIOD_NS

MASK = 0xFFFFFFFF
_ISB, _NOP = 0xF57FF06F, 0xE320F000
MAX_LOOP_WORDS = 16
_NO_Z = {2, 3, 4, 5, 6, 7, 10, 11}  # conditions a cmp/sbcs pair decides exactly
_ADD, _SUB, _SBC, _CMP, _MOV = 4, 2, 6, 10, 13


@dataclass(frozen=True)
class CounterLoop:
    """A qualifying loop: its length and how its branch depends on the value read."""

    length: int  # instructions per iteration
    rt: int
    rt2: int
    condition: int  # ARM condition field of the branch back (taken = keep waiting)
    wide: bool  # a 64-bit compare (else the low word's 32-bit arithmetic)
    # The flag-setting subtraction's operands as poll_loop values: ("v", c) the value
    # read (its low word unless wide) plus c; ("c", k) a loop invariant.
    operands: tuple[tuple[str, int], tuple[str, int]]


@dataclass(frozen=True)
class CounterSkip:
    instructions: int  # charged after the current read
    rt: int
    rt2: int
    value: int  # what the read at the end of the skip returns


def _mrrc(word: int) -> tuple[int, int] | None:
    """(Rt, Rt2) of an MRRC of CNTPCT or CNTVCT (always executed)."""
    if word >> 28 == 0xE and word & 0x0FF00F0F == 0x0C500F0E and (word >> 4) & 0xF < 2:
        return (word >> 12) & 0xF, (word >> 16) & 0xF
    return None


def _operand2(word: int) -> tuple[str, int] | None:
    """A register (no shift) or a rotated immediate."""
    if word & (1 << 25):
        rotate, imm = ((word >> 8) & 0xF) * 2, word & 0xFF
        return ("i", ((imm >> rotate) | (imm << (32 - rotate))) & MASK)
    if word & 0xFF0:
        return None
    return ("r", word & 0xF)


def analyse(words: list[int], head: int, pc: int, reg: Any) -> CounterLoop | None:
    """The loop of ARM ``words`` from ``head`` to its branch back, if it qualifies, with
    the read at ``pc``; ``reg(n)`` gives a loop invariant's current value."""
    from ..engine import poll_loop  # capstone: loaded only once a loop is looked at
    values: dict[int, tuple[str, int]] = {}
    written: set[int] = set()
    inputs: set[int] = set()
    flags: tuple[str, Any] | None = None
    read_at: tuple[int, int] | None = None

    def value(n: int) -> tuple[str, int] | None:
        if n not in written:
            inputs.add(n)
            return ("c", reg(n) & MASK) if n != 15 else None
        found = values.get(n)
        return None if found is None or found[0] == "x" else found

    def operand(op: tuple[str, int] | None) -> tuple[str, int] | None:
        if op is None:
            return None
        return ("c", op[1]) if op[0] == "i" else value(op[1])

    for i, word in enumerate(words):
        address = head + 4 * i
        if i == len(words) - 1:
            if word & 0x0F000000 != 0x0A000000 or word >> 28 >= 0xE or flags is None \
                    or read_at is None or inputs & written:
                return None  # not a branch back on flags set here, or state carried
            kind, operands = flags
            condition = word >> 28
            if kind == "wide" and condition not in _NO_Z:
                return None
            return CounterLoop(len(words), read_at[0], read_at[1], condition, kind == "wide",
                               operands)
        if word in (_ISB, _NOP):
            continue
        mrrc = _mrrc(word)
        if mrrc is not None:
            if address != pc or read_at is not None or 15 in mrrc or mrrc[0] == mrrc[1]:
                return None
            read_at = mrrc
            values[mrrc[0]], values[mrrc[1]] = ("v", 0), ("hi", 0)
            written.update(mrrc)
            continue
        if word >> 28 != 0xE or word & 0x0C000000:
            return None  # conditional, or not data processing
        opcode, sets = (word >> 21) & 0xF, bool(word & (1 << 20))
        rn, rd = (word >> 16) & 0xF, (word >> 12) & 0xF
        op = operand(_operand2(word))
        if op is None or rd == 15 or (opcode == _MOV and sets):
            return None
        if opcode == _MOV:
            values[rd] = op
        elif opcode == _CMP and sets:
            a = value(rn)
            if a is None or "hi" in (a[0], op[0]):
                return None
            flags = ("narrow", (a, op))
            continue
        elif opcode in (_ADD, _SUB):
            a = value(rn)
            if a is None or "hi" in (a[0], op[0]):
                return None
            result = poll_loop._combine(a, op, opcode == _SUB)
            if result is None:
                return None
            values[rd] = result
            if sets:
                flags = ("narrow", (a, op)) if opcode == _SUB else None
        elif opcode == _SBC and sets and flags is not None and flags[0] == "narrow":
            high_a = value(rn)
            wide = _wide(*flags[1], high_a, op) if high_a is not None else None
            if wide is None:
                return None
            flags = ("wide", wide)
            values[rd] = ("x", 0)  # the high word's difference: not used after
        else:
            return None
        written.add(rd)
    return None


def _wide(low_a: tuple[str, int], low_b: tuple[str, int], high_a: tuple[str, int],
          high_b: tuple[str, int]) -> tuple[tuple[str, int], tuple[str, int]] | None:
    """``cmp low_a, low_b; sbcs high_a, high_b`` as one 64-bit compare of the counter with a
    constant: its operands, or None if it is not that."""
    if low_a == ("v", 0) and high_a == ("hi", 0) and low_b[0] == high_b[0] == "c":
        return ("v", 0), ("c", high_b[1] << 32 | low_b[1])
    if low_b == ("v", 0) and high_b == ("hi", 0) and low_a[0] == high_a[0] == "c":
        return ("c", high_a[1] << 32 | low_a[1]), ("v", 0)
    return None


class CounterPolls:
    """One A7's counter-poll detector: sees counter reads, plans skips."""

    def __init__(self, frequency_hz: int) -> None:
        self.frequency_hz = frequency_hz
        # (world, read pc) -> (the loop's head, its words), or None: no loop there.
        self._code: dict[tuple[bool, int], tuple[int, list[int]] | None] = {}
        self.skipped_instructions = 0  # for reports and benchmarks

    def forget(self) -> None:
        """Code may have changed (a reset, a restored snapshot): look at loops again."""
        self._code.clear()

    def observe(self, world: Any, pc: int, index: int, slice_start_ns: int, left: int,
                reg: Any) -> CounterSkip | None:
        """A counter read by the instruction at ``pc``, the ``index``-th of the slice, with
        ``left`` more instructions in the run (which ends at the next timer deadline)."""
        key = (world.secure, pc)
        if key not in self._code:
            self._code[key] = _loop_code(world, pc)
        code = self._code[key]
        loop = analyse(code[1], code[0], pc, reg) if code is not None else None
        if loop is None:
            return None
        from ..engine import poll_loop
        cc = _condition_codes(poll_loop)[loop.condition]
        now_ns = slice_start_ns + index * NS_PER_S // self.frequency_hz
        v0 = now_ns // COUNTER_PERIOD_NS
        a, b = loop.operands
        if loop.wide:
            distance = poll_loop.first_exit(cc, a, b, v0, bits=64)
        else:
            distance = poll_loop.first_exit(cc, a, b, v0 & MASK)
        if distance == 0:
            return None  # this read ends the loop
        most = left // loop.length  # the last read must fall in the run
        if distance is None:
            iterations = most
        else:
            need = -(-((v0 + distance) * COUNTER_PERIOD_NS - slice_start_ns)
                     * self.frequency_hz // NS_PER_S)
            iterations = min(max(1, -(-(need - index) // loop.length)), most)
        if iterations <= 0:
            return None
        skipped = iterations * loop.length
        read_ns = slice_start_ns + (index + skipped) * NS_PER_S // self.frequency_hz
        self.skipped_instructions += skipped
        return CounterSkip(skipped, loop.rt, loop.rt2, read_ns // COUNTER_PERIOD_NS)


def _condition_codes(poll_loop: Any) -> dict[int, int]:
    """ARM condition field -> capstone's condition codes (poll_loop evaluates those)."""
    return {0: poll_loop.ARM_CC_EQ, 1: poll_loop.ARM_CC_NE, 2: poll_loop.ARM_CC_HS,
            3: poll_loop.ARM_CC_LO, 4: poll_loop.ARM_CC_MI, 5: poll_loop.ARM_CC_PL,
            6: poll_loop.ARM_CC_VS, 7: poll_loop.ARM_CC_VC, 8: poll_loop.ARM_CC_HI,
            9: poll_loop.ARM_CC_LS, 10: poll_loop.ARM_CC_GE, 11: poll_loop.ARM_CC_LT,
            12: poll_loop.ARM_CC_GT, 13: poll_loop.ARM_CC_LE}


def _loop_code(world: Any, pc: int) -> tuple[int, list[int]] | None:
    """The loop through the read at ``pc`` (ARM code): from the target of the first
    branch after it, if that is a conditional branch back, to that branch."""
    if world.cpsr() & (1 << 5):
        return None  # Thumb: not analysed
    for offset in range(0, 4 * MAX_LOOP_WORDS, 4):
        code = world.read_code(pc + offset)
        if code is None:
            return None
        word = int.from_bytes(code, "little")
        if word & 0x0E000000 == 0x0A000000 or word & 0x0FFFFFD0 == 0x012FFF10:
            if word & 0x0F000000 != 0x0A000000 or word >> 28 >= 0xE:
                return None  # BL, BX, or an unconditional branch: not a poll loop
            branch = pc + offset
            target = branch + 8 + (((word & 0xFFFFFF) ^ 0x800000) - 0x800000) * 4
            if not branch - 4 * MAX_LOOP_WORDS <= target <= pc:
                return None
            words = []
            for at in range(target, branch + 4, 4):
                code = world.read_code(at)
                if code is None:
                    return None
                words.append(int.from_bytes(code, "little"))
            return target, words
    return None
