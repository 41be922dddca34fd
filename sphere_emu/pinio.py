"""What a run shows and does on the pins: ``--vcd``, ``--trace pins``, ``--drive``.

Drives are checked against the board before anything runs, so a bad one is a one-line
error; the VCD file is written when the run ends, whatever the outcome.
"""

from collections.abc import Callable
from pathlib import Path

from .devices.drive import DriveRequest, parse_drive, schedule_drives
from .devices.trace import DeviceTrace
from .machine import Machine
from .vcd import VcdWriter


class PinIO:
    def __init__(self, machine: Machine, *, vcd: str | Path | None = None,
                 trace: set[str] = frozenset(), drives: tuple[str, ...] = (),
                 emit: Callable[[str], None] = print) -> None:
        requests: list[DriveRequest] = [parse_drive(d, machine.devices, machine.pins)
                                        for d in drives]
        self.vcd = None
        if vcd is not None:
            self.vcd = VcdWriter(vcd, machine.board.name, machine.pins, machine.devices)
            self.vcd.start()
        if "pins" in trace:
            DeviceTrace(machine.board.name, machine.devices, emit)
        schedule_drives(requests, machine.clock)

    def close(self) -> None:
        if self.vcd is not None:
            self.vcd.close()
