"""Exact fast-forward of busy-waits on a time source or a status register.

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
  the first exiting value. A down-counter that reloads (SysTick's SYST_CVR) is walked to 0,
  then from its reload value, whose first value after 0 is checked too; operands may be
  the value read or ``start - value`` (elapsed ticks of a down-counter);
- the counter says when it first holds that value; the read of iteration k happens at an
  exact instruction count, so the first k whose read is at or after that time is known;
- the skipped iterations are charged as retired instructions, so time, budgets and counts
  stay what the unaccelerated run gives, and never beyond the time slice (events and
  interrupts happen between slices, as without the fast-forward).

A counter that never leaves the condition (stopped, or the loop waits forever) is skipped to
the end of the slice.

Firmware also waits on status bits: ``while (!(UART_LSR & DR)) {}``, a DMA channel's RUN
bit, a FIFO count. A peripheral declares such a register as a ``Status``: its value changes
only through accesses, at clock events (which fall between time slices) and at the time
``next_change_ns()`` names (a transfer that completes at the exact time of the first access
after its end). Such a loop qualifies if one iteration is a pure function of the value it
reads (``poll_loop.analyse_status``: any register-only instructions between the load and
the branch back, bit tests included, nothing carried between iterations). Then when two
consecutive iterations read the same value, the first one having gone round proves that
the second will, and so will every later one that reads it: the engine skips the
iterations whose reads fall before the next change (to the end of the slice if there is
none), charging them as before; the replayed read returns the same value.

Machines turn this off with ``Machine(..., fast_forward=False)`` (CLI
``--no-fast-forward``); ``tests/test_busywait_fast_forward.py`` compares both.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from .cut import AccessCut

if TYPE_CHECKING:
    from .poll_loop import PollLoop, StatusLoop

LOOP_BYTES = 64  # how far around the polling load a loop's head and branch may be


@dataclass(frozen=True)
class Status:
    """A status register a busy-wait may poll (see the module's docstring): when its value
    may next change other than by an access or at a clock event, if ever."""

    next_change_ns: Callable[[], int | None] = lambda: None


class Source(Protocol):
    """A counter: its value at a time, and when it has advanced by a number of ticks. An
    up-counter wraps at 2^32; a ``down`` one counts to 0 and then goes on from its
    ``reload`` value (an attribute of the source; without one it stays at 0). ``num`` is 0
    while it is stopped."""

    down: bool
    num: int

    def read(self, now_ns: int) -> int: ...

    def ticks(self, now_ns: int) -> int: ...

    def time_after(self, ticks: int) -> int: ...


@dataclass
class Skip:
    """Instructions to charge after the cut access, and what its replay must read then."""

    instructions: int
    address: int
    value: int  # the counter at the replayed read, as the unaccelerated iteration reads it


class BusyWaits:
    """One core's busy-wait detector: sees time-source reads, plans skips."""

    def __init__(self, frequency_hz: int, decode: Callable[[int, int], list[Any] | None],
                 pc: Callable[[], int], reg_value: Callable[[int], int], cut: AccessCut,
                 code: Callable[[int, int], bytes | None]) -> None:
        self.enabled = True
        self._frequency_hz = frequency_hz
        self._decode = decode  # (head, end) -> instructions, or None
        self._code = code  # (address, size) -> the bytes there, or None
        self._pc = pc
        self._reg_value = reg_value
        self._cut = cut
        self._loops: dict[tuple[int, int], PollLoop | None] = {}
        self._status_loops: dict[tuple[int, int], StatusLoop | None] = {}
        self._lengths: dict[int, int | None] = {}  # load pc -> _thumb_loop_length
        # The last status read: (pc, address, value, slice start, slice index).
        self._last_status: tuple[int, int, int, int, int] | None = None
        self.pending: Skip | None = None
        self.skipped_instructions = 0  # for reports and benchmarks

    def observe(self, address: int, source: "Source | Status", value: int, index: int,
                slice_start_ns: int, budget_left: int) -> None:
        """A read of ``value`` from a time source or status register by the instruction
        with slice index ``index`` (its time is ``slice_start_ns + index / f``), with
        ``budget_left`` instructions after it."""
        if not self.enabled or self.pending is not None or self._cut.pending:
            return
        if isinstance(source, Status):
            self._observe_status(address, source, value, index, slice_start_ns, budget_left)
            return
        pc = self._pc()
        key = (pc, address)
        if key not in self._loops:
            self._loops[key] = self._find_loop(pc, address)
        loop = self._loops[key]
        if loop is None:
            return
        analysis = _analysis()
        operands = analysis.compare_operands(loop, self._reg_value)
        if operands is None:
            return
        now_ns = slice_start_ns + index * 1_000_000_000 // self._frequency_hz
        v0 = source.read(now_ns)
        if not source.num:  # stopped: the value read now is read for ever
            distance = 0 if analysis.first_exit(loop.condition, *operands, v0) == 0 else None
        elif source.down:
            distance = analysis.first_exit_down(loop.condition, *operands, v0,
                                                getattr(source, "reload", 0))
        else:
            distance = analysis.first_exit(loop.condition, *operands, v0)
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

    def _observe_status(self, address: int, status: Status, value: int, index: int,
                        slice_start_ns: int, budget_left: int) -> None:
        pc = self._pc()
        last, self._last_status = self._last_status, (pc, address, value, slice_start_ns,
                                                      index)
        if last is None or last[:4] != (pc, address, value, slice_start_ns):
            return  # not yet seen an iteration with this value go round
        # A cheap look first (most repeats are a print's "THR empty?" between characters),
        # the disassembler only for what may be a loop of exactly this iteration's length.
        if pc not in self._lengths:
            base = pc - LOOP_BYTES
            code = self._code(base, 2 * LOOP_BYTES)
            self._lengths[pc] = _thumb_loop_length(code, base, pc) if code else None
        if self._lengths[pc] != index - last[4]:
            return
        key = (pc, address)
        if key not in self._status_loops:
            self._status_loops[key] = _analysis().find_loop(
                self._decode, pc, address, self._reg_value, _analysis().analyse_status)
        loop = self._status_loops[key]
        if loop is None or loop.length != index - last[4]:
            return
        most = max(0, (budget_left - 1) // loop.length)  # the replayed load must fit too
        change_ns = status.next_change_ns()
        if change_ns is None:
            iterations = most
        else:
            need = -(-(change_ns - slice_start_ns) * self._frequency_hz // 1_000_000_000)
            k = max(1, -(-(need - index) // loop.length))  # first read at or after it
            iterations = min(k - 1, most)
        if iterations <= 0:
            return
        self._last_status = None
        self.pending = Skip(iterations * loop.length, address, value)
        self._cut.request(pc)

    def forget(self) -> None:
        """Drop what the last reads proved (a reset, a restored snapshot)."""
        self._last_status = None
        self.pending = None

    def take(self) -> Skip | None:
        """The planned skip, once its run has stopped after the read."""
        skip, self.pending = self.pending, None
        if skip is not None:
            self.skipped_instructions += skip.instructions
        return skip

    def _find_loop(self, pc: int, address: int) -> "PollLoop | None":
        return _analysis().find_loop(self._decode, pc, address, self._reg_value)


def _thumb_loop_length(code: bytes, base: int, pc: int) -> int | None:
    """Instructions per iteration of the straight loop through ``pc`` if the Thumb ``code``
    (at ``base``, around ``pc``) reaches a conditional branch back to at or before ``pc``:
    found from instruction lengths and the two conditional-branch encodings alone, no
    disassembler. The walk from the branch's target must pass through ``pc``."""
    def halfword(at: int) -> int:
        return int.from_bytes(code[at - base:at - base + 2], "little")

    def length(at: int) -> int:
        return 4 if halfword(at) >> 11 in (0b11101, 0b11110, 0b11111) else 2

    at, end = pc, base + len(code) - 4
    while at <= end:
        hw1, hw2 = halfword(at), halfword(at + 2)
        target = None
        if hw1 >> 12 == 0b1101 and (hw1 >> 8) & 0xF < 0xE:  # B<c> T1
            target = at + 4 + (((hw1 & 0xFF) ^ 0x80) - 0x80) * 2
        elif hw1 >> 11 == 0b11110 and hw2 >> 14 == 0b10 and not hw2 & 0x1000 \
                and (hw1 >> 6) & 0xF < 0xE:  # B<c> T3
            offset = ((hw1 >> 10 & 1) << 20 | (hw2 >> 11 & 1) << 19 | (hw2 >> 13 & 1) << 18
                      | (hw1 & 0x3F) << 12 | (hw2 & 0x7FF) << 1)
            target = at + 4 + (offset ^ 0x100000) - 0x100000
        if target is not None:
            if not base <= target <= pc:
                return None
            count, walk, through = 1, target, False
            while walk < at:
                through = through or walk == pc
                walk += length(walk)
                count += 1
            return count if walk == at and (through or pc == at) else None
        at += length(at)
    return None


def _analysis() -> ModuleType:
    """``poll_loop.py``, imported when a loop is first looked at: it loads capstone, a
    tenth of a bare run's start-up."""
    from . import poll_loop
    return poll_loop
