"""The Python testing API and its pytest fixture, on real firmware."""

import pytest
from conftest import BOARDS, PREBUILT

from sphere_emu.testing import EmulatedDevice, WaitTimeout

BOARD = BOARDS / "mt3620-rdb.yaml"
HELLO = PREBUILT / "hello-rt.elf"


def test_waits_return_lines_with_virtual_timestamps():
    dev = EmulatedDevice(BOARD, io0=HELLO)
    hello = dev.wait_for_line(r"Hello", timeout="100ms")
    tick1 = dev.wait_for_line(r"Tick 1", timeout="2s", port="io0-uart")
    tick2 = dev.wait_for_line(r"Tick 2", timeout="2s")
    assert hello.port == "io0-uart" and hello.time_ns < 1_000_000
    # GPT0's "1 kHz" clock is 32768/33 Hz: 1000 ticks take 1.00708 s of virtual time.
    assert tick2.time_ns - tick1.time_ns == pytest.approx(1_007_080_000, abs=2_000_000)
    assert dev.now_ns >= tick2.time_ns


def test_a_line_is_consumed_by_the_wait_that_matched_it():
    dev = EmulatedDevice(BOARD, io0=HELLO)
    dev.wait_for_line(r"Tick 1", timeout="2s")
    with pytest.raises(WaitTimeout) as info:
        dev.wait_for_line(r"Hello", timeout="100ms")  # printed before Tick 1: already passed
    message = str(info.value)
    assert "no line matching 'Hello'" in message and "Tick 1" in message


def test_timeout_is_virtual_and_reports_the_last_lines():
    dev = EmulatedDevice(BOARD, io0=HELLO)
    with pytest.raises(WaitTimeout, match="Hello from the MT3620"):
        dev.wait_for_line(r"Tick 5", timeout="1500ms")
    assert 1_500_000_000 <= dev.now_ns < 1_600_000_000


def test_assert_no_line_fails_on_a_match():
    dev = EmulatedDevice(BOARD, io0=HELLO)
    dev.assert_no_line(r"Tick", during="500ms")
    with pytest.raises(AssertionError, match="Tick 1"):
        dev.assert_no_line(r"Tick", during="1s")


def test_a_sleeping_machine_with_nothing_scheduled_times_out_instead_of_hanging(tmp_path):
    board = tmp_path / "board.yaml"
    board.write_text(f"include: {BOARD}\n")
    dev = EmulatedDevice(board)  # nothing loaded: every core held, no events
    with pytest.raises(WaitTimeout):
        dev.wait_for_line(r"anything", timeout="10ms")


def test_pytest_fixture_builds_devices(sphere_device):
    dev = sphere_device(BOARD, io0=HELLO)
    assert dev.wait_for_line("Hello").line == "Hello from the MT3620 IO core!"
    assert dev.output("io0-uart").startswith(b"Hello from the MT3620 IO core!\r\n")


def test_boot_runs_app_packages_through_the_verified_chain():
    dev = EmulatedDevice.boot(BOARD, PREBUILT / "hello-hl.imagepackage",
                              PREBUILT / "hello-rt.imagepackage")
    hl = dev.wait_for_line(r"Hello from a high-level app", timeout="1s", port="a7-uart")
    rt = dev.wait_for_line(r"Tick 1", timeout="2s", port="io0-uart")
    assert hl.time_ns < rt.time_ns and dev.refusal is None


def test_boot_refusal_stops_the_device_and_explains_waits(tmp_path):
    tampered = bytearray((PREBUILT / "hello-hl.imagepackage").read_bytes())
    tampered[100] ^= 0x01
    package = tmp_path / "tampered.imagepackage"
    package.write_bytes(bytes(tampered))
    dev = EmulatedDevice.boot(BOARD, package)
    with pytest.raises(WaitTimeout, match="boot refused by kernel") as info:
        dev.wait_for_line(r"Hello from a high-level app", timeout="1s")
    assert "bad signature" in str(info.value)
    assert dev.refusal is not None and dev.now_ns < 1_000_000_000


def test_a_booted_device_is_deterministic_to_the_nanosecond(tmp_path):
    from sphere_emu.device import Device

    Device.create(tmp_path / "dev", secret=bytes(range(32))).close()
    apps = [PREBUILT / "intercore-hl.imagepackage", PREBUILT / "intercore-rt.imagepackage"]

    def transcript() -> list[tuple[str, int, str]]:
        dev = EmulatedDevice.boot(BOARD, *apps, device=tmp_path / "dev")
        dev.wait_for_line(r"intercore-hl: done", timeout="2s")
        return [(e.port, e.time_ns, e.line) for e in dev.lines]

    first = transcript()
    assert len(first) > 10 and transcript() == first
