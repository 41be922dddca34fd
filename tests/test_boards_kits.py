"""The dev-kit boards as §12 of the peripheral reference describes them: the Seeed MT3620
Mini Dev Board's user LED and header aliases, the Avnet Starter Kit's LEDs and buttons."""

import subprocess
import sys

from conftest import BOARDS, PREBUILT, ROOT

from sphere_emu.testing import EmulatedDevice


def test_seeed_mini_user_led_is_gpio7_lit_low_and_headers_are_aliases():
    dev = EmulatedDevice(BOARDS / "seeed-mt3620-mdb.yaml", io0=PREBUILT / "hello-rt.elf")
    assert dev.pin("j1-pin9").number == 30 and dev.pin("j2-pin15").number == 35
    dev.drive("GPIO7=0@1ms")
    dev.drive("GPIO7=1@2ms")
    assert dev.wait_for_device("user-led", "on", timeout="5ms") == 1_000_000
    assert dev.wait_for_device("user-led", "off", timeout="5ms") == 2_000_000


def test_seeed_mini_is_a_bundled_board_with_no_buttons():
    proc = subprocess.run([sys.executable, "-m", "sphere_emu", "board", "show",
                           "seeed-mt3620-mdb"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    devices = proc.stdout.split("devices", 1)[1]
    assert "user-led" in devices and "GPIO7" in devices and "button" not in devices


def test_avnet_leds_and_buttons_are_on_the_pins_of_section_12_2():
    dev = EmulatedDevice(BOARDS / "avnet-mt3620-sk.yaml", io0=PREBUILT / "hello-rt.elf")
    pins = {name: dev.machine.devices[name].spec.pins for name in (
        "user-red", "user-green", "user-blue", "app-led", "wlan-led", "button-a", "button-b")}
    assert pins == {"user-red": {"pin": "GPIO8"}, "user-green": {"pin": "GPIO9"},
                    "user-blue": {"pin": "GPIO10"}, "app-led": {"pin": "GPIO4"},
                    "wlan-led": {"pin": "GPIO5"}, "button-a": {"pin": "GPIO12"},
                    "button-b": {"pin": "GPIO13"}}
    dev.device("button-a").press()
    assert dev.pin("GPIO12").level == 0
