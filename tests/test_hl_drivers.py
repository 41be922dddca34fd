"""The kernel's peripheral drivers as high-level apps use them through applibs (firmware/hl/
apps/*-hl, firmware/a7/kernel/{i2c,spi,adc,pwm,power}.c): each app boots through the verified
chain on the RDB with the published samples' parts attached (tests/data/hl-samples.yaml),
drives the peripheral models through their registers from the A7, and prints what it read;
the test changes the world between readings and checks the app saw it. Capabilities the
manifest lacks give the documented errno, a console line, and the app runs on."""

import json
from pathlib import Path

from conftest import BOARDS, PREBUILT

from sphere_emu.cpu.core import CoreState
from sphere_emu.testing import EmulatedDevice

DATA = Path(__file__).parent / "data"
SAMPLES = DATA / "hl-samples.yaml"
RDB = BOARDS / "mt3620-rdb.yaml"
HL_APPS = Path(__file__).parent.parent / "firmware" / "hl" / "apps"


def console(device: EmulatedDevice) -> list[str]:
    return [e.line for e in device.lines if e.port == "a7-uart"]


def app_lines(device: EmulatedDevice, app: str) -> list[str]:
    """What the app printed: the console from its start to its end, kernel lines included."""
    out = console(device)
    start = out.index(f"[kernel] starting {app}") + 1
    return out[start:]


def repacked(tmp_path: Path, cli, app: str, change) -> Path:
    """The app's prebuilt executable under a changed manifest."""
    manifest = json.loads((HL_APPS / app / "app_manifest.json").read_text())
    change(manifest["Capabilities"])
    (tmp_path / "app_manifest.json").write_text(json.dumps(manifest))
    package = tmp_path / f"{app}.imagepackage"
    r = cli("image", "pack-application", "--key", "development", "--manifest",
            str(tmp_path / "app_manifest.json"), "--executable", str(PREBUILT / f"{app}.elf"),
            "-o", str(package))
    assert r.returncode == 0, r.stderr
    return package


def test_i2c_accelerometer_read_through_i2c_dev():
    device = EmulatedDevice.boot(SAMPLES, PREBUILT / "i2c-accel-hl.imagepackage")
    device.wait_for_line("acceleration:", timeout="2s")
    device.device("accel").set("accel", (0.5, -0.25, 1.0))
    device.wait_for_line("exited with status", timeout="1s")
    out = app_lines(device, "i2c-accel-hl")
    assert out[:5] == [
        "i2c-accel-hl: starting",
        "WHO_AM_I=0x69 (I2CMaster_WriteThenRead)",
        "WHO_AM_I=0x69 (I2CMaster_Write + I2CMaster_Read)",
        "WHO_AM_I=0x69 (POSIX write + read)",
        "read from absent 0x1d: -1, errno=6 (No such device or address)",
    ]
    readings = [line for line in out if line.startswith("acceleration:")]
    assert readings[0] == "acceleration: x=0.000 y=0.000 z=1.000 g"
    assert readings[-1] == "acceleration: x=0.500 y=-0.250 z=1.000 g"
    assert len(readings) == 4
    assert out[-2:] == ["i2c-accel-hl: done", "[kernel] app i2c-accel-hl exited with status 0"]
    firewall = device.machine.peripherals["firewall"]
    assert firewall.denials == []
    table = {row["block"]: row["access"] for row in firewall.ownership()}
    assert table["isu2"] == {"a7": "rw"}


def test_i2c_without_the_capability_is_eacces_and_the_app_runs_on(tmp_path, cli):
    package = repacked(tmp_path, cli, "i2c-accel-hl",
                       lambda caps: caps.pop("I2cMaster"))
    device = EmulatedDevice.boot(SAMPLES, package)
    device.wait_for_line("exited with status", timeout="1s")
    assert app_lines(device, "i2c-accel-hl") == [
        "i2c-accel-hl: starting",
        "EACCES: i2c-accel-hl I2cMaster ISU2 not in manifest",
        "I2CMaster_Open: errno=13 (Permission denied)",
        "i2c-accel-hl: no accelerometer, still running",
        "[kernel] app i2c-accel-hl exited with status 1",
    ]
    assert device.machine.peripherals["firewall"].denials == []


