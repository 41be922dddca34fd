"""Busy-waits on a timer counter are skipped exactly: the same instructions retire at the
same virtual times as when every iteration runs (``engine/busywait.py``)."""

from conftest import BOARDS, PREBUILT

from sphere_emu.testing import EmulatedDevice

REGISTERS = [f"r{i}" for i in range(13)] + ["sp", "lr", "pc", "xpsr"]


def _snapshot(dev: EmulatedDevice) -> tuple[int, list[int]]:
    core = dev.machine.cores["io0"]
    return core.instructions_retired, [core.read_register(r) for r in REGISTERS]


def _step_alike(fast: EmulatedDevice, slow: EmulatedDevice, steps: tuple[str, ...],
                snapshot=_snapshot) -> None:
    """Run both devices by each step; after each, the same instructions have retired and the
    registers agree."""
    for step in steps:
        fast.run_for(step)
        slow.run_for(step)
        assert snapshot(fast) == snapshot(slow)


def _timed_lines(dev: EmulatedDevice) -> list[tuple[int, str]]:
    return [(e.time_ns, e.line) for e in dev.lines]


def test_short_waits_match_the_unaccelerated_run_instruction_for_instruction():
    fast = EmulatedDevice(BOARDS / "mt3620-rdb.yaml", io0=PREBUILT / "gpt-busywait.elf")
    slow = EmulatedDevice(BOARDS / "mt3620-rdb.yaml", fast_forward=False,
                          io0=PREBUILT / "gpt-busywait.elf")
    for dev in (fast, slow):
        dev.wait_for_line("busywait: start", timeout="10ms")
    assert fast.now_ns == slow.now_ns
    _step_alike(fast, slow, ("0.73ms", "0.41ms", "1.137ms"))  # mid-wait and mid-slice
    skipped = fast.machine.cores["io0"].engine.busywaits.skipped_instructions
    assert skipped > fast.machine.cores["io0"].instructions_retired // 2  # it did skip


def test_a_one_second_gpt3_wait_ends_on_the_counter_tick_that_ends_it():
    dev = EmulatedDevice(BOARDS / "mt3620-rdb.yaml", io0=PREBUILT / "gpt3-tick-tock.elf")
    tick = dev.wait_for_line("Tick", timeout="10ms")
    tock = dev.wait_for_line("Tock", timeout="2s")
    # GPT3 counts 1 MHz from 0; the loop ends on its first read at or after 1,000,000 us;
    # the rest is the few instructions around the wait and the print (under 1 us).
    assert 1_000_000_000 <= tock.time_ns - tick.time_ns < 1_000_001_000


def _status_poll(fast_forward: bool) -> EmulatedDevice:
    dev = EmulatedDevice(BOARDS / "mt3620-rdb.yaml", fast_forward=fast_forward,
                         io0=PREBUILT / "status-poll.elf")
    dev.wait_for_line("status-poll: uart", timeout="50ms")
    dev.send("io0-uart", bytes(range(1, 17)))
    return dev


def test_status_register_waits_match_the_unaccelerated_run():
    """status-poll waits on DMA's GLBSTA0 RUN bit, SysTick's COUNTFLAG and the UART's
    LSR.DR (host bytes arrive at 115200 baud): the same lines at the same virtual times,
    and the same instructions retired with the same registers mid-wait."""
    fast, slow = _status_poll(True), _status_poll(False)
    assert fast.now_ns == slow.now_ns
    assert _snapshot(fast) == _snapshot(slow)
    _step_alike(fast, slow, ("0.29ms", "0.517ms"))  # mid-way through the UART bytes, mid-slice
    for dev in (fast, slow):
        dev.wait_for_line("status-poll: done", timeout="10ms")
    assert _timed_lines(fast) == _timed_lines(slow)
    assert "status-poll: dma ok" in [e.line for e in fast.lines]
    assert "status-poll: uart sum 136" in " ".join(e.line for e in fast.lines)
    skipped = fast.machine.cores["io0"].engine.busywaits.skipped_instructions
    assert skipped > fast.machine.cores["io0"].instructions_retired // 2  # it did skip


def test_systick_counter_waits_match_the_unaccelerated_run():
    """systick-poll polls SYST_CVR, a down-counter that reloads at 0: down to a threshold,
    and for a number of elapsed ticks (``start - now``), which the reload cuts short. Same
    lines (with the exact counter values each wait ended on) at the same virtual times, and
    the same instructions retired with the same registers mid-wait."""
    fast, slow = (EmulatedDevice(BOARDS / "mt3620-rdb.yaml", fast_forward=ff,
                                 io0=PREBUILT / "systick-poll.elf") for ff in (True, False))
    for dev in (fast, slow):
        dev.wait_for_line("systick-poll: start", timeout="1ms")
    _step_alike(fast, slow, ("0.61ms", "0.3929ms", "0.257ms", "1.003ms"))  # across reloads
    for dev in (fast, slow):
        dev.wait_for_line("systick-poll: done", timeout="10ms")
    assert _timed_lines(fast) == _timed_lines(slow)
    values = {}
    for e in fast.lines:
        what, _, value = e.line.rpartition(" ")
        if value.isdigit():
            values.setdefault(what, []).append(int(value))
    assert all(990 <= v <= 1000 for v in values["systick-poll: down to 1000 ended at"])
    assert all(v >= 1 << 31 for v in values["systick-poll: 50000 ticks cut by the reload after"])
    assert all(50000 <= v <= 50004 for v in values["systick-poll: 50000 ticks took"])
    assert len(values["systick-poll: 50000 ticks took"]) == 4
    skipped = fast.machine.cores["io0"].engine.busywaits.skipped_instructions
    assert skipped > fast.machine.cores["io0"].instructions_retired // 2  # it did skip


A7_REGISTERS = [f"r{i}" for i in range(13)] + ["sp", "lr", "pc", "cpsr"]


def _a7_snapshot(dev: EmulatedDevice) -> tuple[int, list[int]]:
    core = dev.machine.cores["a7"]
    return core.instructions_retired, [core.read_register(r) for r in A7_REGISTERS]


def test_a7_counter_waits_match_the_unaccelerated_run():
    """a7-cntpct-poll polls the generic timer's counters (coprocessor reads, not MMIO):
    CNTPCT and CNTVCT against a 64-bit deadline, and CNTPCT's low word for elapsed ticks.
    Same lines (each wait's overrun in ticks) at the same virtual times, and the same
    instructions retired with the same registers mid-wait."""
    fast, slow = (EmulatedDevice(BOARDS / "mt3620.yaml", fast_forward=ff,
                                 a7=PREBUILT / "a7-cntpct-poll.elf") for ff in (True, False))
    for dev in (fast, slow):
        dev.wait_for_line("a7-cntpct-poll: start", timeout="1ms")
    _step_alike(fast, slow, ("0.7ms", "1.313ms", "0.5517ms", "2.9ms"), _a7_snapshot)
    for dev in (fast, slow):
        dev.wait_for_line("a7-cntpct-poll: done", timeout="20ms")
    assert _timed_lines(fast) == _timed_lines(slow)
    overruns = [e.line for e in fast.lines if "overran by" in e.line]
    assert len(overruns) == 9 and all(line.endswith(" by 0") for line in overruns)
    skipped = fast.machine.cores["a7"].counter_polls.skipped_instructions
    assert skipped > fast.machine.cores["a7"].instructions_retired // 2  # it did skip
