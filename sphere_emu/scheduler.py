"""Runs the cores in lock-step time slices on the virtual clock.

Every slice covers the same span of virtual time for all running cores; each core gets as
many instructions as its frequency allows in that span. A slice ends at the next clock event
or after ``quantum_ns``, whichever is first, so an event (a timer expiring, a byte arriving)
is seen at its exact virtual time. Sleeping cores take no slices; when every core sleeps the
clock jumps straight to the next event. Nothing here reads the wall clock.
"""

from collections.abc import Callable, Sequence
from enum import Enum

from .clock import Clock
from .cpu.core import Core


class RunResult(Enum):
    DEADLINE = "deadline"  # virtual time reached the limit
    STOPPED = "stopped"  # a stop was requested (an expectation met, a failure seen, ...)
    DEBUG = "debug"  # a core stopped for the debugger
    IDLE = "idle"  # nothing can run again without host input: cores asleep, no events


class Scheduler:
    DEFAULT_QUANTUM_NS = 500_000  # 0.5 ms: ~100k IO-core instructions at 197.6 MHz

    def __init__(self, clock: Clock, cores: Sequence[Core], quantum_ns: int = DEFAULT_QUANTUM_NS):
        self.clock = clock
        self.cores = list(cores)
        self.quantum_ns = quantum_ns
        self.stop_requested = False
        self.slice_hooks: list[Callable[[], None]] = []  # called between slices

    def request_stop(self) -> None:
        self.stop_requested = True

    def run_until(self, deadline_ns: int) -> RunResult:
        clock = self.clock
        self.stop_requested = False
        while True:
            if self.stop_requested:
                return RunResult.STOPPED
            if any(core.debug_stop for core in self.cores):
                return RunResult.DEBUG
            if clock.now_ns >= deadline_ns:
                return RunResult.DEADLINE
            next_event = clock.next_event_ns()
            running = [core for core in self.cores if core.runnable]
            if not running:
                # Every core sleeps: time jumps to the next event (or the deadline).
                clock.advance_to(deadline_ns if next_event is None
                                 else min(next_event, deadline_ns))
                self._after_slice()
                if next_event is None:
                    return RunResult.IDLE
                continue
            end = min(clock.now_ns + self.quantum_ns, deadline_ns)
            if next_event is not None:
                end = min(end, max(next_event, clock.now_ns + 1))
            span = end - clock.now_ns
            # A core that stops for the debugger mid-slice does not cut the slice short for
            # the others: every core finishes the same span, so lock-step timing is kept.
            for core in running:
                core.run(max(1, span * core.frequency_hz // 1_000_000_000))
            self._wake_within(end)
            clock.advance_to(end)
            self._after_slice()

    def _wake_within(self, end: int) -> None:
        """Fire the events that fall inside the slice just run, in order; a core asleep
        at one that it wakes runs on from that event's time to the slice end, so a WFI
        ends when the interrupt comes (a transfer's completion scheduled mid-slice), not
        at the slice boundary. Cores that ran the whole slice are not run again."""
        clock = self.clock
        asleep = [core for core in self.cores if not core.runnable]
        while asleep:
            due = clock.next_event_ns()
            if due is None or due >= end:
                return
            clock.advance_to(due)
            for core in [c for c in asleep if c.runnable]:
                asleep.remove(core)
                core.run(max(1, (end - due) * core.frequency_hz // 1_000_000_000))
                if not core.runnable:
                    asleep.append(core)  # asleep again before the slice end

    def _after_slice(self) -> None:
        for hook in self.slice_hooks:
            hook()
