"""Board devices on the I2C and SPI buses and on ADC channels, as board files declare them::

    devices:
      lsm6dso: {type: lsm6dso, bus: isu2-i2c, address: 0x6A}
      lps22hh: {type: lps22hh, bus: lsm6dso.hub, address: 0x5C}   # behind the sensor hub
      eeprom: {type: eeprom-24cxx, bus: isu1-i2c, address: 0x50, model: 24c32}
      flash: {type: spi-nor-flash, bus: isu0-spim, cs: 0, model: w25q32, file: flash.bin}
      light: {type: analog-input, adc: adc, channel: 0, voltage: 0.8V}

Each wraps a protocol model (``i2c``, ``spi_flash``, ``st_imu``, ``analog``) and attaches it
to its bus once the machine has built its blocks. A sensor's quantities are set with
``--drive lsm6dso.accel=0,0,1g@1s`` or ``dev.device("lsm6dso").set("accel", "0,0,1g")``;
a value is checked when given, so a bad one stops the run before it starts.
"""

from collections.abc import Callable
from typing import Any

from ..errors import BoardError, SphereEmuError
from ..units import parse_int
from .analog import AnalogInput
from .base import Device, DeviceContext, DeviceSpec, DriveError
from .i2c import Eeprom24, I2cBus, I2cDevice, RegisterFileDevice
from .quantities import parse_quantity
from .spi_flash import SpiNorFlash
from .st_imu import Lps22hh, Lsm6ds3, Lsm6dso


class _BusDevice(Device):
    """A device whose part sits on a bus block (or another device's bus)."""

    FUNCTION = ""  # the ISU function its bus needs: "i2c" or "spi"
    STATE = ("part",)
    QUANTITIES: tuple[str, ...] = ()

    def __init__(self, spec: DeviceSpec, ctx: DeviceContext) -> None:
        super().__init__(spec, ctx)
        if "bus" not in self.options:
            raise BoardError(f"devices.{self.name}: missing required key 'bus'")
        self.part: Any = self.make_part()
        for quantity in self.QUANTITIES:
            if quantity in self.options:
                self.set(quantity, self.options[quantity])

    def make_part(self) -> Any:
        raise NotImplementedError

    def now_ns(self) -> int:
        return self._time()

    def _time(self) -> int:
        return self.ctx.clock.now_ns

    # -- attaching ---------------------------------------------------------------------
    def attach(self, blocks: dict[str, Any], devices: dict[str, Device]) -> None:
        bus = self.options["bus"]
        owner, dot, sub = bus.partition(".")
        if dot and owner in devices and sub == "hub" and hasattr(devices[owner], "hub"):
            self._attach_i2c(devices[owner].hub, devices[owner].now_ns)  # type: ignore
            return
        block = blocks.get(bus)
        if block is None:
            raise BoardError(f"devices.{self.name}.bus: no bus named {bus!r}")
        need = self.FUNCTION
        function = block.isu_function() if hasattr(block, "isu_function") else None
        if not hasattr(block, f"{need}_attach"):
            raise BoardError(f"devices.{self.name}.bus: {bus} is not an {need.upper()} bus")
        if function not in (None, need):
            isu = block.isu.name
            raise BoardError(f"devices.{self.name}.bus: {isu} is in {function.upper()} mode "
                             f"on this board, not {need.upper()}")
        self._time = block.bus_time_ns
        getattr(block, f"{need}_attach")(self)

    def _attach_i2c(self, bus: I2cBus, now: Callable[[], int]) -> None:
        self._time = now
        bus.attach(self.part)

    # -- values ------------------------------------------------------------------------
    def set(self, quantity: str, value: str | tuple[float, ...] | float) -> None:
        self.part.set(quantity, value)

    def get(self, quantity: str) -> tuple[float, ...]:
        return self.part.values.get(quantity)

    @property
    def state(self) -> Any:
        return {q: self.get(q) for q in self.QUANTITIES} if self.QUANTITIES else None

    def parse_drive(self, attr: str | None, text: str) -> Callable[[], None]:
        if attr not in self.QUANTITIES:
            have = ", ".join(f"{self.name}.{q}" for q in self.QUANTITIES) or "nothing"
            raise DriveError(f"{self.name}: cannot drive {attr or 'the device'} "
                             f"(it takes {have})")
        try:
            values = parse_quantity(attr, text)
        except SphereEmuError as err:
            raise DriveError(str(err)) from None
        return lambda: self.set(attr, values)


def _address(value: object) -> int:
    return parse_int(value)


class I2cRegisterFile(_BusDevice):
    TYPE = "i2c-register-file"
    FUNCTION = "i2c"
    OPTIONS = {"bus": str, "address": _address, "size": parse_int}

    def make_part(self) -> I2cDevice:
        return RegisterFileDevice(self.name, self.options.get("address", 0x50),
                                  self.options.get("size", 256))


class Eeprom24cxx(_BusDevice):
    TYPE = "eeprom-24cxx"
    FUNCTION = "i2c"
    OPTIONS = {"bus": str, "address": _address, "model": str}

    def make_part(self) -> I2cDevice:
        return Eeprom24(self.name, self.options.get("address", 0x50),
                        self.options.get("model", "24c02"))


