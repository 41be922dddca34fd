"""Busy-waits on a core's own timer counter see time pass inside a time slice."""

from conftest import BOARDS, PREBUILT

from sphere_emu.testing import EmulatedDevice


def test_microsecond_busy_waits_take_their_virtual_time():
    dev = EmulatedDevice(BOARDS / "mt3620-rdb.yaml", io0=PREBUILT / "gpt-busywait.elf")
    start = dev.wait_for_line("busywait: start", timeout="10ms")
    done = dev.wait_for_line("busywait: done", timeout="1s")
    # 1000 waits of 10 us: 10 ms, give or take the half-millisecond time slices that UART
    # timestamps are taken at (each wait was a whole slice, 0.5 s in all, before cores
    # lent their exact time to their private blocks).
    assert 9_000_000 <= done.time_ns - start.time_ns <= 11_500_000
