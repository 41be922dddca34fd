"""A shared serial engine whose transfer ends at a scheduled virtual time.

The ISU I2C and SPI masters are reached by several cores, so the clock only moves between
time slices. A transfer starts at the accessing core's exact time, and an access that comes
after the transfer's end (for that core) completes it first, so a polled status bit changes
when the bus says, not when the slice ends.
"""

from collections.abc import Callable

from ..clock import Event
from ..engine.busywait import Status
from .registers import BusAccess, Peripheral, PeripheralContext


class TimedTransferBlock(Peripheral):
    """Subclasses set ``_done`` to the completion event when they start a transfer and
    implement ``_complete(at_ns)``, which clears it and may set ``_bus_time``."""

    STATE = ("_done", "_bus_time")

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self._done: Event | None = None
        self._bus_time: int | None = None
        super().__init__(name, ctx)
        self.core_now = self.now_ns

    def use_core_time(self, now_ns: Callable[[], int]) -> None:
        """The time of the core accessing this shared block (set by the machine)."""
        self.core_now = now_ns

    def read(self, offset: int, size: int, access: BusAccess) -> int:
        self._catch_up()
        return super().read(offset, size, access)

    def write(self, offset: int, size: int, value: int, access: BusAccess) -> None:
        self._catch_up()
        super().write(offset, size, value, access)

    def _catch_up(self) -> None:
        done = self._done
        if done is not None and self.core_now() >= done.when_ns:
            done.cancel()
            self._complete(done.when_ns)

    def _complete(self, at_ns: int | None = None) -> None:
        raise NotImplementedError

    def _transfer_status(self, offsets: tuple[int, ...]) -> dict[int, Callable[[], Status]]:
        """Registers a busy-wait may poll (engine/busywait.py) that change only by
        accesses, at clock events and when the transfer in progress ends."""
        status = Status(lambda: self._done.when_ns if self._done is not None else None)
        return dict.fromkeys(offsets, lambda: status)

    def bus_time_ns(self) -> int:
        """Virtual time on this bus, as its devices see it: a transfer's end while it
        completes, else the time of the core accessing the block."""
        return self._bus_time if self._bus_time is not None else self.core_now()
