"""Protocol logic of the I2C/SPI bus devices, driven as a controller would drive them.
(The real tests are the firmware self-tests; these pin down the device side alone.)"""

import pytest

from sphere_emu.devices.analog import AnalogInput
from sphere_emu.devices.i2c import Eeprom24, I2cBus, RegisterFileDevice
from sphere_emu.devices.spi import SpiMode
from sphere_emu.devices.spi_flash import SpiNorFlash
from sphere_emu.devices.st_imu import Lps22hh, Lsm6ds3, Lsm6dso
from sphere_emu.errors import SphereEmuError


class Now:
    def __init__(self) -> None:
        self.ns = 0

    def __call__(self) -> int:
        return self.ns


def read_regs(bus: I2cBus, address: int, reg: int, count: int) -> bytes | None:
    if not bus.start(address, read=False):
        bus.stop()
        return None
    bus.write(bytes([reg]))
    bus.start(address, read=True)
    data = bus.read(count)
    bus.stop()
    return data


def write_regs(bus: I2cBus, address: int, reg: int, data: bytes) -> None:
    assert bus.start(address, read=False)
    bus.write(bytes([reg]) + data)
    bus.stop()


def test_absent_address_nacks_and_reads_idle_bus():
    bus = I2cBus("isu2")
    assert read_regs(bus, 0x50, 0, 2) is None
    assert bus.read(2) == b"\xff\xff"


def test_two_devices_at_one_address_is_a_one_line_error():
    bus = I2cBus("isu2")
    bus.attach(RegisterFileDevice("a", 0x50))
    with pytest.raises(SphereEmuError, match="both use I2C address 0x50 on isu2"):
        bus.attach(RegisterFileDevice("b", 0x50))


def test_register_file_pointer_and_auto_increment():
    bus = I2cBus("b")
    bus.attach(RegisterFileDevice("r", 0x20))
    write_regs(bus, 0x20, 0xFE, b"\x11\x22\x33")  # wraps from 0xFF to 0x00
    assert read_regs(bus, 0x20, 0xFE, 3) == b"\x11\x22\x33"


def test_eeprom_page_write_wraps_and_reads_run_on():
    bus = I2cBus("b")
    rom = Eeprom24("rom", 0x50, "24c32")
    bus.attach(rom)
    assert bus.start(0x50, read=False)
    bus.write(b"\x00\x1e" + bytes(range(4)))  # page 32 bytes: 0x1E,0x1F then wrap to 0x00
    bus.stop()
    assert rom.mem[0x1E:0x20] == b"\x00\x01" and rom.mem[0:2] == b"\x02\x03"
    assert bus.start(0x50, read=False) and bus.write(b"\x0f\xff") == 2
    assert bus.start(0x50, read=True)
    assert bus.read(3) == b"\xff\x02\x03"  # from the last byte round to the first


def test_lsm6dso_identity_data_and_data_ready_in_time():
    now = Now()
    imu = Lsm6dso("imu", now_ns=now)
    bus = I2cBus("isu2")
    bus.attach(imu)
    assert read_regs(bus, 0x6A, 0x0F, 1) == b"\x6c"
    imu.set("accel", "0,0.5,-1g")
    write_regs(bus, 0x6A, 0x10, b"\x48")  # 104 Hz, +-4 g (0.122 mg/LSB)
    assert read_regs(bus, 0x6A, 0x1E, 1)[0] & 1 == 0
    now.ns = 10_000_000  # one 104 Hz period later
    assert read_regs(bus, 0x6A, 0x1E, 1)[0] & 1 == 1
    data = read_regs(bus, 0x6A, 0x28, 6)
    x, y, z = (int.from_bytes(data[i:i + 2], "little", signed=True) for i in (0, 2, 4))
    assert (x, y, z) == (0, round(0.5 / 0.122e-3), round(-1 / 0.122e-3))
    assert read_regs(bus, 0x6A, 0x1E, 1)[0] & 1 == 0  # read -> no new sample yet


