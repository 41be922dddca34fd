"""The chip's pins: one namespace per machine, each pin's level over virtual time.

A pin's level is resolved from what drives it, strongest first: the core's output driver
(a GPIO output or a PWM waveform), then off-chip devices that drive it (a pressed button, a
wire from another pin), then pulls (a board resistor, the pad's pull-up/down), else it
floats and reads 0. Every contributor is named, so ``driver`` says who decides the level.

Levels are derived, never stepped. A PWM waveform is stored as its parameters and the level
at any instant is computed on demand; an edge becomes a clock event only while some observer
watches the pin, so a kHz PWM pin nobody watches costs nothing per edge. Observers get
``(pin, time_ns, level)`` once per real change; timestamps never go backwards (a change made
by a core inside its time slice is stamped with that core's exact instruction time).
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol

from .clock import Clock, Event
from .errors import SphereEmuError
from .snapshot import from_plain, to_plain

NS_PER_S = 1_000_000_000
PIN_COUNT = 96  # GPIO0..GPIO95, the MT3620's pad numbering

Observer = Callable[["Pin", int, int], None]  # (pin, virtual ns, new level)


class Strength(IntEnum):
    PULL = 1  # a pad pull-up/down or a board resistor
    DEVICE = 2  # an off-chip part driving the pin (button, wire, --drive)
    CORE = 3  # the chip's own GPIO output driver
    FUNCTION = 4  # an alternate function running on the pad (PWM): the pad mux gives it the pin


@dataclass(frozen=True)
class Waveform:
    """A periodic output from ``start_ns`` in ticks of a ``clock_hz`` clock: ``high_ticks``
    high and ``low_ticks`` low, the high part first unless ``first_high`` is False. Tick
    boundaries fall on whole ns (rounded up), so edges are exact to the nanosecond."""

    start_ns: int
    clock_hz: int
    high_ticks: int
    low_ticks: int
    first_high: bool = True

    @property
    def period_ticks(self) -> int:
        return self.high_ticks + self.low_ticks

    @property
    def _first(self) -> tuple[int, int]:
        """(ticks, level) of the first part of each period."""
        return (self.high_ticks, 1) if self.first_high else (self.low_ticks, 0)

    def _tick_at(self, now_ns: int) -> int:
        return (now_ns - self.start_ns) * self.clock_hz // NS_PER_S

    def _time_of_tick(self, tick: int) -> int:
        return self.start_ns + -(-tick * NS_PER_S // self.clock_hz)

    def level_at(self, now_ns: int) -> int:
        if self.high_ticks == 0 or self.low_ticks == 0:
            return 1 if self.high_ticks else 0  # a constant level
        first, level = self._first
        return level if self._tick_at(now_ns) % self.period_ticks < first else 1 - level

    def next_edge_after(self, now_ns: int) -> int | None:
        if self.high_ticks == 0 or self.low_ticks == 0:
            return None
        tick = self._tick_at(now_ns)
        base = tick - tick % self.period_ticks
        first = self._first[0]
        return self._time_of_tick(base + (first if tick - base < first else self.period_ticks))


class PadLatch(Protocol):
    """A block that may keep a pad's output latch outside Python (a GPIO block whose latch
    C serves, ``peripherals/gpio.py``): the pad asks it for the latest before being read."""

    def settle(self) -> None:
        """Drive the pads with what was stored since the last call."""

    def release(self) -> None:
        """Settle, and serve every later store in Python (someone now watches a pad)."""


@dataclass(frozen=True)
class Drive:
    strength: Strength
    level: int | Waveform


class Pin:
    def __init__(self, pins: "Pins", number: int) -> None:
        self.pins = pins
        self.number = number
        self.name = f"GPIO{number}"
        self._drives: dict[str, Drive] = {}  # contributor name -> what it drives
        self._winner: tuple[str, Drive] | None = None
        self._level = 0  # the resolved static level (a waveform is evaluated on demand)
        self._observers: list[Observer] = []
        self._edge: Event | None = None  # next waveform edge, only while observed
        # Called on every change of any contribution (a wire passes drives on, not levels);
        # added through ``listen_drives``:
        self.drive_listeners: list[Callable[[Pin, int], None]] = []
        # The block holding this pad's output latch outside Python, if any: settled before
        # anything reads or drives the pad, released when anything starts to watch it.
        self.latch: PadLatch | None = None

    # -- reading ---------------------------------------------------------------------
    def _settle_latch(self) -> None:
        """Bring the pad up to date with a latch kept outside Python before it is used."""
        if self.latch is not None:
            self.latch.settle()

    @property
    def level(self) -> int:
        return self.level_at(self.pins.clock.now_ns)

    def level_at(self, now_ns: int) -> int:
        self._settle_latch()
        if self._winner is not None and isinstance(self._winner[1].level, Waveform):
            return self._winner[1].level.level_at(now_ns)
        return self._level

    @property
    def driven(self) -> bool:
        """True if something drives the pin (a pull or nothing at all does not)."""
        self._settle_latch()
        return self._winner is not None and self._winner[1].strength >= Strength.DEVICE

    @property
    def driver(self) -> str:
        """Who decides the level now: a contributor name, or 'floating'."""
        self._settle_latch()
        return self._winner[0] if self._winner is not None else "floating"

    def drive_of(self, source: str) -> Drive | None:
        self._settle_latch()
        return self._drives.get(source)

    def strongest_except(self, source: str) -> Drive | None:
        """What the pin would be driven by without ``source`` (how a wire sees each end)."""
        self._settle_latch()
        best = None
        for name, drive in sorted(self._drives.items()):
            if name != source and (best is None or drive.strength > best.strength):
                best = drive
        return best

    # -- driving ---------------------------------------------------------------------
    def drive(self, source: str, strength: Strength, level: int | Waveform | None,
              time_ns: int | None = None) -> None:
        """Set (or with ``None`` remove) ``source``'s contribution to this pin."""
        self._settle_latch()
        current = self._drives.get(source)
        if level is None:
            if current is None:
                return
            del self._drives[source]
        else:
            if isinstance(level, int):
                level = 1 if level else 0
            if current is not None and current.level == level and current.strength == strength:
                return
            self._drives[source] = Drive(strength, level)
        self._resolve(self.pins.stamp(time_ns))

    def _resolve(self, time_ns: int) -> None:
        winner = None
        for name, drive in sorted(self._drives.items()):
            if winner is None or drive.strength > winner[1].strength:
                winner = (name, drive)
        before = self.level_at(time_ns)
        self._winner = winner
        if winner is None:
            self._level = 0
        elif isinstance(winner[1].level, int):
            self._level = winner[1].level
        after = self.level_at(time_ns)
        for listener in list(self.drive_listeners):
            listener(self, time_ns)
        if self._observers:
            self._reschedule_edge(time_ns)
            if after != before:
                self._notify(time_ns, after)

    # -- observing -------------------------------------------------------------------
    @property
    def observed(self) -> bool:
        return bool(self._observers)

    def watch(self, observer: Observer, *, restoring: bool = False) -> Callable[[], None]:
        """Call ``observer`` on every change of level from now on; returns an unwatch.
        ``restoring``: a snapshot's observer again, its next edge event already restored."""
        if self.latch is not None:
            self.latch.release()
        self._observers.append(observer)
        if not restoring:
            self._reschedule_edge(self.pins.clock.now_ns)

        def unwatch() -> None:
            if observer in self._observers:
                self._observers.remove(observer)
            if not self._observers and self._edge is not None:
                self._edge.cancel()
                self._edge = None
        return unwatch

    def listen_drives(self, listener: Callable[["Pin", int], None]) -> None:
        """Call ``listener(pin, time_ns)`` on every change of any contribution."""
        if self.latch is not None:
            self.latch.release()
        self.drive_listeners.append(listener)

    def _notify(self, time_ns: int, level: int) -> None:
        for observer in list(self._observers):
            observer(self, time_ns, level)

    def _reschedule_edge(self, now_ns: int) -> None:
        if self._edge is not None:
            self._edge.cancel()
            self._edge = None
        if self._winner is None or not isinstance(self._winner[1].level, Waveform):
            return
        when = self._winner[1].level.next_edge_after(now_ns)
        if when is not None:
            self._edge = self.pins.clock.schedule_at(when, self._on_edge)

    def _on_edge(self) -> None:
        self._edge = None
        now = self.pins.stamp(None)
        self._reschedule_edge(now)
        self._notify(now, self.level_at(now))

    def __repr__(self) -> str:
        return f"<Pin {self.name} level={self.level} driver={self.driver}>"

    # -- snapshots (observers are wired again by whoever watches) ------------------------
    def snapshot(self) -> dict[str, Any]:
        self._settle_latch()
        return {"drives": {name: (int(d.strength), to_plain(d.level))
                           for name, d in self._drives.items()},
                "level": self._level, "edge": to_plain(self._edge)}

    def restore(self, state: dict[str, Any]) -> None:
        self._drives = {name: Drive(Strength(strength),
                                    Waveform(**level) if isinstance(level, dict) else level)
                        for name, (strength, level) in state["drives"].items()}
        self._winner = None
        for name, drive in sorted(self._drives.items()):
            if self._winner is None or drive.strength > self._winner[1].strength:
                self._winner = (name, drive)
        self._level = state["level"]
        self._edge = from_plain(state["edge"], None, self.pins.clock)


