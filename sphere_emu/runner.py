"""Running a machine until something a user cares about happens.

The CLI's ``run`` and the Python testing API share this: expectations on UART lines, lines
that mean failure, a virtual-time limit, a host-time limit, Ctrl-C and guest lockups. The
outcome maps to the exit codes documented in docs/cli.md.

The host stops a run (Ctrl-C, the wall-clock limit) the same way: a flag, a stop request
to the scheduler and each core's ``stop_soon``, so the engine returns within a moment
whatever the guest does. SIGINT never raises inside Unicorn's callbacks (ctypes would
swallow the exception and print it); outside the engine it raises KeyboardInterrupt, so
a run blocked waiting for a debugger or host input stops too.
"""

import contextlib
import re
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from .cpu.core import CoreState
from .machine import Machine, Stall
from .scheduler import RunResult
from .serial import SerialPort

if TYPE_CHECKING:  # the boot chain's modules are not loaded by a bare run
    from .boot import BootChain


class Outcome(Enum):
    EXPECTED = 0  # every --expect pattern was seen (or, with none, the run ended normally)
    FAILED = 1  # a --fail-on pattern was seen
    TIMEOUT = 3  # the time limit passed before every --expect pattern was seen
    LOCKUP = 4  # every started core halted (lockup or fatal fault)
    REFUSED = 5  # the boot chain refused an image (docs/boot-chain.md)
    DEBUG = 6  # a core stopped for the debugger (only seen through the API)
    WALL_TIMEOUT = 7  # the host-time limit (--wall-timeout) passed first
    INTERRUPTED = 130  # Ctrl-C (SIGINT), as a shell reports a process killed by it

    @property
    def exit_code(self) -> int:
        return self.value


@dataclass
class LineEvent:
    port: str
    time_ns: int
    line: str


@dataclass
class RunReport:
    outcome: Outcome
    time_ns: int
    matched: list[LineEvent] = field(default_factory=list)
    failure: LineEvent | None = None
    halted: dict[str, str] = field(default_factory=dict)  # core -> reason
    refusal: str | None = None  # the boot refusal's one-line message
    idle: bool = False  # the run ended because nothing could run again (not at its limit)


class Debugger(Protocol):
    """A debugger driving the run (the GDB hub): all-stop pauses happen in ``hold``."""

    def poll(self) -> None:
        """Between chunks: take debugger input without blocking."""

    def hold(self) -> bool:
        """Before each chunk: block while the machine is paused; False ends the run."""

    def idle(self) -> None:
        """Nothing can run: wait a little for the debugger instead of ending the run."""


