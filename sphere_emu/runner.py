"""Running a machine until something a user cares about happens.

The CLI's ``run`` and the Python testing API share this: expectations on UART lines, lines
that mean failure, a virtual-time limit, and guest lockups. The outcome maps to the exit
codes documented in docs/cli.md.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from .cpu.core import CoreState
from .machine import Machine
from .scheduler import RunResult
from .serial import SerialPort


class Outcome(Enum):
    EXPECTED = 0  # every --expect pattern was seen (or, with none, the run ended normally)
    FAILED = 1  # a --fail-on pattern was seen
    TIMEOUT = 3  # the time limit passed before every --expect pattern was seen
    LOCKUP = 4  # every started core halted (lockup or fatal fault)
    REFUSED = 5  # the boot chain refused an image (docs/boot-chain.md)
    DEBUG = 6  # a core stopped for the debugger (only seen through the API)

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
                 awaits_input: Callable[[], bool] = lambda: False) -> None:
        self.machine = machine
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
        m = self.machine
        deadline = None if timeout_ns is None else m.clock.now_ns + timeout_ns
        debugger = self.debugger
        while True:
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
            started = [c for c in m.cores.values() if c.state is not CoreState.HELD]
            locked_up = bool(started) and all(c.state is CoreState.HALTED for c in started)
            if debugger is not None and (deadline is None or m.clock.now_ns < deadline) and (
                    result is RunResult.IDLE or locked_up):
                debugger.idle()  # a debugger may still reset a core or look at the wreck
                continue
            if locked_up:
                return self._report(Outcome.LOCKUP, halted)
            if result is RunResult.IDLE and self._awaits_input():
                time.sleep(self.INPUT_WAIT_S)  # the machine sleeps until the host types
                continue
            if result is RunResult.IDLE or (deadline is not None and m.clock.now_ns >= deadline):
                return self._report(Outcome.TIMEOUT if self.pending else Outcome.EXPECTED, halted)

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