class Pins:
    """The chip's pin namespace: GPIO0..GPIO95 by number, plus the board's aliases."""

    def __init__(self, clock: Clock, count: int = PIN_COUNT) -> None:
        self.clock = clock
        self.pins = [Pin(self, n) for n in range(count)]
        self.aliases: dict[str, int] = {}
        # Each core's exact time inside its slice, by bus initiator name (the machine fills
        # it): a block shared by several cores stamps a change with the writer's time.
        self.core_time: dict[str, Callable[[], int]] = {}
        self._last_ns = 0

    def __iter__(self):
        return iter(self.pins)

    def add_alias(self, alias: str, pin: str) -> None:
        self.aliases[alias.lower()] = self.get(pin).number

    def find(self, name: str) -> Pin | None:
        """``GPIO8``, ``gpio8`` or a board alias; None if there is no such pin."""
        key = name.strip().lower()
        if key in self.aliases:
            return self.pins[self.aliases[key]]
        if key.startswith("gpio") and key[4:].isdigit() and int(key[4:]) < len(self.pins):
            return self.pins[int(key[4:])]
        return None

    def get(self, name: str) -> Pin:
        pin = self.find(name)
        if pin is None:
            raise SphereEmuError(f"no pin named {name!r} (pins are GPIO0..GPIO"
                                 f"{len(self.pins) - 1}{self._alias_hint()})")
        return pin

    def _alias_hint(self) -> str:
        return f" or one of: {', '.join(sorted(self.aliases))}" if self.aliases else ""

    def time_of(self, initiator: str) -> int:
        """The current virtual time as the core named ``initiator`` sees it."""
        now = self.core_time.get(initiator)
        return now() if now is not None else self.clock.now_ns

    def stamp(self, time_ns: int | None) -> int:
        """The timestamp of a change made now: ``time_ns`` (a core's exact time inside its
        slice) or the clock, never earlier than the last change, so every observer sees
        time move forward even when two cores' slices interleave."""
        t = self.clock.now_ns if time_ns is None else time_ns
        self._last_ns = max(self._last_ns, t)
        return self._last_ns

    def snapshot(self) -> dict[str, Any]:
        pins = [pin.snapshot() for pin in self.pins]  # first: settling may stamp
        return {"last_ns": self._last_ns, "pins": pins}

    def restore(self, state: dict[str, Any]) -> None:
        for pin in self.pins:  # latches kept outside Python end; their blocks restore them
            if pin.latch is not None:
                pin.latch.release()
        self._last_ns = state["last_ns"]
        for pin, saved in zip(self.pins, state["pins"], strict=True):
            pin.restore(saved)
