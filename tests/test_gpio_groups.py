"""The GPIO function of the ADC, ISU and I2S pin groups, through their blocks' own GPIO
registers: firmware/apps/gpio-groups-selftest drives the RDB's status LED (GPIO45-47, on the
ADC block) and loops pads between groups over the wires of tests/data/gpio-groups.yaml."""

from conftest import PREBUILT, ROOT

from sphere_emu.testing import EmulatedDevice

BOARD = ROOT / "tests" / "data" / "gpio-groups.yaml"
APP = PREBUILT / "gpio-groups-selftest.elf"


def run() -> tuple[list[tuple[int, str]], dict[str, bool]]:
    dev = EmulatedDevice(BOARD, io0=APP)
    done = dev.wait_for_line(r"^gpio-groups-selftest: ", timeout="5ms")
    lines = [(e.time_ns, e.line) for e in dev.lines]
    assert done.line == "gpio-groups-selftest: 12 passed, 0 failed", \
        "\n".join(line for _, line in lines)
    leds = {name: dev.device(name).on for name in ("status-red", "status-green", "status-blue")}
    return lines, leds


def test_status_led_and_cross_group_loopback_twice_identical():
    first = run()
    assert first == run()
    assert first[1] == {"status-red": True, "status-green": False, "status-blue": True}