def test_adc_polls_the_channel_voltage_of_the_moment():
    device = EmulatedDevice.boot(SAMPLES, PREBUILT / "adc-hl.imagepackage")
    device.wait_for_line("ADC channel 1:", timeout="2s")
    device.device("pot").set("voltage", 0.5)
    device.wait_for_line("exited with status", timeout="1s")
    out = app_lines(device, "adc-hl")
    assert out[:3] == ["ADC: 12-bit samples", "ADC_SetReferenceVoltage(1.8 V): -1, errno=22",
                       "ADC channel 1: 2048 (1.250 V)"]
    assert out[-2:] == ["ADC channel 1: 819 (0.500 V)", "[kernel] app adc-hl exited with status 0"]


def high_fraction(pin, end_ns: int, span_ns: int = 1_000_000, step_ns: int = 500) -> float:
    levels = [pin.level_at(t) for t in range(end_ns - span_ns, end_ns, step_ns)]
    return sum(levels) / len(levels)


def test_pwm_duty_is_seen_on_the_pin():
    device = EmulatedDevice.boot(RDB, PREBUILT / "pwm-hl.imagepackage")
    pin = device.pin("GPIO9")  # PWM controller 2, channel 1
    for duty in (0.25, 0.75):
        device.wait_for_line(f"pwm: duty {int(duty * 1_000_000)}/1000000 ns", timeout="2s")
        device.run_for("20ms")
        assert pin.driver == "pwm2"
        assert abs(high_fraction(pin, device.now_ns) - duty) < 0.01
    device.wait_for_line("exited with status", timeout="1s")
    out = app_lines(device, "pwm-hl")
    assert "pwm: duty > period: -1, errno=22" in out
    assert "pwm: channel 7: -1, errno=19" in out
    assert pin.driver != "pwm2"  # disabled: the pad is the GPIO block's again


def test_spi_flash_read_through_spidev():
    device = EmulatedDevice.boot(SAMPLES, PREBUILT / "spi-flash-hl.imagepackage")
    device.device("flash").part.mem[0x100:0x110] = bytes(range(0xA0, 0xB0))
    device.wait_for_line("exited with status", timeout="2s")
    assert app_lines(device, "spi-flash-hl") == [
        "JEDEC ID: ef 40 16 (4 bytes transferred)",
        "read at 0x100 (20): a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af",
        "a 40-byte read: -1, errno=90",  # EMSGSIZE: more than the block's 32 bytes
        "[kernel] app spi-flash-hl exited with status 0",
    ]


def test_each_missing_capability_is_refused_and_the_app_runs_on():
    device = EmulatedDevice.boot(SAMPLES, PREBUILT / "caps-hl.imagepackage")
    device.wait_for_line("exited with status", timeout="2s")
    assert app_lines(device, "caps-hl") == [
        "EACCES: caps-hl I2cMaster ISU2 not in manifest",
        "I2CMaster_Open(ISU2) -> -1, errno 13 (Permission denied)",
        "EACCES: caps-hl SpiMaster ISU1 not in manifest",
        "SPIMaster_Open(ISU1, CS A) -> -1, errno 13 (Permission denied)",
        "EACCES: caps-hl Adc ADC-CONTROLLER-0 not in manifest",
        "ADC_Open(0) -> -1, errno 13 (Permission denied)",
        "EACCES: caps-hl Pwm PWM-CONTROLLER-2 not in manifest",
        "PWM_Open(2) -> -1, errno 13 (Permission denied)",
        "EPERM: caps-hl PowerControls ForceReboot not in manifest",
        "PowerManagement_ForceSystemReboot -> -1, errno 1 (Operation not permitted)",
        "EPERM: caps-hl PowerControls ForcePowerDown not in manifest",
        "PowerManagement_ForceSystemPowerDown -> -1, errno 1 (Operation not permitted)",
        "EACCES: caps-hl SystemEventNotifications not in manifest",
        "SysEvent_RegisterForEventNotifications -> -1, errno 13 (Permission denied)",
        "Networking_IsNetworkingReady -> 0",
        "networking ready: no",
        "1 interface: wlan0, enabled 1, status 0",
        "[gpio] caps-hl: GPIO 8 = low",
        "[gpio] caps-hl: GPIO 8 = high",
        "caps-hl still running after the refusals",
        "[kernel] app caps-hl exited with status 0",
    ]
    assert device.machine.peripherals["firewall"].denials == []