class Runner:
    CHUNK_NS = 10_000_000  # how often to look at halted cores and host input
    INPUT_WAIT_S = 0.01  # wall time an idle machine waits between looks at host input

    def __init__(self, machine: Machine, expect: list[str] = (), fail_on: list[str] = (),
                 poll=None, debugger: "Debugger | None" = None,
                 awaits_input: Callable[[], bool] = lambda: False,
                 wall_timeout_s: float | None = None) -> None:
        self.machine = machine
        self.wall_timeout_s = wall_timeout_s
        self._wall_deadline: float | None = None
        self.host_stop: Outcome | None = None  # WALL_TIMEOUT or INTERRUPTED, once asked
        self.debugger = debugger
        self._awaits_input = awaits_input  # host input may still wake an idle machine
        self.expect = [re.compile(p) for p in expect]
        self.fail_on = [re.compile(p) for p in fail_on]
        self.pending = list(self.expect)
        self.matched: list[LineEvent] = []
        self.failure: LineEvent | None = None
        self.lines: list[LineEvent] = []
        self._poll = poll
        self._reported: set[str] = set()
        self.refusal: str | None = None
        self.on_halt = lambda core, reason: None
        for port in machine.serial.ports.values():
            port.line_listeners.append(self._on_line)

    def _on_line(self, port: SerialPort, time_ns: int, line: str) -> None:
        event = LineEvent(port.name, time_ns, line)
        self.lines.append(event)
        if self.failure is None and any(p.search(line) for p in self.fail_on):
            self.failure = event
            self.machine.scheduler.request_stop()
            return
        for pattern in list(self.pending):
            if pattern.search(line):
                self.pending.remove(pattern)
                self.matched.append(event)
        if self.expect and not self.pending:
            self.machine.scheduler.request_stop()

    def refuse(self, message: str) -> None:
        """The boot chain refused an image: end the run now with Outcome.REFUSED."""
        if self.refusal is None:
            self.refusal = message
        self.machine.scheduler.request_stop()

    def run(self, timeout_ns: int | None) -> RunReport:
        """Run until the outcome is known (see ``Outcome``)."""
        with self._host_stops():
            try:
                return self._run(timeout_ns)
            except (KeyboardInterrupt, _HostStop):  # raised outside the engine: see _signal
                if self.host_stop is None:
                    self.host_stop = Outcome.INTERRUPTED  # SIGINT before our handler was in
                return self._report(self.host_stop, self._check_halted())

    @contextlib.contextmanager
    def _host_stops(self):  # noqa: ANN202 - a context manager
        """While running: SIGINT stops the run, and so does the wall-clock limit (a SIGALRM
        timer; off the main thread, where signals cannot go, a check between slices)."""
        main = threading.current_thread() is threading.main_thread()
        wall = self.wall_timeout_s
        hooks = self.machine.scheduler.slice_hooks
        if wall is not None:
            self._wall_deadline = time.monotonic() + wall
        saved = {}
        if main:
            saved[signal.SIGINT] = signal.signal(signal.SIGINT, self._signal)
            if wall is not None:
                saved[signal.SIGALRM] = signal.signal(signal.SIGALRM, self._signal)
                signal.setitimer(signal.ITIMER_REAL, wall)
        elif wall is not None:
            hooks.append(self._check_wall)
        try:
            yield
        finally:
            if signal.SIGALRM in saved:
                signal.setitimer(signal.ITIMER_REAL, 0)
            for signum, handler in saved.items():
                signal.signal(signum, handler)
            if self._check_wall in hooks:
                hooks.remove(self._check_wall)

    def _check_wall(self) -> None:
        if self._wall_deadline is not None and time.monotonic() >= self._wall_deadline:
            self._stop_for(Outcome.WALL_TIMEOUT)

    def _signal(self, signum: int, frame) -> None:  # noqa: ANN001 - a frame
        self._stop_for(Outcome.INTERRUPTED if signum == signal.SIGINT else Outcome.WALL_TIMEOUT)
        if not _inside_engine(frame):
            raise _HostStop  # wakes a wait for the debugger or for host input

    def _stop_for(self, outcome: Outcome) -> None:
        if self.host_stop is None:
            self.host_stop = outcome
        self.machine.scheduler.request_stop()
        for core in self.machine.cores.values():
            core.stop_soon()

    def _run(self, timeout_ns: int | None) -> RunReport:
        m = self.machine
        deadline = None if timeout_ns is None else m.clock.now_ns + timeout_ns
        debugger = self.debugger
        while True:
            self._check_wall()
            if self.host_stop is not None:
                return self._report(self.host_stop, self._check_halted())
            if debugger is not None and not debugger.hold():
                return self._report(Outcome.DEBUG, self._check_halted())
            chunk_end = m.clock.now_ns + self.CHUNK_NS
            if deadline is not None:
                chunk_end = min(chunk_end, deadline)
            result = m.run_until(chunk_end)
            if self._poll:
                self._poll()
            if debugger is not None:
                debugger.poll()
            halted = self._check_halted()
            if self.host_stop is not None:
                return self._report(self.host_stop, halted)
            if self.refusal is not None:
                return self._report(Outcome.REFUSED, halted)
            if self.failure:
                return self._report(Outcome.FAILED, halted)
            if self.expect and not self.pending:
                return self._report(Outcome.EXPECTED, halted)
            if result is RunResult.DEBUG:
                if debugger is not None:
                    continue  # hold() reports the stop and waits for the debugger
                return self._report(Outcome.DEBUG, halted)
            stall = m.stalled()
            locked_up = stall is Stall.LOCKUP
            if debugger is not None and (deadline is None or m.clock.now_ns < deadline) and (
                    stall is not None):
                debugger.idle()  # a debugger may still reset a core or look at the wreck
                continue
            if locked_up:
                return self._report(Outcome.LOCKUP, halted)
            if stall is Stall.IDLE and self._awaits_input():
                time.sleep(self.INPUT_WAIT_S)  # the machine sleeps until the host types
                continue
            if stall is Stall.IDLE or (deadline is not None and m.clock.now_ns >= deadline):
                report = self._report(Outcome.TIMEOUT if self.pending else Outcome.EXPECTED,
                                      halted)
                report.idle = stall is Stall.IDLE
                return report

    def _check_halted(self) -> dict[str, str]:
        halted = {}
        for core in self.machine.cores.values():
            if core.state is CoreState.HALTED:
                halted[core.name] = core.halt_reason or "halted"
                if core.name not in self._reported:
                    self._reported.add(core.name)
                    self.on_halt(core, halted[core.name])
        return halted

    def _report(self, outcome: Outcome, halted: dict[str, str]) -> RunReport:
        for port in self.machine.serial.ports.values():
            port.flush_line()
        return RunReport(outcome, self.machine.clock.now_ns, list(self.matched), self.failure,
                         halted, self.refusal)


class _HostStop(BaseException):  # like KeyboardInterrupt: no "except Exception" eats it
    """Raised by the signal handler outside the engine, caught by ``Runner.run``."""


def _inside_engine(frame) -> bool:  # noqa: ANN001 - a frame
    """Whether Python code is running inside Unicorn's ``emu_start`` (in a hook)."""
    while frame is not None:
        if frame.f_code.co_name == "emu_start" and "unicorn" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


def run_boot(chain: "BootChain", timeout_ns: int, expect: Sequence[str] = ()) -> RunReport:
    """Power on and run until ``expect`` is met, the boot is refused or time runs out."""
    runner = Runner(chain.machine, list(expect), poll=chain.poll)
    chain.on_refusal = lambda refusal: runner.refuse(str(refusal))
    refusal = chain.power_on()
    if refusal is not None:
        return RunReport(Outcome.REFUSED, chain.machine.clock.now_ns, refusal=str(refusal))
    return runner.run(timeout_ns)