def test_lsm6dso_sensor_hub_reads_the_lps22hh():
    now = Now()
    imu = Lsm6dso("imu", now_ns=now)
    baro = Lps22hh("baro", now_ns=now)
    imu.hub.attach(baro)
    baro.set("pressure", "1000.5hPa")
    bus = I2cBus("isu2")
    bus.attach(imu)
    write_regs(bus, 0x6A, 0x01, b"\x40")                # sensor-hub bank
    write_regs(bus, 0x6A, 0x15, bytes([0x5C << 1 | 1, 0x0F, 1]))  # SLV0: read WHO_AM_I
    write_regs(bus, 0x6A, 0x14, b"\x04")                # MASTER_ON
    write_regs(bus, 0x6A, 0x01, b"\x00")
    write_regs(bus, 0x6A, 0x10, b"\x40")                # XL 104 Hz triggers the hub
    assert read_regs(bus, 0x6A, 0x39, 1) == b"\x00"
    now.ns = 10_000_000
    assert read_regs(bus, 0x6A, 0x39, 1) == b"\x01"     # SENS_HUB_ENDOP
    write_regs(bus, 0x6A, 0x01, b"\x40")
    assert read_regs(bus, 0x6A, 0x02, 1) == b"\xb3"
    write_regs(bus, 0x6A, 0x15, bytes([0x5C << 1 | 1, 0x28, 3]))
    now.ns = 20_000_000
    raw = int.from_bytes(read_regs(bus, 0x6A, 0x02, 3), "little")
    assert raw == round(1000.5 * 4096)


def test_lsm6ds3_identity_and_temperature_scale():
    imu = Lsm6ds3("imu")
    imu.set("temperature", 35.0)
    bus = I2cBus("b")
    bus.attach(imu)
    assert read_regs(bus, 0x6A, 0x0F, 1) == b"\x69"
    assert int.from_bytes(read_regs(bus, 0x6A, 0x20, 2), "little", signed=True) == 160


def test_sensor_values_are_checked():
    imu = Lsm6dso("imu")
    with pytest.raises(SphereEmuError, match="out of range"):
        imu.set("accel", "0,0,40g")
    with pytest.raises(SphereEmuError, match="expected 3"):
        imu.set("accel", "1")
    with pytest.raises(SphereEmuError, match="out of range"):
        AnalogInput("pot", 0, 3.0)


MODE0 = SpiMode()


def spi(flash: SpiNorFlash, mosi: bytes, mode: SpiMode = MODE0) -> bytes:
    flash.spi_select(mode)
    out = flash.spi_exchange(mosi)
    flash.spi_deselect()
    return out


def test_flash_id_program_erase_and_busy_time(tmp_path):
    now = Now()
    flash = SpiNorFlash("flash", now_ns=now, path=tmp_path / "flash.bin")
    assert spi(flash, b"\x9f\0\0\0")[1:] == b"\xef\x40\x16"
    spi(flash, b"\x02\x00\x01\x00abc")             # no WEL: ignored
    assert spi(flash, b"\x03\x00\x01\x00\0\0\0")[4:] == b"\xff\xff\xff"
    spi(flash, b"\x06")
    spi(flash, b"\x02\x00\x01\xfeabcd")            # wraps inside the page
    assert spi(flash, b"\x05\0")[1] & 1            # WIP
    assert spi(flash, b"\x03\x00\x01\x00\0\0")[4:] == b"\xff\xff"  # busy: ignored
    now.ns = 400_000
    assert spi(flash, b"\x05\0")[1] == 0
    assert spi(flash, b"\x03\x00\x01\xfe\0\0")[4:] == b"ab"
    assert spi(flash, b"\x03\x00\x01\x00\0\0")[4:] == b"cd"
    spi(flash, b"\x06")
    spi(flash, b"\x20\x00\x01\x23")
    now.ns += 45_000_000
    assert spi(flash, b"\x0b\x00\x01\x00\0" + bytes(2))[5:] == b"\xff\xff"
    spi(flash, b"\x06")
    spi(flash, b"\x02\x00\x00\x10xyz")
    flash.save()
    assert (tmp_path / "flash.bin").read_bytes()[0x10:0x13] == b"xyz"
    again = SpiNorFlash("flash", path=tmp_path / "flash.bin")
    assert spi(again, b"\x03\x00\x00\x10\0\0\0")[4:] == b"xyz"


def test_flash_in_a_mode_it_does_not_support_reads_idle_bus():
    flash = SpiNorFlash("flash")
    assert spi(flash, b"\x9f\0\0\0", SpiMode(cpol=0, cpha=1)) == b"\xff" * 4
    lsb = spi(flash, bytes([0xF9, 0, 0, 0]), SpiMode(lsb_first=True))  # 0x9F bit-reversed
    assert lsb[1:] == bytes(int(f"{b:08b}"[::-1], 2) for b in b"\xef\x40\x16")
