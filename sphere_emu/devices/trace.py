"""``--trace pins``: one line per board-device state change, stamped in virtual seconds."""

from collections.abc import Callable
from typing import Any

from .base import Device


def format_stamp(time_ns: int) -> str:
    """Virtual time as the kernel log does it: ``[  1.000000]``."""
    seconds, rest = divmod(time_ns, 1_000_000_000)
    return f"[{seconds:5d}.{rest // 1000:06d}]"


class DeviceTrace:
    def __init__(self, board: str, devices: dict[str, Device], emit: Callable[[str], None]
                 ) -> None:
        self._board = board
        self._emit = emit
        for device in devices.values():
            device.watch(self._changed)

    def _changed(self, device: Device, time_ns: int, state: Any) -> None:
        self._emit(f"{format_stamp(time_ns)} {self._board}: {device.name} "
                   f"{device.describe(state)}")
