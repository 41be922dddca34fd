"""A wire between two pins (a loopback jumper): each end sees what drives the other.

The wire passes on the strongest contribution at each end other than its own, capped at
device strength (the far pin's core driver is, to this pin, something outside the chip),
so an output looped to an input reads back on the input, a pull at one end reaches the
other, and a PWM waveform crosses unchanged (still evaluated lazily).
"""

from typing import Any

from ..pins import Pin, Strength
from .base import Device, DeviceContext, DeviceSpec


class Wire(Device):
    STATE = ("_busy",)
    TYPE = "wire"
    PINS = ("a", "b")

    def __init__(self, spec: DeviceSpec, ctx: DeviceContext) -> None:
        super().__init__(spec, ctx)
        self._busy = False

    def connect(self) -> None:
        for pin in self.pins.values():
            pin.listen_drives(self._settle)
        self._settle(self.pins["a"], self.ctx.clock.now_ns)

    @property
    def state(self) -> int:
        return self.pins["a"].level

    def state_at(self, time_ns: int) -> Any:
        return self.pins["a"].level_at(time_ns)

    def describe(self, state: Any) -> str:
        return "high" if state else "low"

    def _settle(self, pin: Pin, time_ns: int) -> None:
        if self._busy:
            return  # our own drive changing: the loop below already handles it
        self._busy = True
        try:
            a, b = self.pins["a"], self.pins["b"]
            for near, far in ((a, b), (b, a)):
                best = far.strongest_except(self.name)
                near.drive(self.name, min(best.strength, Strength.DEVICE) if best else
                           Strength.DEVICE, best.level if best else None, time_ns)
        finally:
            self._busy = False
        self.state_may_have_changed(time_ns)
