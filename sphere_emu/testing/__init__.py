"""Driving an emulated device from Python tests, waiting in virtual time.

::

    from sphere_emu.testing import EmulatedDevice

    def test_hello():
        dev = EmulatedDevice("boards/mt3620-rdb.yaml", io0="firmware/prebuilt/hello-rt.elf")
        hello = dev.wait_for_line(r"Hello", timeout="100ms")
        tick = dev.wait_for_line(r"Tick 1", timeout="2s")
        assert 0.9e9 < tick.time_ns - hello.time_ns < 1.1e9

Every wait is measured in the device's virtual time, so a test gives the same result on a
loaded CI runner as on a quiet laptop. ``EmulatedDevice.boot(board, *packages)`` boots
the board's signed OS chain with application packages sideloaded instead, as
``sphere-emu run BOARD APP.imagepackage`` does. The pytest plugin
(``sphere_emu.testing.plugin``) adds a ``sphere_device`` fixture that builds devices the
same way.
"""

import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..assembly import assemble
from ..board import load_board
from ..boot import BootChain
from ..cpu.core import CoreState
from ..device import Device
from ..devices import Device as BoardDevice
from ..devices.drive import parse_drive
from ..files import read_file
from ..machine import Machine
from ..pins import Pin
from ..runner import LineEvent
from ..serial import SerialPort
from ..units import parse_duration_ns


class WaitTimeout(AssertionError):
    """A wait ran out of virtual time; the message shows what the device printed instead."""


class WallTimeout(WaitTimeout):
    """A wait ran out of host time (the device's ``wall_timeout``)."""


