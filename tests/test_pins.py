"""The pin model and the board devices on it, driven from Python (no firmware needed)."""

import pytest
from conftest import BOARDS

from sphere_emu.board import load_board
from sphere_emu.clock import Clock
from sphere_emu.machine import Machine
from sphere_emu.pins import Pins, Strength, Waveform

RDB = BOARDS / "mt3620-rdb.yaml"


def test_strongest_contribution_decides_and_is_named():
    pins = Pins(Clock())
    pin = pins.get("GPIO5")
    assert (pin.level, pin.driver) == (0, "floating")
    pin.drive("pad-pull", Strength.PULL, 1)
    assert (pin.level, pin.driver) == (1, "pad-pull")
    pin.drive("button", Strength.DEVICE, 0)
    assert (pin.level, pin.driver) == (0, "button")
    pin.drive("gpio0", Strength.CORE, 1)
    assert (pin.level, pin.driver) == (1, "gpio0")
    pin.drive("gpio0", Strength.CORE, None)
    pin.drive("button", Strength.DEVICE, None)
    assert (pin.level, pin.driver) == (1, "pad-pull")


def test_observers_see_each_change_once_with_its_time():
    clock = Clock()
    pins = Pins(clock)
    seen = []
    pins.get("GPIO3").watch(lambda pin, t, level: seen.append((t, level)))
    clock.schedule_at(100, lambda: pins.get("GPIO3").drive("x", Strength.DEVICE, 1))
    clock.schedule_at(200, lambda: pins.get("GPIO3").drive("x", Strength.DEVICE, 1))
    clock.schedule_at(300, lambda: pins.get("GPIO3").drive("x", Strength.DEVICE, 0))
    clock.advance_to(1000)
    assert seen == [(100, 1), (300, 0)]


def test_pwm_level_is_computed_without_events_until_someone_watches():
    clock = Clock()
    pins = Pins(clock)
    pin = pins.get("GPIO8")
    # 26 MHz ticks: 6500 high, 19500 low = 1 kHz at 25 % duty, starting at t = 0.
    pin.drive("pwm2", Strength.CORE, Waveform(0, 26_000_000, 6500, 19500))
    assert clock.next_event_ns() is None  # nobody watches: no edge is an event
    clock.advance_to(3_100_000)
    assert pin.level_at(3_100_000) == 1 and pin.level_at(3_300_000) == 0
    edges = []
    pin.watch(lambda p, t, level: edges.append((t, level)))
    clock.advance_to(5_000_001)
    assert edges == [(3_250_000, 0), (4_000_000, 1), (4_250_000, 0), (5_000_000, 1)]


def test_board_devices_follow_their_pins_and_polarity():
    m = Machine(load_board(RDB))
    led, button = m.devices["led1-red"], m.devices["button-a"]
    assert not led.on  # a floating pin lights nothing
    m.pins.get("GPIO8").drive("io0", Strength.CORE, 0)
    assert led.on  # active low
    assert m.pins.get("GPIO12").level == 1  # the board's pull-up
    button.press()
    assert m.pins.get("GPIO12").level == 0 and button.pressed
    button.release()
    assert m.pins.get("GPIO12").level == 1


def test_wire_passes_outputs_pulls_and_waveforms_both_ways():
    m = Machine(load_board(BOARDS.parent / "tests" / "data" / "gpio-loopback.yaml"))
    a, b = m.pins.get("GPIO0"), m.pins.get("GPIO1")
    a.drive("gpio0", Strength.CORE, 1)
    assert b.level == 1
    a.drive("gpio0", Strength.CORE, 0)
    assert b.level == 0
    a.drive("gpio0", Strength.CORE, None)
    b.drive("pad", Strength.PULL, 1)  # a pull-up at the far end reaches this end
    assert a.level == 1 and a.driver == "loop01"
    b.drive("pad", Strength.PULL, None)
    a.drive("gpio0", Strength.CORE, Waveform(0, 1_000_000, 1, 3))
    assert [b.level_at(t) for t in (0, 1000, 2000, 4000)] == [1, 0, 0, 1]


def test_device_on_a_missing_pin_is_a_board_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"include: {RDB}\ndevices:\n  led9: {{type: led, pin: GPIO200}}\n")
    with pytest.raises(Exception, match=r"devices\.led9\.pin: no pin 'GPIO200'"):
        load_board(bad)


def test_testing_api_press_wait_and_history():
    from sphere_emu.testing import EmulatedDevice
    dev = EmulatedDevice(RDB, io0=BOARDS.parent / "firmware" / "prebuilt" / "hello-rt.elf")
    dev.drive("button-b=pressed@2ms")
    assert dev.wait_for_pin("GPIO13", 0, timeout="10ms") == 2_000_000
    dev.run_for("1ms")
    dev.release("button-b")
    assert dev.pin("GPIO13").level == 1
    assert dev.device("button-b").history == [(0, False), (2_000_000, True), (3_000_000, False)]
    dev.drive("GPIO8=0@5ms")
    assert dev.wait_for_device("led1-red", "on", timeout="10ms") == 5_000_000
    with pytest.raises(AssertionError, match="no led1-red 'off'"):
        dev.wait_for_device("led1-red", "off", timeout="1ms")
