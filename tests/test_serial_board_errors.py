"""Bad board devices and sensor values: one line `sphere-emu: error: ...`, exit status 2."""

import subprocess
import sys

import pytest
from conftest import BOARDS, PREBUILT, ROOT

CASES = {
    "device on an ISU in another mode": (
        "peripherals:\n  isu2: {function: uart}\n"
        "devices:\n  imu: {type: lsm6dso, bus: isu2-i2c, address: 0x6A}\n",
        "devices.imu.bus: isu2 is in UART mode on this board, not I2C"),
    "two devices at one I2C address": (
        "devices:\n  a: {type: eeprom-24cxx, bus: isu1-i2c, address: 0x50}\n"
        "  b: {type: i2c-register-file, bus: isu1-i2c, address: 0x50}\n",
        "devices a and b both use I2C address 0x50 on isu1-i2c"),
    "SPI device on an I2C bus": (
        "devices:\n  f: {type: spi-nor-flash, bus: isu1-i2c}\n",
        "devices.f.bus: isu1-i2c is not an SPI bus"),
    "SPI slave on an ISU in another mode": (
        "peripherals:\n  isu1: {function: i2c}\n"
        "devices:\n  link: {type: spi-slave-link, bus: isu0-spim, cs: 0, slave: isu1-spis}\n",
        "devices.link.slave: isu1 is in I2C mode on this board, not SPI"),
    "SPI slave on the master's own ISU": (
        "devices:\n  link: {type: spi-slave-link, bus: isu0-spim, cs: 0, slave: isu0-spis}\n",
        "devices.link: isu0-spis is on the same ISU as its master isu0-spim (an ISU has one "
        "function at a time)"),
    "SPI slave link to a block that is no slave": (
        "devices:\n  link: {type: spi-slave-link, bus: isu0-spim, slave: isu1-uart}\n",
        "devices.link.slave: no SPI slave block named 'isu1-uart'"),
    "analog value out of range": (
        "devices:\n  pot: {type: analog-input, channel: 0, voltage: 3.3V}\n",
        "devices.pot.voltage: '3.3V' is out of range (0 to 2.5 V)"),
}


def run(board, *extra):
    return subprocess.run(
        [sys.executable, "-m", "sphere_emu", "run", str(board), str(PREBUILT / "hello-rt.elf"),
         "--core", "io0", "--timeout", "1ms", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_board_device_is_one_line(case, tmp_path):
    body, message = CASES[case]
    board = tmp_path / "board.yaml"
    board.write_text(f"include: {BOARDS / 'mt3620-rdb.yaml'}\n{body}")
    proc = run(board)
    assert proc.returncode == 2
    assert proc.stderr == f"sphere-emu: error: {message}\n"


@pytest.mark.parametrize("drive, message", [
    ("pot=3V@1ms", "voltage: '3V' is out of range (0 to 2.5 V)"),
    ("flash.accel=1@1ms", "flash: cannot drive accel (it takes nothing)"),
])
def test_bad_sensor_drive_is_one_line(drive, message):
    proc = run(ROOT / "tests" / "data" / "serial-selftest.yaml", "--drive", drive)
    assert proc.returncode == 2
    assert proc.stderr == f"sphere-emu: error: --drive {drive!r}: {message}\n"
