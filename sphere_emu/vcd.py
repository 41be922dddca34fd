"""A value change dump (IEEE 1364 VCD, readable by GTKWave) of the pins and board devices.

Every pin that changes during the run and every pin a device is wired to is a 1-bit wire
under ``pins``; every device's state is a variable under ``devices`` (1 bit for on/off
states, a 32-bit vector for integers, a real for floats). Timestamps are virtual ns. The
file has no date or host detail, so the same run gives the same bytes; it is written to a
temporary file next to the target and renamed into place when the run ends.
"""

import os
import tempfile
from pathlib import Path
from typing import IO, Any

from .devices import Device
from .pins import Pin, Pins


def _identifier(index: int) -> str:
    """VCD identifier codes: printable ASCII '!'..'~', then two characters, and so on."""
    chars = ""
    index += 1
    while index:
        index, digit = divmod(index - 1, 94)
        chars = chr(33 + digit) + chars
    return chars


def _kind(value: Any) -> tuple[str, int]:
    if isinstance(value, bool) or value in (0, 1):
        return "wire", 1
    if isinstance(value, int):
        return "wire", 32
    if isinstance(value, float):
        return "real", 64
    return "", 0


def _format(value: Any, kind: tuple[str, int], ident: str) -> str:
    if kind == ("wire", 1):
        return f"{int(bool(value))}{ident}"
    if kind[0] == "real":
        return f"r{float(value):.16g} {ident}"
    return f"b{int(value) & 0xFFFFFFFF:b} {ident}"


class VcdWriter:
    def __init__(self, path: str | Path, scope: str, pins: Pins, devices: dict[str, Device]
                 ) -> None:
        self.path = Path(path)
        self.scope = scope
        self._pins = pins
        self._devices = devices
        self._clock = pins.clock
        # Changes stream to a scratch file: the header can only be written at the end,
        # once it is known which pins changed.
        self._body: IO[str] = tempfile.TemporaryFile("w+", encoding="ascii")  # noqa: SIM115
        self._time: int | None = None
        self._initial: dict[str, str] = {}  # identifier -> value line at the start
        self._changed: set[int] = {pin.number for d in devices.values()
                                   for pin in d.pins.values()}
        self._device_kinds: dict[str, tuple[str, int]] = {}
        self._ids = {f"pin{pin.number}": _identifier(i) for i, pin in enumerate(pins)}
        self._ids.update({f"dev:{name}": _identifier(len(pins.pins) + i)
                          for i, name in enumerate(devices)})
        self._closed = False

    def start(self) -> None:
        """Watch everything from now on (call before the run starts)."""
        for pin in self._pins:
            ident = self._ids[f"pin{pin.number}"]
            self._initial[ident] = f"{pin.level}{ident}"
            pin.watch(self._pin_changed)
        for name, device in self._devices.items():
            state = device.state
            kind = _kind(state)
            if not kind[0]:
                continue
            self._device_kinds[name] = kind
            ident = self._ids[f"dev:{name}"]
            self._initial[ident] = _format(state, kind, ident)
            device.watch(self._device_changed)

    def _at(self, time_ns: int) -> None:
        if time_ns != self._time:
            self._time = time_ns
            self._body.write(f"#{time_ns}\n")

    def _pin_changed(self, pin: Pin, time_ns: int, level: int) -> None:
        self._changed.add(pin.number)
        self._at(time_ns)
        self._body.write(f"{level}{self._ids[f'pin{pin.number}']}\n")

    def _device_changed(self, device: Device, time_ns: int, state: Any) -> None:
        self._at(time_ns)
        ident = self._ids[f"dev:{device.name}"]
        self._body.write(_format(state, self._device_kinds[device.name], ident) + "\n")

    def close(self) -> None:
        """Write the file (header, initial values, changes, the end time) and rename it."""
        if self._closed:
            return
        self._closed = True
        pins = [p for p in self._pins if p.number in self._changed]
        header = ["$version sphere-emu $end", "$timescale 1ns $end",
                  f"$scope module {self.scope} $end", "$scope module pins $end"]
        header += [f"$var wire 1 {self._ids[f'pin{p.number}']} {p.name} $end" for p in pins]
        header += ["$upscope $end", "$scope module devices $end"]
        for name, (kind, width) in self._device_kinds.items():
            header.append(f"$var {kind} {width} {self._ids[f'dev:{name}']} {name} $end")
        header += ["$upscope $end", "$upscope $end", "$enddefinitions $end", "#0",
                   "$dumpvars"]
        used = {self._ids[f"pin{p.number}"] for p in pins} | {
            self._ids[f"dev:{n}"] for n in self._device_kinds}
        header += [line for ident, line in self._initial.items() if ident in used]
        header.append("$end")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write("\n".join(header) + "\n")
                self._body.seek(0)
                for line in self._body:
                    out.write(line)
                end = self._clock.now_ns
                if self._time is None or end > self._time:
                    out.write(f"#{end}\n")
            os.replace(tmp, self.path)
        except BaseException:
            os.unlink(tmp)
            raise
        finally:
            self._body.close()
