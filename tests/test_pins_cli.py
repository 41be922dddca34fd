"""--drive, --trace pins and --vcd as a user runs them, and their bad-input errors."""

import re

import pytest
from conftest import BOARDS, PREBUILT

RDB = str(BOARDS / "mt3620-rdb.yaml")
APP = f"io0={PREBUILT / 'hello-rt.elf'}"


def test_drive_shows_in_trace_and_vcd_at_exact_virtual_times(cli, tmp_path):
    vcd = tmp_path / "pins.vcd"
    r = cli("run", RDB, "--core", APP, "--timeout", "2.5s", "--quiet", "--trace", "pins",
            "--drive", "button-a=pressed@1s", "--drive", "button-a=released@1.5s",
            "--drive", "GPIO8=0@2s", "--drive", "GPIO8=z@2.25s", "--vcd", str(vcd))
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == [
        "[    1.000000] mt3620-rdb: button-a pressed",
        "[    1.500000] mt3620-rdb: button-a released",
        "[    2.000000] mt3620-rdb: led1-red on",
        "[    2.250000] mt3620-rdb: led1-red off"]
    text = vcd.read_text()
    assert "$timescale 1ns $end" in text
    ids = dict(re.findall(r"\$var wire 1 (\S+) (\S+) \$end", text))
    by_name = {name: ident for ident, name in ids.items()}
    body = text.split("$enddefinitions $end")[1]
    changes = re.findall(r"#(\d+)\n((?:[01]\S+\n)*)", body)
    seen = {int(t): lines.split() for t, lines in changes}
    assert "0" + by_name["GPIO12"] in seen[1_000_000_000]
    assert "1" + by_name["button-a"] in seen[1_000_000_000]
    assert "1" + by_name["led1-red"] in seen[2_000_000_000]
    assert "0" + by_name["led1-red"] in seen[2_250_000_000]
    assert body.rstrip().endswith("#2500000000")


def test_no_trace_lines_unless_asked(cli):
    r = cli("run", RDB, "--core", APP, "--timeout", "1.2s", "--quiet",
            "--drive", "button-a=pressed@1s")
    assert r.returncode == 0 and "button-a" not in r.stderr


@pytest.mark.parametrize("drive, message", [
    ("nosuch=1@1s", "no device or pin named 'nosuch'"),
    ("GPIO96=1@1s", "no device or pin named 'GPIO96'"),
    ("button-a=pressed@1.5x", "not a duration: '1.5x'"),
    ("button-a=pressed", "expected TARGET=VALUE@TIME"),
    ("button-a=sideways@1s", "button-a: cannot take 'sideways'"),
    ("GPIO12=7@1s", "GPIO12: cannot take '7'"),
    ("led1-red=on@1s", "device 'led1-red' (led) cannot be driven"),
])
def test_bad_drive_is_one_line_and_nonzero(cli, drive, message):
    r = cli("run", RDB, "--core", APP, "--timeout", "1ms", "--drive", drive)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("sphere-emu: error: --drive")
    assert message in r.stderr


def test_device_wired_to_a_missing_pin_is_one_line_and_nonzero(cli, tmp_path):
    board = tmp_path / "board.yaml"
    board.write_text(f"include: {RDB}\ndevices:\n  extra: {{type: button, pin: GPIO123}}\n")
    r = cli("run", str(board), "--core", APP, "--timeout", "1ms")
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "devices.extra.pin: no pin 'GPIO123' on this board" in r.stderr


def test_unknown_trace_category_is_one_line(cli):
    r = cli("run", RDB, "--core", APP, "--timeout", "1ms", "--trace", "everything")
    assert r.returncode == 2 and r.stderr == "sphere-emu: error: --trace everything: unknown " \
                                             "(have: pins, firewall)\n"


def test_board_show_lists_devices_and_pins(cli):
    r = cli("board", "show", RDB)
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert "pins GPIO0..GPIO95" in lines
    assert any(re.fullmatch(r"\s+button-a\s+button\s+pin=GPIO12 pressed=low released=pull-up", x)
               for x in lines)
    assert any(re.fullmatch(r"\s+led1-red\s+led\s+pin=GPIO8 active=low", x) for x in lines)
