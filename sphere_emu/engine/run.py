"""The one counted-run loop on Unicorn, shared by every CPU model.

The scheduler grants a core a number of instructions per time slice. ``Engine.run_slice``
spends them in counted Unicorn runs (``emu_start(count=...)``): before each run the CPU
model takes what is pending and says how far the run may go; after it, the model handles
whatever ended it (an SVC, an abort, a cut MMIO access, WFI) and charges the instructions
that retired. A run that stops early carries on in the same slice with exactly the
instructions left, because the engine reads how many the stopped run began
(``counter.py``).

The engine also keeps the core's exact time: the slice's start plus the instructions
charged so far plus those the current run has begun. Every block private to the core, the
SysTick, the A7's generic timer (through the host-clock redirection) and the core's UART
line stamps read this time.

What a CPU model supplies (``CpuModel``):

- ``next_run(left)``: take pending exceptions; the count for the next run (0: end the slice);
- ``run_once(count)``: one counted run through ``execute``, its stop handled, charged
  through ``charge``; False ends the slice early.
"""

from collections.abc import Callable
from typing import Protocol

from unicorn import Uc

from ..clock import Clock
from .busywait import BusyWaits, Source, Status
from .counter import RetiredCounter
from .cut import AccessCut
from .host_clock import HostClockRedirect, host_clock_redirect
from .native import NativeCounter

NS_PER_S = 1_000_000_000


def end_runs_by_count(uc: Uc) -> None:
    """Make ``uc``'s runs end by count only, never at an address.

    With an ``until`` address, every ``emu_start`` first drops any translation at that
    address, which costs a TLB fill there (through the core's Python fill hook: about a
    third of a short run's cost). With exits enabled and none set, nothing is dropped and
    ``until`` is ignored.
    """
    uc.ctl_exits_enabled(True)
    uc.ctl_set_exits([])


class CpuModel(Protocol):
    @property
    def runnable(self) -> bool: ...

    def next_run(self, left: int) -> int: ...

    def run_once(self, count: int) -> bool: ...


class Charged(Protocol):
    instructions_retired: int


class Engine:
    """Counted runs, exact core time and the access cut of one core."""

    def __init__(self, owner: Charged, frequency_hz: int, clock: Clock, *,
                 redirect_host_clock: bool = False) -> None:
        self.owner = owner
        self.frequency_hz = frequency_hz
        self.clock = clock
        self.in_slice = False
        self.slice_start_ns = 0
        self.used = 0  # instructions charged in the current slice
        self.emulating = False  # inside emu_start
        self.stop_requested = False  # the host ends the run (Ctrl-C, wall clock): end the slice
        self._uc: Uc | None = None
        self._counter: RetiredCounter | NativeCounter | None = None
        self.cut = AccessCut(self._stop)
        self.budget = 0  # of the current slice
        self.busywaits: BusyWaits | None = None  # set by models that can fast-forward
        self._redirect_host_clock = redirect_host_clock
        self._host_clock: HostClockRedirect | None = None
        # Block counting (``--fast``) runs the block that crosses a slice's end whole: the
        # instructions past the end are charged, and the next slice starts that far in, so
        # the core's time stays the count of the instructions it ran (``carried``).
        self.carries_overshoot = False
        self.carried = 0
        # What the redirected host clock answers during runs (the A7 watches its counter
        # reads there); the core's exact time if not set.
        self.host_clock_source: Callable[[], int] | None = None

    # -- time ----------------------------------------------------------------------------
    def now_ns(self, ahead: int = 0) -> int:
        """Virtual time at the instruction executing now (the clock's time outside slices);
        ``ahead``: instructions about to begin that the count has not reached yet (a block
        hook's view of the block's first instruction)."""
        if not self.in_slice:
            return self.clock.now_ns
        used = self.used
        if self.emulating and self._counter is not None:
            used += self._counter.started() + ahead
        return self.slice_start_ns + used * NS_PER_S // self.frequency_hz

    def instructions_until(self, when_ns: int) -> int:
        """Instructions from now until virtual time ``when_ns`` (rounded up)."""
        return -(-(when_ns - self.now_ns()) * self.frequency_hz // NS_PER_S)

    # -- slices --------------------------------------------------------------------------
    def run_slice(self, budget: int, model: CpuModel) -> int:
        """Spend up to ``budget`` instructions; returns how many were charged."""
        self.begin_slice()
        self.budget = budget
        try:
            while self.used < budget and model.runnable and not self.stop_requested:
                count = model.next_run(budget - self.used)
                if count <= 0 or not model.run_once(count):
                    break
        finally:
            self.in_slice = False
        if self.carries_overshoot:
            if isinstance(self._counter, NativeCounter):
                self.charge(self._counter.take_overshoot())
            self.carried = max(0, self.used - budget)
        return self.used

    def request_stop(self) -> None:
        """The host is stopping the run: end the current slice now (the run in progress
        stops at once). Safe from a signal handler, even inside one of the core's hooks."""
        self.stop_requested = True
        self._stop()

    def begin_slice(self) -> None:
        self.stop_requested = False
        self.slice_start_ns = self.clock.now_ns
        self.used = self.carried  # charged in the slice before (``carries_overshoot``)
        self.budget = 0
        self.in_slice = True

    def end_slice(self) -> None:
        self.in_slice = False

    def charge(self, instructions: int) -> None:
        self.used += instructions
        self.owner.instructions_retired += instructions

    # -- one run -------------------------------------------------------------------------
    def execute(self, uc: Uc, counter: RetiredCounter | NativeCounter, begin: int,
                count: int) -> tuple[int | None, int | None]:
        """One counted run from ``begin``: (instructions begun, Unicorn error or None).

        A run that used its whole count reports ``count + 1`` begun (Unicorn counts the
        instruction that hit the limit). Without a readable counter the first figure is
        None and the model charges coarsely, which is just as deterministic.
        """
        self._uc, self._counter = uc, counter if counter.available else None
        redirect = saved = None
        if self._redirect_host_clock:
            if self._host_clock is None:  # found on the first run, not at machine build
                self._host_clock = host_clock_redirect()
            redirect = self._host_clock
            if redirect is not None:
                saved = redirect.serve(self.host_clock_source or self.now_ns)
        self.emulating = True
        try:
            return counter.run(uc, begin, count, self.cut.pc)
        finally:
            self.emulating = False
            if redirect is not None:
                redirect.restore(saved)

    def time_source_read(self, address: int, source: "Source | Status", value: int) -> None:
        """The bus saw ``value`` read from a time source or status register (one a
        busy-wait may poll)."""
        busywaits = self.busywaits
        if busywaits is None or not self.in_slice or not self.emulating or \
                self._counter is None:
            return
        index = self.used + self._counter.started()
        busywaits.observe(address, source, value, index, self.slice_start_ns,
                          self.budget - index)

    def _stop(self) -> None:
        if self._uc is not None and self.emulating:
            self._uc.emu_stop()
