"""GPT behaviour seen by real firmware (firmware/apps/gpt-selftest) on the emulated IO core."""

import re

import pytest
from conftest import BOARDS, PREBUILT

from sphere_emu.testing import EmulatedDevice

BOARD = BOARDS / "mt3620-rdb.yaml"
ELF = PREBUILT / "gpt-selftest.elf"


def run_selftest() -> EmulatedDevice:
    dev = EmulatedDevice(BOARD, io0=ELF)
    dev.wait_for_line(r"gpt-selftest: \d+ passed", timeout="2s")
    return dev


@pytest.fixture(scope="module")
def selftest() -> EmulatedDevice:
    return run_selftest()


def results(dev: EmulatedDevice) -> dict[str, tuple[bool, int]]:
    out = {}
    for event in dev.lines:
        m = re.fullmatch(r"(PASS|FAIL) (.*): (\d+) \(expected \d+\)", event.line)
        if m:
            out[m.group(2)] = (m.group(1) == "PASS", int(m.group(3)))
    return out


def test_every_check_passes(selftest):
    assert not [e.line for e in selftest.lines if e.line.startswith("FAIL")]
    assert selftest.lines[-1].line == "gpt-selftest: 10 passed, 0 failed"


def test_sample_ms_timer_fires_once_after_its_ticks(selftest):
    r = results(selftest)
    # 50 ticks of 32768/33 Hz, measured with GPT3's 1 MHz count
    assert r["gpt0 one-shot 50 ticks at 1 kHz, us"] == (True, 50354)
    assert r["gpt0 one-shot interrupts after 4 periods"] == (True, 1)


def test_repeat_timer_interrupts_k_times_in_k_periods(selftest):
    r = results(selftest)
    assert r["gpt1 repeat 5 x 20 ticks, us"] == (True, 100708)
    assert r["gpt1 interrupts after disable"] == (True, 5)


def test_counters_run_at_their_clocks(selftest):
    r = results(selftest)
    assert r["gpt0 one-shot 3277 ticks at 32 kHz, us"][1] in (100006, 100007)
    assert abs(r["gpt2 counts in 250 ms at 32 kHz"][1] - 8192) <= 1
    assert r["gpt3 compare match after 2500 counts, us"] == (True, 2500)
    # Counters read at the reading instruction's exact time: the two reads that bound the
    # measurement are a few instructions apart, worth a count either way.
    ok, counts = r["gpt4 counts per 1000 us / 10"]
    assert ok and abs(counts - 19760) <= 1


def test_the_run_is_deterministic(selftest):
    again = run_selftest()
    assert [(e.time_ns, e.line) for e in again.lines] == \
           [(e.time_ns, e.line) for e in selftest.lines]