def test_a_reboot_request_boots_the_device_again():
    device = EmulatedDevice.boot(RDB, PREBUILT / "power-hl.imagepackage")
    device.wait_for_line(r"\[SM\] reboot requested", timeout="1s")
    device.wait_for_line(r"\[kernel\] starting power-hl", timeout="1s")
    out = console(device)
    starts = out.count("[kernel] starting power-hl")
    assert starts >= 2 and device.chain.reboots in (starts - 1, starts)  # it asks each boot
    assert "EPERM: power-hl PowerControls ForcePowerDown not in manifest" in out
    assert "[kernel] power-hl: reboot requested" in out


def test_a_power_down_request_ends_the_run(tmp_path, cli):
    package = repacked(tmp_path, cli, "power-hl",
                       lambda caps: caps.update(PowerControls=["ForcePowerDown"]))
    device = EmulatedDevice.boot(RDB, package)
    device.wait_for_line(r"\[SM\] power down requested", timeout="1s")
    device.run_for("10ms")
    assert all(core.state is CoreState.HELD for core in device.machine.cores.values())
    out = console(device)
    assert out[-2:] == ["[kernel] power-hl: power down requested for at most 60 s",
                        "[SM] power down requested"]
    assert "power-hl: asking to reboot" not in out


def run_good(*others: str) -> EmulatedDevice:
    device = EmulatedDevice.boot(RDB, PREBUILT / "fw-good-rt.imagepackage",
                                 *(PREBUILT / other for other in others))
    device.wait_for_line("fw-good-rt: done", timeout="1s")
    return device


def test_a_high_level_escape_is_refused_by_the_drivers_and_the_firewall_sees_nothing():
    """Issue 14: the high-level app reaches for ISU0 (owned by fw-good-rt on io0) and blocks
    nobody gave it; its kernel refuses every open, the firewall is never asked, and the
    real-time app's output is byte-identical to a run without the offender."""
    alone = run_good()
    device = run_good("fw-escape-hl.imagepackage")  # the HL app ends before fw-good-rt
    assert "[kernel] app fw-escape-hl exited with status 0" in console(device)
    attempts = [line for line in console(device) if line.startswith("fw-escape-hl:")]
    assert attempts == [f"fw-escape-hl: {what}: refused, errno 13" for what in (
        "UART ISU0", "I2C ISU0", "SPI ISU0", "GPIO 0", "GPIO 12", "ADC", "PWM 0")] + [
        "fw-escape-hl: GPIO 8 (its own): ALLOWED (fd 4)", "fw-escape-hl: done"]
    for capability in ("Uart ISU0", "I2cMaster ISU0", "SpiMaster ISU0", "Gpio 0", "Gpio 12",
                       "Adc ADC-CONTROLLER-0", "Pwm PWM-CONTROLLER-0"):
        assert f"EACCES: fw-escape-hl {capability} not in manifest" in console(device)
    assert device.machine.peripherals["firewall"].denials == []
    for port in ("io0-uart", "isu0-uart"):
        assert device.output(port) == alone.output(port), port
    assert device.halted() == {}