class EmulatedDevice:
    """One emulated machine with firmware loaded, plus the lines its UARTs have printed."""

    def __init__(self, board: str | Path, *, fast_forward: bool = True, fast: bool = False,
                 wall_timeout: str | int | None = None, **firmware: str | Path) -> None:
        self._attach(assemble(load_board(board), fast_forward=fast_forward,
                              fast=fast).machine,
                     wall_timeout=wall_timeout)
        for core, path in firmware.items():
            self.machine.load_elf(core, path)

    @classmethod
    def boot(cls, board: str | Path, *packages: str | Path,
             device: str | Path | None = None,
             wall_timeout: str | int | None = None) -> "EmulatedDevice":
        """Power on the board's verified boot chain with ``packages`` sideloaded into the
        flash of ``device`` (a device directory; default: a fresh development device).

        A refusal at any stage stops the device: ``refusal`` holds the one-line reason and
        every later wait fails with it.
        """
        spec = load_board(board)
        owner = Device.open(device) if device is not None else Device.temporary()
        slots = [(owner.install(read_file(path, "image package"), verify=False), str(path))
                 for path in packages]
        booted = assemble(spec, owner, slots)
        dev = cls.__new__(cls)
        dev._attach(booted.machine, booted.chain, owner, wall_timeout)
        dev.chain.power_on()
        return dev

    def _attach(self, machine: Machine, chain: BootChain | None = None,
                device: Device | None = None, wall_timeout: str | int | None = None) -> None:
        self.machine = machine
        # Host time each wait may take (None: no limit): a guest that runs away, or runs
        # slower than expected, fails the test instead of hanging the CI job.
        self.wall_timeout_ns = None if wall_timeout is None else _ns(wall_timeout)
        self._wall_end: float | None = None
        machine.scheduler.slice_hooks.append(self._check_wall)
        self.chain = chain
        self.device_dir = device  # the device directory model a booted machine runs from
        self.refusal: str | None = None
        self.lines: list[LineEvent] = []
        self._seen = 0  # lines before this index were consumed by earlier waits
        for port in machine.serial.ports.values():
            port.line_listeners.append(self._on_line)
        for board_device in machine.devices.values():
            board_device.record_history()
        if chain is not None:
            chain.on_refusal = self._on_refusal

    def _on_refusal(self, refusal: object) -> None:
        self.refusal = str(refusal)

    def _run_until(self, deadline_ns: int) -> None:
        if self.wall_timeout_ns is not None and self._wall_end is None:
            self._wall_end = time.monotonic() + self.wall_timeout_ns / 1e9
        self.machine.run_until(deadline_ns)
        if self.chain is not None:
            self.chain.poll()  # a reboot the Security Monitor asked for
        if self._wall_end is not None and time.monotonic() >= self._wall_end:
            self._wall_end = None
            raise WallTimeout(f"wall-clock limit of {self.wall_timeout_ns / 1e9:g} s passed "
                              f"at {self.now_ns} ns of virtual time")

    def _check_wall(self) -> None:
        """Between time slices: past the wall-clock limit, end the run at once."""
        if self._wall_end is not None and time.monotonic() >= self._wall_end:
            self.machine.scheduler.request_stop()
            for core in self.machine.cores.values():
                core.stop_soon()

    def _on_line(self, port: SerialPort, time_ns: int, line: str) -> None:
        self.lines.append(LineEvent(port.name, time_ns, line))

    @property
    def now_ns(self) -> int:
        return self.machine.clock.now_ns

    def run_for(self, duration: str | int) -> None:
        """Let the device run for a span of virtual time (``"10ms"`` or nanoseconds)."""
        self._wall_end = None  # each wait has its own wall-clock limit
        deadline = self.now_ns + _ns(duration)
        while self.now_ns < deadline and self.refusal is None:
            self._run_until(deadline)

    def wait_for_line(self, pattern: str, timeout: str | int = "1s", port: str | None = None
                      ) -> LineEvent:
        """Run until a line not yet consumed matches ``pattern`` (``re.search``), and return it.

        Lines matched or skipped by a wait are consumed: the next wait looks only at later
        lines, as Renode's ``Wait For Line On Uart`` does.
        """
        regex = re.compile(pattern)
        self._wall_end = None
        deadline = self.now_ns + _ns(timeout)
        while True:
            for i in range(self._seen, len(self.lines)):
                event = self.lines[i]
                if (port is None or event.port == port) and regex.search(event.line):
                    self._seen = i + 1
                    return event
            self._seen = len(self.lines)
            if self.now_ns >= deadline or self._nothing_can_run() or self.refusal:
                raise WaitTimeout(self._timeout_message(pattern, port))
            self._run_until(min(deadline, self.now_ns + 1_000_000))

    def assert_no_line(self, pattern: str, during: str | int, port: str | None = None) -> None:
        """Run for ``during`` and fail if any new line matches ``pattern``."""
        start = len(self.lines)
        self.run_for(during)
        regex = re.compile(pattern)
        for event in self.lines[start:]:
            if (port is None or event.port == port) and regex.search(event.line):
                raise AssertionError(f"unexpected line on {event.port} at {event.time_ns} ns: "
                                     f"{event.line!r}")

    def send(self, port: str, data: bytes) -> None:
        """Bytes from the host into a UART's receiver."""
        self.machine.serial.ports[port].inject(data)

    def app_stop(self) -> None:
        """Ask the OS to stop its high-level app now, as ``--app stop@TIME`` does."""
        self._app_request("stop")

    def app_start(self) -> None:
        """Ask the OS to start its ended high-level app again, as ``--app start@TIME``."""
        self._app_request("start")

    def _app_request(self, action: str) -> None:
        console = self.machine.board.boot.console
        if self.chain is None or console is None:
            raise RuntimeError(f"app {action}: this device runs no OS (boot it with "
                               "EmulatedDevice.boot)")
        self.send(console, f"app {action}\n".encode())

    def output(self, port: str) -> bytes:
        """Everything the guest has sent on a UART so far."""
        return bytes(self.machine.serial.ports[port].output)

    # -- pins and board devices ----------------------------------------------------------
    def pin(self, name: str) -> Pin:
        """A pin by name (``GPIO8`` or a board alias): ``.level``, ``.driver``."""
        return self.machine.pins.get(name)

    def device(self, name: str) -> BoardDevice:
        """A board device: ``.state``, ``.history`` [(time_ns, state)], and what its type
        offers (an LED's ``.on``, a button's ``.press()``/``.release()``)."""
        if name not in self.machine.devices:
            raise KeyError(f"no device {name!r} on this board (have: "
                           f"{', '.join(sorted(self.machine.devices)) or 'none'})")
        return self.machine.devices[name]

    def press(self, name: str) -> None:
        self.device(name).press()  # type: ignore[attr-defined]

    def release(self, name: str) -> None:
        self.device(name).release()  # type: ignore[attr-defined]

    def drive(self, spec: str) -> None:
        """Schedule a change as ``--drive`` does: ``"button-a=pressed@1.5s"``."""
        request = parse_drive(spec, self.machine.devices, self.machine.pins)
        self.machine.clock.schedule_at(request.time_ns, request.action)

    def wait_for_pin(self, name: str, level: int, timeout: str | int = "1s") -> int:
        """Run until pin ``name`` is at ``level``; return the virtual time it got there."""
        pin = self.pin(name)
        return self._wait_until(lambda t: pin.level_at(t) == level, pin.watch, timeout,
                                f"pin {pin.name} at level {level}")

    def wait_for_device(self, name: str, state: Any, timeout: str | int = "1s") -> int:
        """Run until device ``name`` is in ``state`` (a value such as True, the word its
        trace prints such as ``"on"``, or a predicate); return the virtual time."""
        device = self.device(name)

        def matches(time_ns: int) -> bool:
            now = device.state_at(time_ns)
            if callable(state):
                return bool(state(now))
            return now == state or device.describe(now) == state
        return self._wait_until(matches, device.watch, timeout, f"{name} {state!r}")

    def _wait_until(self, condition: Callable[[int], bool],
                    subscribe: Callable[[Callable], Callable[[], None]], timeout: str | int,
                    what: str) -> int:
        if condition(self.now_ns):
            return self.now_ns
        hit: list[int] = []
        scheduler = self.machine.scheduler

        def changed(_source: object, time_ns: int, _value: object) -> None:
            if not hit and condition(time_ns):
                hit.append(time_ns)
                scheduler.request_stop()
        unwatch = subscribe(changed)
        try:
            deadline = self.now_ns + _ns(timeout)
            while not hit:
                if self.now_ns >= deadline or self._nothing_can_run() or self.refusal:
                    raise WaitTimeout(f"no {what} by {self.now_ns} ns of virtual time")
                self._run_until(deadline)
        finally:
            unwatch()
        return hit[0]

    def halted(self) -> dict[str, str]:
        return {c.name: c.halt_reason or "halted" for c in self.machine.cores.values()
                if c.state is CoreState.HALTED}

    def _nothing_can_run(self) -> bool:
        return self.machine.stalled() is not None

    def _timeout_message(self, pattern: str, port: str | None) -> str:
        where = f" on {port}" if port else ""
        tail = "\n".join(f"  [{e.time_ns} ns] {e.port}: {e.line}" for e in self.lines[-10:])
        halted = "".join(f"\n  {name}: halted: {why}" for name, why in self.halted().items())
        refused = f"\n  {self.refusal}" if self.refusal else ""
        return (f"no line matching {pattern!r}{where} by {self.now_ns} ns of virtual time; "
                f"last lines:\n{tail or '  (none)'}{halted}{refused}")


def _ns(value: str | int) -> int:
    return value if isinstance(value, int) else parse_duration_ns(value)


__all__: Iterable[str] = ("EmulatedDevice", "WaitTimeout", "WallTimeout")
