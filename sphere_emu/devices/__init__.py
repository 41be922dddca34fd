"""Off-chip parts on the board: devices on pins and buses (LEDs, buttons, wires, sensors,
memories, analog inputs). Pin devices are registered by the type name board files use
(``devices:``, docs/board-format.md); a new type subclasses ``Device`` and joins
``DEVICE_CLASSES``."""

from .base import Device, DeviceContext, DeviceSpec, DriveError
from .bus_devices import BUS_DEVICE_CLASSES
from .button import Button
from .led import Led
from .wire import Wire

DEVICE_CLASSES: tuple[type[Device], ...] = (Led, Button, Wire, *BUS_DEVICE_CLASSES)

DEVICE_TYPES: dict[str, type[Device]] = {cls.TYPE: cls for cls in DEVICE_CLASSES}


def build_devices(specs: dict[str, DeviceSpec], ctx: DeviceContext) -> dict[str, Device]:
    """Make every device of a board, then connect them (drives start once all exist)."""
    devices = {name: DEVICE_TYPES[spec.type](spec, ctx) for name, spec in specs.items()}
    for device in devices.values():
        device.connect()
    return devices


__all__ = ("DEVICE_TYPES", "Device", "DeviceContext", "DeviceSpec", "DriveError",
           "build_devices")
