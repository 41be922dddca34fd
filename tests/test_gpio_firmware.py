"""GPIO, PWM, EINT and the GPIO counter seen by real firmware on the emulated IO cores
(firmware/apps/gpio-blink, gpio-pwm, gpio-selftest), through the CLI and the testing API."""

import re

import pytest
from conftest import BOARDS, PREBUILT, ROOT
from vcd_reader import edges, read_vcd

from sphere_emu.testing import EmulatedDevice

RDB = str(BOARDS / "mt3620-rdb.yaml")
LOOPBACK = ROOT / "tests" / "data" / "gpio-loopback.yaml"
BLINK = f"io0={PREBUILT / 'gpio-blink.elf'}"
HALF_PERIOD_NS = 8192 * 1_000_000_000 // 32768  # GPT0 at 32768 Hz, ICNT 8192
DEBOUNCE_NS = 4_000_000


def test_blink_period_in_vcd_is_the_programmed_period_exactly_and_repeatable(cli, tmp_path):
    files = []
    for run in (1, 2):
        vcd = tmp_path / f"blink{run}.vcd"
        r = cli("run", RDB, "--core", BLINK, "--timeout", "2.1s", "--quiet", "--vcd", str(vcd))
        assert r.returncode == 0, r.stderr
        files.append(vcd.read_bytes())
    assert files[0] == files[1]
    gpio8 = read_vcd(tmp_path / "blink1.vcd")["pins.GPIO8"]
    falls, rises = edges(gpio8, "0"), edges(gpio8, "1")
    assert len(falls) == 4 and len(rises) >= 4
    toggles = sorted(falls + rises)[1:]  # the first rise is the pin becoming an output
    assert {b - a for a, b in zip(toggles, toggles[1:], strict=False)} == {HALF_PERIOD_NS}
    led = read_vcd(tmp_path / "blink1.vcd")["devices.led1-red"]
    assert [b - a for a, b in zip(edges(led, "1"), edges(led, "1")[1:], strict=False)] == [
        2 * HALF_PERIOD_NS] * 3


def test_button_from_cli_reaches_app_through_eint_within_debounce(cli):
    r = cli("run", RDB, "--core", BLINK, "--timeout", "1s", "--trace", "pins",
            "--drive", "button-a=pressed@300ms", "--drive", "button-a=released@400ms",
            "--drive", "button-a=pressed@500ms", "--drive", "button-a=released@501ms",
            "--expect", "button A press 2")
    # The 1 ms tap at 500 ms is shorter than the 4 ms debounce: it never reaches the app.
    assert r.returncode == 3, r.stderr
    assert "gpio-blink: button A press 1, led1-green on" in r.stdout
    on = [line for line in r.stderr.splitlines() if "led1-green on" in line]
    assert len(on) == 1
    seconds = float(re.match(r"\[\s*([\d.]+)\]", on[0]).group(1))
    assert 0.300 < seconds <= 0.300 + DEBOUNCE_NS / 1e9 + 1e-6
    assert "led1-green off" not in r.stderr


def test_button_from_pytest_toggles_led_after_the_debounce_time():
    dev = EmulatedDevice(RDB, io0=PREBUILT / "gpio-blink.elf")
    dev.wait_for_line(r"gpio-blink: ready", timeout="10ms")
    for n, state in ((1, "on"), (2, "off")):
        pressed_at = dev.now_ns
        dev.press("button-a")
        t = dev.wait_for_device("led1-green", state, timeout="20ms")
        assert pressed_at + DEBOUNCE_NS <= t <= pressed_at + DEBOUNCE_NS + 1000
        dev.wait_for_line(rf"button A press {n}, led1-green {state}", timeout="1ms")
        dev.release("button-a")
        dev.run_for("20ms")
    assert dev.pin("GPIO9").level == 1  # off again: RDB LEDs are active low
    assert [s for _, s in dev.device("led1-green").history] == [False, True, False]


def test_pwm_duty_in_vcd_is_the_programmed_duty(cli, tmp_path):
    vcd = tmp_path / "pwm.vcd"
    r = cli("run", RDB, "--core", f"io0={PREBUILT / 'gpio-pwm.elf'}", "--timeout", "250ms",
            "--expect", "gpio-pwm: done", "--vcd", str(vcd))
    assert r.returncode == 0, r.stderr
    tick_ns = 1e9 / 26e6
    gpio10 = read_vcd(vcd)["pins.GPIO10"]
    rises, falls = edges(gpio10, "1"), edges(gpio10, "0")
    for lo, hi, duty in ((10e6, 90e6, 0.25), (110e6, 190e6, 0.75)):
        r_in = [t for t in rises if lo <= t < hi]
        for a, b in zip(r_in, r_in[1:], strict=False):
            assert abs((b - a) - 1_000_000) <= tick_ns
            high = min(f for f in falls if f > a) - a
            assert abs(high - duty * 1_000_000) <= tick_ns
        assert len(r_in) >= 79


def test_pwm_pin_costs_no_event_per_edge_when_unwatched():
    dev = EmulatedDevice(RDB, io0=PREBUILT / "gpio-pwm.elf")
    for device in dev.machine.devices.values():  # nothing watches the LEDs' pins
        device._listeners.clear()
    dev.wait_for_line("duty 250/1000", timeout="10ms")
    queue_before = len(dev.machine.clock._queue)
    dev.run_for("20ms")
    pin = dev.pin("GPIO10")
    assert pin.driver == "pwm2"
    assert len(dev.machine.clock._queue) <= queue_before + 1


@pytest.mark.parametrize("core", ["io0", "io1"])
def test_gpio_selftest_passes_on_each_io_core(core):
    dev = EmulatedDevice(LOOPBACK, **{core: PREBUILT / "gpio-selftest.elf"})
    dev.wait_for_line(r"gpio-selftest: \d+ passed", timeout="100ms")
    fails = [e.line for e in dev.lines if e.line.startswith("FAIL")]
    assert not fails
    assert dev.lines[-1].line == "gpio-selftest: 20 passed, 0 failed"


def test_selftest_fails_without_the_jumper_wires():
    dev = EmulatedDevice(RDB, io0=PREBUILT / "gpio-selftest.elf")
    line = dev.wait_for_line(r"gpio-selftest: \d+ passed", timeout="100ms")
    assert not line.line.endswith(" 0 failed")
    assert any("FAIL dout_set 1 reads back on the wired input" in e.line for e in dev.lines)
