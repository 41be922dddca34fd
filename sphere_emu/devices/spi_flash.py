"""A SPI NOR flash (Winbond W25Q-style command set), optionally backed by a file.

Commands: 0x9F JEDEC ID, 0x90 manufacturer/device ID, 0xAB release power-down / device ID,
0x05 read status 1, 0x06/0x04 write enable/disable, 0x03 read, 0x0B fast read, 0x02 page
program (wraps inside its 256-byte page; bits only go 1 -> 0), 0x20 sector erase (4 KiB),
0x52/0xD8 block erase (32/64 KiB), 0x60/0xC7 chip erase. Programs and erases need WEL,
start when CS rises and keep WIP set for the datasheet's typical time in virtual time;
commands other than read-status are ignored meanwhile. Not modelled: quad/dual modes,
status registers 2/3 and block protection, suspend/resume, SFDP, power-down current.

Data moves in chunks: a 4 KiB read is one slice of the backing array, not 4096 calls.
With ``path`` the contents load from the file (erased flash if it does not exist yet) and
``save()`` writes them back through a temporary file and a rename.
"""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import SphereEmuError
from .spi import SpiDevice

MODELS = {  # name: (JEDEC ID, legacy device ID, size)
    "w25q32": (b"\xef\x40\x16", 0x15, 4 << 20),
    "w25q64": (b"\xef\x40\x17", 0x16, 8 << 20),
    "w25q128": (b"\xef\x40\x18", 0x17, 16 << 20),
}
PAGE = 256
WIP, WEL = 0x01, 0x02
# Typical program/erase times (W25Q32JV datasheet), ns.
T_PAGE_PROGRAM = 400_000
T_ERASE = {0x20: (4 << 10, 45_000_000), 0x52: (32 << 10, 120_000_000),
           0xD8: (64 << 10, 150_000_000)}
T_CHIP_ERASE = 10_000_000_000
HEADER = {0x03: 4, 0x0B: 5, 0x02: 4, 0x20: 4, 0x52: 4, 0xD8: 4, 0x90: 4, 0xAB: 4}


class SpiNorFlash(SpiDevice):
    STATE = ("mem", "dirty", "status", "busy_until", "_header", "_pos", "_program", "_program_base")
    def __init__(self, name: str, model: str = "w25q32", path: str | Path | None = None,
                 now_ns: Callable[[], int] = lambda: 0) -> None:
        super().__init__(name)
        if model not in MODELS:
            raise SphereEmuError(f"device {name}: unknown flash model {model!r} (one of "
                                 f"{', '.join(MODELS)})")
        self.model = model
        self.jedec_id, self.device_id, self.size = MODELS[model]
        self.now_ns = now_ns
        self.path = Path(path) if path is not None else None
        self.mem = bytearray(b"\xff" * self.size)
        if self.path is not None and self.path.exists():
            try:
                data = self.path.read_bytes()
            except OSError as err:
                raise SphereEmuError(f"device {name}: cannot read {self.path}: "
                                     f"{err.strerror}") from None
            if len(data) > self.size:
                raise SphereEmuError(f"device {name}: {self.path} holds {len(data)} bytes, "
                                     f"more than the {self.size} of a {model}")
            self.mem[:len(data)] = data
        self.dirty = False
        self.status = 0
        self.busy_until = 0
        self._header = bytearray()
        self._pos = 0  # data phase: next address (read/program) or ID byte index
        self._program: bytearray | None = None
        self._program_base = 0

    # -- status ------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.now_ns() < self.busy_until

    def read_status(self) -> int:
        if not self.busy and self.status & WIP:
            self.status &= ~(WIP | WEL)
        return self.status

    # -- the SPI side ------------------------------------------------------------------
    def selected(self) -> None:
        self._header.clear()
        self._program = None

    def transfer(self, mosi: bytes) -> bytes:
        out = bytearray()
        i = 0
        while i < len(mosi):
            if not self._header or len(self._header) < HEADER.get(self._header[0], 1):
                self._header.append(mosi[i])
                out.append(0xFF)
                i += 1
                if len(self._header) == HEADER.get(self._header[0], 1):
                    self._command_ready()
                continue
            n = len(mosi) - i
            out += self._data_phase(mosi[i:i + n])
            i += n
        return bytes(out)

    def _address(self) -> int:
        return int.from_bytes(self._header[1:4], "big") % self.size

    def _command_ready(self) -> None:
        op = self._header[0]
        self._pos = self._address() if op in (0x03, 0x0B, 0x02) else 0
        if op == 0x02:
            self._program = bytearray()
            self._program_base = self._pos

    def _data_phase(self, mosi: bytes) -> bytes:
        op = self._header[0]
        n = len(mosi)
        if op == 0x05:
            return bytes([self.read_status()]) * n
        if self.busy:
            return b"\xff" * n
        if op in (0x03, 0x0B):
            out = bytearray()
            while len(out) < n:
                chunk = min(n - len(out), self.size - self._pos)
                out += self.mem[self._pos:self._pos + chunk]
                self._pos = (self._pos + chunk) % self.size
            return bytes(out)
        if op == 0x9F:
            ids = (self.jedec_id + b"\xff" * n)[self._pos:self._pos + n]
            self._pos += n
            return ids.ljust(n, b"\xff")
        if op == 0x90:
            ids = bytes([self.jedec_id[0], self.device_id]) * ((n + self._pos) // 2 + 1)
            out = ids[self._pos % 2:self._pos % 2 + n]
            self._pos += n
            return out
        if op == 0xAB:
            return bytes([self.device_id]) * n
        if op == 0x02 and self._program is not None:
            self._program += mosi
        return b"\xff" * n

    def deselected(self) -> None:
        if not self._header or self.busy:
            return
        op = self._header[0]
        complete = len(self._header) >= HEADER.get(op, 1)
        if op == 0x06:
            self.status |= WEL
        elif op == 0x04:
            self.status &= ~WEL
        elif not complete or not self.status & WEL:
            return
        elif op == 0x02 and self._program:
            self._page_program(self._program_base, bytes(self._program[-PAGE:]))
            self._start_busy(T_PAGE_PROGRAM)
        elif op in T_ERASE:
            size, duration = T_ERASE[op]
            base = self._address() & ~(size - 1)
            self.mem[base:base + size] = b"\xff" * size
            self.dirty = True
            self._start_busy(duration)
        elif op in (0x60, 0xC7):
            self.mem[:] = b"\xff" * self.size
            self.dirty = True
            self._start_busy(T_CHIP_ERASE)

    def _page_program(self, address: int, data: bytes) -> None:
        page = address & ~(PAGE - 1)
        offset = address - page
        first = data[:PAGE - offset]
        for at, chunk in ((address, first), (page, data[len(first):])):
            if chunk:  # bits only go 1 -> 0: AND the old bytes with the new
                old = int.from_bytes(self.mem[at:at + len(chunk)], "little")
                new = old & int.from_bytes(chunk, "little")
                self.mem[at:at + len(chunk)] = new.to_bytes(len(chunk), "little")
        self.dirty = True

    def _start_busy(self, duration_ns: int) -> None:
        self.status |= WIP
        self.busy_until = self.now_ns() + duration_ns

    # -- persistence -------------------------------------------------------------------
    def save(self) -> None:
        """Write the contents back to ``path`` (temporary file + rename), if changed."""
        if self.path is None or not self.dirty:
            return
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(self.mem)
            os.replace(tmp, self.path)
        except BaseException:
            os.unlink(tmp)
            raise
        self.dirty = False
