"""An LED on one pin: on while the pin is driven to its active level (MT3620 boards: low).

A floating or only pulled pin sinks or sources no current, so the LED is off: the state
after reset, before the app makes the pin an output.
"""

from typing import Any

from .base import Device, DeviceContext, DeviceSpec


def parse_level(value: object) -> int:
    text = str(value).lower()
    if text in ("low", "0"):
        return 0
    if text in ("high", "1"):
        return 1
    raise ValueError(f"must be low or high, not {value!r}")


class Led(Device):
    TYPE = "led"
    PINS = ("pin",)
    OPTIONS = {"active": parse_level}

    def __init__(self, spec: DeviceSpec, ctx: DeviceContext) -> None:
        super().__init__(spec, ctx)
        self.active_level: int = self.options.get("active", 1)

    @property
    def on(self) -> bool:
        return self.state

    @property
    def state(self) -> bool:
        return self.state_at(self.ctx.clock.now_ns)

    def state_at(self, time_ns: int) -> Any:
        pin = self.pins["pin"]
        return pin.driven and pin.level_at(time_ns) == self.active_level

    def describe(self, state: Any) -> str:
        return "on" if state else "off"
