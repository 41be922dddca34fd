"""The base of every off-chip device: name, pins, state over virtual time, drive syntax.

A device type declares what board files may give it (``PINS``: the pin roles it connects,
``OPTIONS``: other keys with their parsers) and is registered by ``TYPE`` in
``sphere_emu.devices.DEVICE_TYPES``. Its state is one value (``state``) that changes at
virtual times; ``describe`` turns it into the word users see (``on``, ``pressed``).

Watching is opt-in, like pins: a device only follows its pins' edges while someone watches
it (a trace, the VCD, a test recording history), so an unwatched LED on a kHz PWM pin costs
nothing. Reading ``state`` always computes the current value.

A device that can be driven from outside (``--drive``, the testing API) implements
``parse_drive(attr, text)``: it checks the text now, so a bad value is reported before the
run starts, and returns the action to perform at the drive's time.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..pins import Pin, Pins
from ..snapshot import apply, capture

StateListener = Callable[["Device", int, Any], None]  # (device, virtual ns, new state)


class DriveError(ValueError):
    """A drive value a device cannot take; the message is one line for the user."""


@dataclass(frozen=True)
class DeviceSpec:
    name: str
    type: str
    pins: dict[str, str] = field(default_factory=dict)  # role -> pin name as written
    options: dict[str, Any] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)  # options as the board wrote them


@dataclass
class DeviceContext:
    """What the machine hands a device when it builds it."""

    pins: Pins
    clock: Any  # sphere_emu.clock.Clock


class Device:
    TYPE: ClassVar[str] = ""
    PINS: ClassVar[tuple[str, ...]] = ()  # pin roles; every one must be connected
    OPTIONS: ClassVar[dict[str, Callable[[Any], Any]]] = {}
    DRIVE_HELP: ClassVar[str] = ""  # the values parse_drive accepts, for error messages
    STATE: ClassVar[tuple[str, ...]] = ()  # attributes that hold machine state (snapshots)

    def __init__(self, spec: DeviceSpec, ctx: DeviceContext) -> None:
        self.name = spec.name
        self.spec = spec
        self.ctx = ctx
        self.pins: dict[str, Pin] = {role: ctx.pins.get(p) for role, p in spec.pins.items()}
        self.options = dict(spec.options)
        self.history: list[tuple[int, Any]] = []
        self._listeners: list[StateListener] = []
        self._last: Any = None
        self._recording = False

    # -- state -----------------------------------------------------------------------
    @property
    def state(self) -> Any:
        raise NotImplementedError

    def describe(self, state: Any) -> str:
        return str(state)

    def connect(self) -> None:
        """Called once the whole board is built: devices that drive pins start here."""

    def snapshot(self) -> dict[str, Any]:
        return capture(self, self.STATE)

    def restore(self, state: dict[str, Any]) -> None:
        apply(self, state, self.ctx.clock)

    # -- watching --------------------------------------------------------------------
    def watch(self, listener: StateListener) -> Callable[[], None]:
        """Call ``listener`` on every change of state from now on; returns an unwatch."""
        if not self._listeners:
            self._last = self.state
            for pin in self.pins.values():  # who drives matters too (an LED needs a driver)
                pin.watch(self._pin_changed)
                pin.listen_drives(self._drive_changed)
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def record_history(self) -> None:
        """Keep ``history`` as (time_ns, state) pairs, starting with the state now."""
        if not self._recording:
            self._recording = True
            self.history.append((self.ctx.clock.now_ns, self.state))
            self.watch(lambda device, time_ns, state: self.history.append((time_ns, state)))

    def _pin_changed(self, pin: Pin, time_ns: int, level: int) -> None:
        self.state_may_have_changed(time_ns)

    def _drive_changed(self, pin: Pin, time_ns: int) -> None:
        self.state_may_have_changed(time_ns)

    def state_may_have_changed(self, time_ns: int) -> None:
        if not self._listeners:
            return
        state = self.state_at(time_ns)
        if state != self._last:
            self._last = state
            for listener in list(self._listeners):
                listener(self, time_ns, state)

    def state_at(self, time_ns: int) -> Any:
        return self.state

    # -- driving from outside --------------------------------------------------------
    def parse_drive(self, attr: str | None, text: str) -> Callable[[], None]:
        raise DriveError(f"device {self.name!r} ({self.TYPE}) cannot be driven")
