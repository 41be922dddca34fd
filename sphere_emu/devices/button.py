"""A push button between a pin and one rail, with the board's resistor to the other.

MT3620 boards: the button pulls the pin low when pressed and a resistor holds it high when
released (``pressed: low``, the default; ``released`` names the resistor: ``pull-up``,
``pull-down`` or ``none``, default the opposite of ``pressed``).
"""

from collections.abc import Callable
from typing import Any

from ..pins import Strength
from .base import Device, DeviceContext, DeviceSpec, DriveError
from .led import parse_level

PRESS_WORDS = {"pressed": True, "press": True, "down": True, "1": True,
               "released": False, "release": False, "up": False, "0": False}


def parse_resistor(value: object) -> int | None:
    text = str(value).lower()
    if text in ("pull-up", "up"):
        return 1
    if text in ("pull-down", "down"):
        return 0
    if text in ("none", "float"):
        return None
    raise ValueError(f"must be pull-up, pull-down or none, not {value!r}")


class Button(Device):
    STATE = ("_pressed",)
    TYPE = "button"
    PINS = ("pin",)
    OPTIONS = {"pressed": parse_level, "released": parse_resistor}
    DRIVE_HELP = "pressed or released"

    def __init__(self, spec: DeviceSpec, ctx: DeviceContext) -> None:
        super().__init__(spec, ctx)
        self.pressed_level: int = self.options.get("pressed", 0)
        self.resistor: int | None = self.options.get("released", 1 - self.pressed_level)
        self._pressed = False

    def connect(self) -> None:
        self.pins["pin"].drive(f"{self.name}.resistor", Strength.PULL, self.resistor)

    @property
    def pressed(self) -> bool:
        return self._pressed

    @property
    def state(self) -> bool:
        return self._pressed

    def describe(self, state: Any) -> str:
        return "pressed" if state else "released"

    def press(self) -> None:
        self._set(True)

    def release(self) -> None:
        self._set(False)

    def _set(self, pressed: bool) -> None:
        self._pressed = pressed
        now = self.ctx.pins.stamp(None)
        self.pins["pin"].drive(self.name, Strength.DEVICE,
                               self.pressed_level if pressed else None, now)
        self.state_may_have_changed(now)

    def parse_drive(self, attr: str | None, text: str) -> Callable[[], None]:
        word = text.strip().lower()
        if attr is not None or word not in PRESS_WORDS:
            what = f"{self.name}.{attr}" if attr else self.name
            raise DriveError(f"{what}: cannot take {text!r} (a button is {self.DRIVE_HELP})")
        return self.press if PRESS_WORDS[word] else self.release
