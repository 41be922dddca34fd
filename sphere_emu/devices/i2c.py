"""I2C as the bus devices see it: addressed transactions with ACK/NACK.

A controller (the ISU I2C master block, the LSM6DSO's sensor-hub master) drives a bus one
transaction at a time::

    if bus.start(0x6A, read=False):      # address phase; False = nobody ACKed
        bus.write(bytes([0x0F]))         # returns how many bytes the device ACKed
        if bus.start(0x6A, read=True):   # repeated start
            data = bus.read(1)
    bus.stop()

Bytes move in whole chunks, never one Python call per byte, so a 4 KiB EEPROM read costs
one slice. A read from an address nobody answers is impossible by construction: ``start``
returns False (address NACK) and ``read`` then returns 0xFF bytes, as an idle SDA would.
"""

from dataclasses import dataclass, field

from ..errors import BoardError


class I2cDevice:
    """A target on an I2C bus. Subclasses override the four transaction hooks."""

    def __init__(self, name: str, address: int) -> None:
        if not 0x08 <= address <= 0x77:
            raise BoardError(f"device {name}: I2C address {address:#04x} is not a 7-bit "
                             "device address (0x08-0x77)")
        self.name = name
        self.address = address

    def i2c_start(self, read: bool) -> bool:
        """Addressed (at a start or repeated start). Return True to ACK."""
        return True

    def i2c_write(self, data: bytes) -> int:
        """Bytes from the controller; return how many were ACKed (a NACK ends the packet)."""
        return len(data)

    def i2c_read(self, count: int) -> bytes:
        """``count`` bytes for the controller."""
        return b"\xff" * count

    def i2c_stop(self) -> None:
        """The controller released the bus."""


@dataclass
class I2cBus:
    """The devices on one I2C bus, by 7-bit address."""

    name: str
    devices: dict[int, I2cDevice] = field(default_factory=dict)
    _current: I2cDevice | None = None

    def attach(self, device: I2cDevice) -> None:
        other = self.devices.get(device.address)
        if other is not None:
            raise BoardError(f"devices {other.name} and {device.name} both use I2C address "
                             f"{device.address:#04x} on {self.name}")
        self.devices[device.address] = device

    def start(self, address: int, read: bool) -> bool:
        self._current = self.devices.get(address & 0x7F)
        if self._current is None:
            return False
        if not self._current.i2c_start(read):
            self._current = None
            return False
        return True

    def write(self, data: bytes) -> int:
        if self._current is None:
            return 0
        return self._current.i2c_write(bytes(data))

    def read(self, count: int) -> bytes:
        if self._current is None:
            return b"\xff" * count
        data = self._current.i2c_read(count)
        return data[:count].ljust(count, b"\xff")

    def stop(self) -> None:
        if self._current is not None:
            self._current.i2c_stop()
        self._current = None


class RegisterFileDevice(I2cDevice):
    """The common "register pointer then data" target: the first byte written after the
    address sets the pointer, further bytes write registers, reads return registers; the
    pointer advances after each byte (wrapping at the end of the file).

    Subclasses customise single registers with ``reg_read``/``reg_write`` and may keep
    the pointer from advancing (``auto_increment``)."""
    STATE = ("mem", "pointer", "_pointer_pending")

    def __init__(self, name: str, address: int, size: int = 256,
                 initial: bytes = b"") -> None:
        super().__init__(name, address)
        self.size = size
        self.mem = bytearray(size)
        self.mem[:len(initial)] = initial[:size]
        self.pointer = 0
        self._pointer_pending = False

    def auto_increment(self) -> bool:
        return True

    def reg_read(self, reg: int) -> int:
        return self.mem[reg]

    def reg_write(self, reg: int, value: int) -> None:
        self.mem[reg] = value

    def i2c_start(self, read: bool) -> bool:
        self._pointer_pending = not read
        return True

    def i2c_write(self, data: bytes) -> int:
        for byte in data:
            if self._pointer_pending:
                self.pointer = byte % self.size
                self._pointer_pending = False
            else:
                self.reg_write(self.pointer, byte)
                self._advance()
        return len(data)

    def i2c_read(self, count: int) -> bytes:
        out = bytearray()
        for _ in range(count):
            out.append(self.reg_read(self.pointer) & 0xFF)
            self._advance()
        return bytes(out)

    def _advance(self) -> None:
        if self.auto_increment():
            self.pointer = (self.pointer + 1) % self.size


class Eeprom24(I2cDevice):
    """A 24Cxx serial EEPROM: one address byte for the 24C01/02, two from the 24C32 on (the
    24C04-24C16, which borrow device-address bits, are not offered). Writes wrap inside
    the page; reads run on through the whole array. The write cycle is instantaneous (no
    ACK polling needed; a driver that polls gets an ACK at once)."""
    STATE = ("mem", "pointer", "_addr_left", "_addr")

    MODELS = {  # name: (size, page size)
        "24c01": (128, 8), "24c02": (256, 8), "24c32": (4096, 32), "24c64": (8192, 32),
        "24c128": (16384, 64), "24c256": (32768, 64), "24c512": (65536, 128),
    }

    def __init__(self, name: str, address: int, model: str = "24c02",
                 initial: bytes = b"") -> None:
        super().__init__(name, address)
        if model not in self.MODELS:
            raise BoardError(f"device {name}: unknown EEPROM model {model!r} (one of "
                             f"{', '.join(self.MODELS)})")
        self.model = model
        self.size, self.page = self.MODELS[model]
        self.mem = bytearray(b"\xff" * self.size)
        self.mem[:len(initial)] = initial[:self.size]
        self.addr_bytes = 2 if self.size > 256 else 1
        self.pointer = 0
        self._addr_left = 0
        self._addr = 0

    def i2c_start(self, read: bool) -> bool:
        self._addr_left = 0 if read else self.addr_bytes
        self._addr = 0
        return True

    def i2c_write(self, data: bytes) -> int:
        i = 0
        while self._addr_left and i < len(data):
            self._addr = (self._addr << 8) | data[i]
            self._addr_left -= 1
            i += 1
            if not self._addr_left:
                self.pointer = self._addr % self.size
        for byte in data[i:]:
            self.mem[self.pointer] = byte
            page_start = self.pointer - self.pointer % self.page
            self.pointer = page_start + (self.pointer + 1 - page_start) % self.page
        return len(data)

    def i2c_read(self, count: int) -> bytes:
        out = bytearray()
        while len(out) < count:
            chunk = min(count - len(out), self.size - self.pointer)
            out += self.mem[self.pointer:self.pointer + chunk]
            self.pointer = (self.pointer + chunk) % self.size
        return bytes(out)
