"""``--drive TARGET=VALUE@TIME``: change a device or a pin at a virtual time.

TARGET is a board device (``button-a=pressed@1.5s``), a device attribute
(``DEVICE.ATTR=VALUE``, for devices with several inputs such as sensors) or a pin
(``GPIO12=0@2s``, ``GPIO12=z@3s`` to let go). VALUE is handed to the device, which checks
it before the run starts. TIME is absolute virtual time (``1.5s``, ``200ms``, ``10us``).
"""

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import SphereEmuError
from ..pins import Pins, Strength
from ..units import parse_duration_ns
from .base import Device, DriveError

PIN_VALUES = {"0": 0, "low": 0, "1": 1, "high": 1, "z": None, "float": None, "release": None}
DRIVE_SOURCE = "drive"  # the contributor name of --drive on a pin


@dataclass(frozen=True)
class DriveRequest:
    text: str
    target: str
    time_ns: int
    action: Callable[[], None]


def parse_drive(text: str, devices: dict[str, Device], pins: Pins) -> DriveRequest:
    """Check one ``--drive`` value against the machine; raise a one-line error if bad."""
    head, at, when = text.rpartition("@")
    target, eq, value = head.partition("=")
    if not at or not eq or not target.strip() or not value.strip():
        raise SphereEmuError(f"--drive {text!r}: expected TARGET=VALUE@TIME "
                             "(e.g. button-a=pressed@1.5s, GPIO12=0@2s)")
    try:
        time_ns = parse_duration_ns(when)
    except SphereEmuError as err:
        raise SphereEmuError(f"--drive {text!r}: {err}") from None
    target = target.strip()
    try:
        action = _action(target, value.strip(), devices, pins)
    except DriveError as err:
        raise SphereEmuError(f"--drive {text!r}: {err}") from None
    return DriveRequest(text, target, time_ns, action)


def _action(target: str, value: str, devices: dict[str, Device], pins: Pins
            ) -> Callable[[], None]:
    if target in devices:
        return devices[target].parse_drive(None, value)
    name, dot, attr = target.partition(".")
    if dot and name in devices:
        return devices[name].parse_drive(attr, value)
    pin = pins.find(target)
    if pin is None:
        known = ", ".join(sorted(devices)) or "none"
        raise DriveError(f"no device or pin named {target!r} (devices: {known}; pins: "
                         f"GPIO0..GPIO{len(pins.pins) - 1})")
    if value.lower() not in PIN_VALUES:
        raise DriveError(f"{target}: cannot take {value!r} (a pin takes 0, 1, low, high or z)")
    level = PIN_VALUES[value.lower()]
    return lambda: pin.drive(DRIVE_SOURCE, Strength.DEVICE, level)


def schedule_drives(requests: list[DriveRequest], clock) -> None:
    for request in requests:
        clock.schedule_at(request.time_ns, request.action)
