"""The serial engines, DMA, ADC and watchdog as real firmware sees them: the project's own
self-tests (firmware/apps/*-selftest) on the emulated IO core, against the board devices
declared in tests/data/serial-selftest.yaml. Each runs twice with identical output."""

import re
import subprocess
import sys

import pytest
from conftest import PREBUILT, ROOT

from sphere_emu.testing import EmulatedDevice

BOARD = ROOT / "tests" / "data" / "serial-selftest.yaml"
SELFTESTS = {  # app: (checks, virtual time it may take)
    "i2c-selftest": (24, "50ms"),
    "spi-selftest": (17, "200ms"),
    "dma-selftest": (20, "50ms"),
    "adc-selftest": (10, "100ms"),
    "wdt-selftest": (6, "1s"),
    "rgu-selftest": (5, "10ms"),
    "dwt-selftest": (9, "50ms"),
    "spis-selftest": (12, "20ms"),
}
BOARDS_BY_APP = {"spis-selftest": ROOT / "tests" / "data" / "spi-slave-loopback.yaml"}


def run_selftest(app: str) -> list[tuple[int, str]]:
    checks, timeout = SELFTESTS[app]
    dev = EmulatedDevice(BOARDS_BY_APP.get(app, BOARD), io0=PREBUILT / f"{app}.elf")
    done = dev.wait_for_line(rf"^{app}: \d+ passed", timeout=timeout)
    lines = [(e.time_ns, e.line) for e in dev.lines]
    failures = [line for _, line in lines if line.startswith("FAIL")]
    assert not failures, "\n".join(failures)
    assert done.line == f"{app}: {checks} passed, 0 failed"
    return lines


@pytest.mark.parametrize("app", sorted(SELFTESTS))
def test_selftest_passes_twice_with_identical_output(app):
    assert run_selftest(app) == run_selftest(app)


def test_isu_uart_output_by_dma_reaches_its_port():
    dev = EmulatedDevice(BOARD, io0=PREBUILT / "dma-selftest.elf")
    dev.wait_for_line(r"^dma-selftest: ", timeout="50ms")
    assert dev.output("isu0-uart") == b"ISU0 by DMA\r\n"  # the looped-back "ping" stays inside


def test_adc_samples_follow_a_voltage_driven_in_virtual_time():
    dev = EmulatedDevice(BOARD, io0=PREBUILT / "adc-selftest.elf")
    dev.drive("pot=2V@10ms")
    codes = dev.wait_for_line(r"^periodic ch0 codes:", timeout="100ms").line.split(":")[1]
    values = [int(v) for v in codes.split()]
    # 1 kHz from about 0.08 ms: samples 0..9 before the change, the rest after it
    assert values == [2048] * 10 + [int(2.0 * 4096 / 2.5)] * 14  # an ADC truncates


def test_watchdog_reset_is_reported_with_core_and_time():
    proc = subprocess.run(
        [sys.executable, "-m", "sphere_emu", "run", str(BOARD), str(PREBUILT / "wdt-selftest.elf"),
         "--core", "io0", "--timeout", "2s", "--expect", r"wdt-selftest: 6 passed, 0 failed"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    # armed at about 462.5 ms (after 400 ms of kicking) with a 1/32 s timeout
    assert re.search(r"^io0: watchdog timeout reset at 0\.4937\d\ds$", proc.stderr, re.M)
    assert re.search(r"^io0: watchdog software reset at 0\.4937\d\ds$", proc.stderr, re.M)
    assert proc.stdout.count("wdt-selftest boot") == 3


def test_avnet_sensors_answer_at_their_addresses_with_the_values_set():
    dev = EmulatedDevice(ROOT / "boards" / "avnet-mt3620-sk.yaml",
                         io0=PREBUILT / "lsm6dso-selftest.elf")
    dev.device("lsm6dso").set("accel", "0.5,-0.25,1g")
    dev.device("lsm6dso").set("gyro", "10,-20,300dps")
    dev.drive("lps22hh.pressure=1000.5hPa@10ms")  # before the firmware reads it (~40 ms)
    done = dev.wait_for_line(r"^lsm6dso-selftest: ", timeout="200ms")
    lines = [e.line for e in dev.lines]
    assert done.line == "lsm6dso-selftest: 5 passed, 0 failed", "\n".join(lines)
    # raw = value / sensitivity, printed back as mg (0.061 mg/LSB) and mdps (70 mdps/LSB)
    assert "accel mg: 500 -249 999" in lines
    assert "gyro mdps: 10010 -20020 300020" in lines
    assert "pressure hPa*100: 100050" in lines
