"""What every sensor device shares: named quantities a user sets, and data-ready timing.

Values change when the user says so (board file, ``--drive``, pytest), at a virtual time;
a device never schedules events of its own for sampling: "is a new sample ready?" is
computed from the output data rate and the time the guest asks, so an idle sensor costs
nothing however fast its data rate.
"""

from collections.abc import Callable

from ..errors import SphereEmuError
from .quantities import parse_quantity


class SensorValues:
    """The quantities a device exposes, each a tuple in its base unit."""
    STATE = ("values",)

    def __init__(self, owner: str, initial: dict[str, tuple[float, ...]]) -> None:
        self.owner = owner
        self.values = dict(initial)

    def set(self, quantity: str, value: str | tuple[float, ...] | float) -> None:
        if quantity not in self.values:
            raise SphereEmuError(f"device {self.owner} has no quantity {quantity!r} (it has "
                                 f"{', '.join(self.values)})")
        if isinstance(value, str):
            parsed = parse_quantity(quantity, value)
        else:
            parsed = tuple(value) if isinstance(value, tuple) else (float(value),)
            parse_quantity(quantity, ",".join(repr(v) for v in parsed))  # range check
        self.values[quantity] = parsed

    def get(self, quantity: str) -> tuple[float, ...]:
        return self.values[quantity]


class DataReady:
    """A sample stream at an output data rate: how many samples since it was enabled, and
    whether one has arrived since the guest last read the output."""
    STATE = ("hz", "since_ns", "read_index")

    def __init__(self, now_ns: Callable[[], int]) -> None:
        self.now_ns = now_ns
        self.hz = 0.0
        self.since_ns = 0
        self.read_index = 0

    def configure(self, hz: float) -> None:
        if hz != self.hz:
            self.hz = hz
            self.since_ns = self.now_ns()
            self.read_index = 0

    def index(self) -> int:
        if self.hz <= 0:
            return 0
        return int((self.now_ns() - self.since_ns) * self.hz // 1_000_000_000)

    @property
    def ready(self) -> bool:
        return self.index() > self.read_index

    def consume(self) -> None:
        self.read_index = self.index()

    def trigger_one_shot(self) -> None:
        """A one-shot conversion: ready at once (conversion time is not modelled)."""
        self.read_index = self.index() - 1


def to_int16(value: float, lsb: float) -> int:
    raw = round(value / lsb)
    return max(-32768, min(32767, raw)) & 0xFFFF