class Lsm6dsoDevice(_BusDevice):
    TYPE = "lsm6dso"
    FUNCTION = "i2c"
    OPTIONS = {"bus": str, "address": _address, "accel": str, "gyro": str,
               "temperature": str}
    QUANTITIES = ("accel", "gyro", "temperature")
    PART: type[Lsm6dso] | type[Lsm6ds3] = Lsm6dso

    def make_part(self) -> I2cDevice:
        return self.PART(self.name, self.options.get("address", 0x6A), now_ns=self.now_ns)

    @property
    def hub(self) -> I2cBus:
        return self.part.hub


class Lsm6ds3Device(Lsm6dsoDevice):
    TYPE = "lsm6ds3"
    PART = Lsm6ds3


class Lps22hhDevice(_BusDevice):
    TYPE = "lps22hh"
    FUNCTION = "i2c"
    OPTIONS = {"bus": str, "address": _address, "pressure": str, "temperature": str}
    QUANTITIES = ("pressure", "temperature")

    def make_part(self) -> I2cDevice:
        return Lps22hh(self.name, self.options.get("address", 0x5C), now_ns=self.now_ns)


class SpiNorFlashDevice(_BusDevice):
    TYPE = "spi-nor-flash"
    FUNCTION = "spi"
    OPTIONS = {"bus": str, "cs": parse_int, "model": str, "file": str}

    def make_part(self) -> SpiNorFlash:
        return SpiNorFlash(self.name, self.options.get("model", "w25q32"),
                           self.options.get("file"), now_ns=self.now_ns)

    @property
    def cs(self) -> int:
        return self.options.get("cs", 0)

    def save(self) -> None:
        """Write the flash contents back to its file (temporary file + rename)."""
        self.part.save()


class SpiSlaveLink(_BusDevice):
    """Wires an ISU's SPI master (``bus``, chip select ``cs``) to another ISU's SPI slave
    block (``slave: isuN-spis``): what a board's header jumpers do in a loopback test."""

    TYPE = "spi-slave-link"
    FUNCTION = "spi"
    OPTIONS = {"bus": str, "cs": parse_int, "slave": str}
    STATE = ()  # a wire: the slave block's registers hold the state

    def make_part(self) -> Any:
        if "slave" not in self.options:
            raise BoardError(f"devices.{self.name}: missing required key 'slave'")
        return None  # the slave block's port, found when the machine's blocks exist

    @property
    def cs(self) -> int:
        return self.options.get("cs", 0)

    def attach(self, blocks: dict[str, Any], devices: dict[str, Device]) -> None:
        name = self.options["slave"]
        slave = blocks.get(name)
        if slave is None or not hasattr(slave, "exchange"):
            raise BoardError(f"devices.{self.name}.slave: no SPI slave block named {name!r}")
        function = slave.isu_function()
        if function not in (None, "spi"):
            raise BoardError(f"devices.{self.name}.slave: {slave.isu.name} is in "
                             f"{function.upper()} mode on this board, not SPI")
        if self.options["bus"].split("-")[0] == name.split("-")[0]:
            raise BoardError(f"devices.{self.name}: {name} is on the same ISU as its master "
                             f"{self.options['bus']} (an ISU has one function at a time)")
        self.part = slave.port
        super().attach(blocks, devices)


class AnalogInputDevice(Device):
    """A voltage on an ADC channel (a potentiometer, a light sensor's output, a Click AN)."""
    STATE = ("part",)

    TYPE = "analog-input"
    OPTIONS = {"adc": str, "channel": parse_int, "voltage": str}
    DRIVE_HELP = "a voltage from 0 to 2.5 V"

    def __init__(self, spec: DeviceSpec, ctx: DeviceContext) -> None:
        super().__init__(spec, ctx)
        channel = self.options.get("channel", 0)
        if not 0 <= channel < 8:
            raise BoardError(f"devices.{self.name}.channel: the ADC has channels 0-7, "
                             f"not {channel}")
        try:
            voltage = parse_quantity("voltage", self.options.get("voltage", "0"))[0]
        except SphereEmuError as err:
            raise BoardError(f"devices.{self.name}.{err}") from None
        self.part = AnalogInput(self.name, channel, voltage)

    def attach(self, blocks: dict[str, Any], devices: dict[str, Device]) -> None:
        name = self.options.get("adc", "adc")
        block = blocks.get(name)
        if block is None or not hasattr(block, "connect"):
            raise BoardError(f"devices.{self.name}.adc: no ADC named {name!r}")
        block.connect(self.part)

    @property
    def state(self) -> float:
        return self.part.voltage

    def describe(self, state: Any) -> str:
        return f"{state:g}V"

    def set(self, quantity: str, value: str | tuple[float, ...] | float) -> None:
        self.part.set(quantity, value)

    def parse_drive(self, attr: str | None, text: str) -> Callable[[], None]:
        if attr not in (None, "voltage"):
            raise DriveError(f"{self.name}: cannot drive {attr} (it takes {self.name}="
                             f"{{voltage}})")
        try:
            value = parse_quantity("voltage", text)
        except SphereEmuError as err:
            raise DriveError(str(err)) from None
        return lambda: self.set("voltage", value)


BUS_DEVICE_CLASSES: tuple[type[Device], ...] = (
    I2cRegisterFile, Eeprom24cxx, Lsm6dsoDevice, Lsm6ds3Device, Lps22hhDevice,
    SpiNorFlashDevice, SpiSlaveLink, AnalogInputDevice)
