"""The mutable-storage flash: where the OS keeps each app's mutable storage file.

Our own block (the MT3620's flash controller is not public; ``docs/peripherals.md``,
"Mutable-storage flash"). The flash is split into partitions named by a 128-bit KEY (the
kernel uses the app's component ID, in the GUID's binary layout); what a partition holds is
the kernel's business, the block only moves bytes. It masters the bus like a DMA engine:

- LOAD: the partition's bytes are copied to ADDR (at most CAP of them); LEN then holds
  the partition's size. RESULT EMPTY: there is no such partition (LEN = 0); TOO_BIG: it
  holds more than CAP bytes (nothing copied).
- PROGRAM: LEN bytes read from ADDR when the command is written replace the partition.
- ERASE: the partition is removed (RESULT EMPTY if there was none).

A command sets STATUS.BUSY; it completes at a virtual time set by the size, as a serial
NOR flash would (typical figures: a 4 KiB sector erase 25 ms, a 256-byte page program
0.4 ms, reads 50 MB/s): BUSY clears, RESULT is set and INT_STATUS.DONE raises the
interrupt if INT_ENABLE allows it. A program lands in the partition only when it
completes: a run stopped earlier leaves the old contents, as a power cut would.

The partitions live in a ``StorageBacking``: the device directory's ``storage/`` files when
the boot chain attaches the device (each program an atomic file replacement), otherwise a
dictionary that lasts as long as the machine.
"""

from typing import Any, Protocol

from ..errors import SphereEmuError
from .registers import RO, W1C, WO, Field, Peripheral, PeripheralContext, Register

BLOCK_ID = 0x3146534D  # "MSF1" read little-endian as text
BUSY = Field("BUSY", 0, access=RO)
RESULT = Field("RESULT", 8, 4, access=RO)
IRQ_DONE = Field("DONE", 0)
CMD_LOAD, CMD_PROGRAM, CMD_ERASE = 1, 2, 3
OK, EMPTY, TOO_BIG, IO_ERROR, BAD_COMMAND = 0, 1, 2, 3, 4
MAX_PARTITION = 128 * 1024  # more than any app's quota (64 KiB) plus the kernel's header

SECTOR, PAGE = 4096, 256
ERASE_NS, PAGE_NS = 25_000_000, 400_000
READ_SETUP_NS, READ_NS_PER_BYTE = 20_000, 20


class StorageBacking(Protocol):
    """Where the partitions are kept. ``program``/``erase`` raise SphereEmuError when the
    host cannot write (the guest then sees IO_ERROR)."""

    def load(self, key: bytes) -> bytes | None: ...

    def program(self, key: bytes, data: bytes) -> None: ...

    def erase(self, key: bytes) -> bool: ...


class VolatileBacking:
    """Partitions kept in memory, for a machine without a device directory."""

    def __init__(self) -> None:
        self.partitions: dict[bytes, bytes] = {}

    def load(self, key: bytes) -> bytes | None:
        return self.partitions.get(key)

    def program(self, key: bytes, data: bytes) -> None:
        self.partitions[key] = data

    def erase(self, key: bytes) -> bool:
        return self.partitions.pop(key, None) is not None


def busy_ns(command: int, length: int) -> int:
    """How long a command keeps the flash busy (see the module text)."""
    if command == CMD_LOAD:
        return READ_SETUP_NS + READ_NS_PER_BYTE * length
    if command == CMD_PROGRAM:
        sectors = max(1, -(-length // SECTOR))
        return sectors * ERASE_NS + -(-length // PAGE) * PAGE_NS
    return ERASE_NS


class StorageFlash(Peripheral):
    TYPE = "sphere-storage-flash"
    IRQS = ("irq",)
    STATE = ("_pending", "_data")

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.backing: StorageBacking = VolatileBacking()
        self._pending: Any = None  # the clock event completing the running command
        self._data = b""  # what a running PROGRAM writes
        super().__init__(name, ctx)

    def registers(self) -> list[Register]:
        return [
            Register("ID", 0x00, reset=BLOCK_ID, access=RO),
            Register("CMD", 0x04, access=WO, write=self._command),
            Register("STATUS", 0x08, access=RO, fields=(BUSY, RESULT)),
            Register("ADDR", 0x0C),
            Register("LEN", 0x10),
            Register("CAP", 0x14),
            Register("INT_ENABLE", 0x18, writable=IRQ_DONE.mask),
            Register("INT_STATUS", 0x1C, access=W1C),
            Register("KEY{}", 0x20, count=4),
        ]

    def attach(self, backing: StorageBacking) -> None:
        """Keep the partitions in ``backing`` (the boot chain's device directory)."""
        self.backing = backing

    def reset(self) -> None:
        super().reset()
        if self._pending is not None:
            self._pending.cancel()  # a reset mid-command: that command never completes
            self._pending = None
        self._data = b""

    def update(self) -> None:
        self.irqs["irq"].set(bool(self.regs["INT_STATUS"] & self.regs["INT_ENABLE"]))

    def _key(self) -> bytes:
        return b"".join(self.regs[f"KEY{i}"].to_bytes(4, "little") for i in range(4))

    def _command(self, value: int) -> None:
        if self._pending is not None:
            self.guest_error(f"command {value} written while busy: ignored")
            return
        if value not in (CMD_LOAD, CMD_PROGRAM, CMD_ERASE):
            self.guest_error(f"unknown command {value}")
            self._finish_now(BAD_COMMAND)
            return
        length = 0
        if value == CMD_PROGRAM:
            length = self.regs["LEN"]
            if length > MAX_PARTITION:
                self.guest_error(f"PROGRAM of {length} bytes: a partition holds at most "
                                 f"{MAX_PARTITION}")
                self._finish_now(TOO_BIG)
                return
            self._data = self.ctx.memory.read(self.regs["ADDR"], length) if length else b""
        elif value == CMD_LOAD:
            try:
                length = len(self.backing.load(self._key()) or b"")
            except SphereEmuError:
                length = 0  # reported when the command completes
        self.regs["STATUS"] = BUSY.mask
        self._pending = self.clock.schedule_at(self.now_ns() + busy_ns(value, length),
                                               self._complete, value)

    def _complete(self, command: int) -> None:
        self._pending = None
        key = self._key()
        try:
            if command == CMD_LOAD:
                result = self._load(key)
            elif command == CMD_PROGRAM:
                self.backing.program(key, self._data)
                result = OK
            else:
                result = OK if self.backing.erase(key) else EMPTY
        except SphereEmuError as err:
            self.guest_error(f"the host could not keep the partition: {err}")
            result = IO_ERROR
        self._data = b""
        self._finish_now(result)

    def _load(self, key: bytes) -> int:
        stored = self.backing.load(key)
        if stored is None:
            self.regs["LEN"] = 0
            return EMPTY
        self.regs["LEN"] = len(stored)
        if len(stored) > self.regs["CAP"]:
            return TOO_BIG
        if stored:
            self.ctx.memory.write(self.regs["ADDR"], stored)
        return OK

    def _finish_now(self, result: int) -> None:
        self.regs["STATUS"] = result << RESULT.lsb
        self.regs["INT_STATUS"] |= IRQ_DONE.mask
        self.update()
