"""The Cortex-A7 model running real A7 firmware (firmware/a7/apps/a7-selftest and friends).

a7-selftest turns the MMU on, drops from the Secure to the Normal World through the
emulated Monitor and comes back with SMC, takes generic-timer IRQs through the GIC and a
Secure-timer FIQ routed to the monitor, runs a user task that makes SVC calls, and
provokes translation, external and permission aborts on purpose.
"""

import dataclasses

import pytest
from conftest import BOARDS, PREBUILT
from elftools.elf.elffile import ELFFile

from sphere_emu.board import load_board
from sphere_emu.cpu.core import CoreState
from sphere_emu.machine import Machine
from sphere_emu.runner import Outcome, Runner

BOARD = BOARDS / "mt3620.yaml"
SELFTEST = PREBUILT / "a7-selftest.elf"

# The selftest's console, in order. The Secure timer's FIQ lands between the second and
# third tick of the Normal World's timer: 3 ms after the Secure World armed it. The fourth
# tick is busy-waited for; the model ends a run at a timer deadline, so it is taken 32 ns
# (16 instructions) after it.
TRANSCRIPT = [
    "S: secure world up, mode 0x00000013",
    "S: VFP 1.5 + 1.5 = 0x40400000",
    "S: SCR = 0x00000005, entering the normal world",
    "NS: normal world up, mode 0x00000013",
    "S: smc ADD(2, 3) from normal-world mode 0x00000013",
    "NS: ok   smc ADD(2, 3) = 5",
    "NS: ok   SCR is undefined in the normal world",
    "NS: ok   MMU on",
    "NS: ok   VA 0x40000010 reaches PA 0x80200010",
    "NS: data abort DFSR=0x00000005 DFAR=0x50000000",
    "NS: ok   translation fault reported and survived",
    "NS: ok   secure RAM refused: external abort",
    "NS: timer IRQ 1",
    "NS: timer IRQ 2",
    "S: FIQ 29 from the secure timer, normal world was in mode 0x00000013",
    "NS: timer IRQ 3",
    "NS: three 1 ms timer IRQs took 3026 us",
    "NS: ok   generic timer IRQs through the GIC",
    "NS: ok   SGI taken right after the GICD_SGIR write",
    "NS: timer IRQ 4",
    "NS: busy-waited tick taken 32 ns after its deadline",
    "NS: ok   timer IRQ on time while busy",
    "U: hello from user mode",
    "U: CPSR says USR",
    "U: svc ADD(40, 2) = 42",
    "NS: ok   user task made SVC calls and exited with 7",
    "U: reading the GIC from user mode",
    "NS: user task killed, DFSR=0x0000000d DFAR=0x2c001008",
    "NS: ok   user permission fault kills only the task",
    "S: normal world reports 11 checks passed",
    "A7 selftest done",
]


def a7_machine() -> Machine:
    """The MT3620 with only its A7 (quicker to build; the IO cores play no part here)."""
    spec = load_board(BOARD)
    return Machine(dataclasses.replace(spec, cores={"a7": spec.cores["a7"]}))


def run_selftest(machine: Machine | None = None) -> tuple[Machine, Runner]:
    machine = machine or a7_machine()
    machine.load_elf("a7", SELFTEST)
    runner = Runner(machine, expect=["A7 selftest done"], fail_on=["FAIL"])
    report = runner.run(50_000_000)
    assert report.outcome is Outcome.EXPECTED, [e.line for e in runner.lines]
    return machine, runner


def symbol(path, name: str) -> int:
    with open(path, "rb") as f:
        return ELFFile(f).get_section_by_name(".symtab").get_symbol_by_name(name)[0]["st_value"]


def test_selftest_from_the_command_line(cli):
    result = cli("run", str(BOARD), str(SELFTEST), "--core", "a7", "--timeout", "1s",
                 "--expect", "A7 selftest done", "--fail-on", "FAIL")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("NS: ok") == 11


def test_selftest_transcript_in_order():
    _machine, runner = run_selftest()
    assert [e.line for e in runner.lines] == TRANSCRIPT
    assert {e.port for e in runner.lines} == {"a7-uart"}


def test_two_runs_are_identical_to_the_nanosecond():
    first = [(e.port, e.time_ns, e.line) for e in run_selftest()[1].lines]
    second_machine, second = run_selftest()
    assert [(e.port, e.time_ns, e.line) for e in second.lines] == first
    assert bytes(second_machine.serial.ports["a7-uart"].output).count(b"\r\n") == len(first)


def test_timer_ticks_are_one_virtual_millisecond_apart():
    _machine, runner = run_selftest()
    ticks = [e.time_ns for e in runner.lines if e.line.startswith("NS: timer IRQ")][:3]
    assert [b - a for a, b in zip(ticks, ticks[1:], strict=False)] == [
        pytest.approx(1_000_000, abs=2_000)] * 2


def test_core_ends_in_the_secure_world_asleep():
    machine, _runner = run_selftest()
    a7 = machine.cores["a7"]
    assert a7.state is CoreState.SLEEPING  # WFI forever after "done"
    assert a7.world.secure
    assert a7.monitor.scr == 0x5  # NS | FIQ, as the firmware set it
    assert a7.read_register("cpsr") & 0x1F == 0x13


def test_lockup_halts_the_core_with_a_report(cli):
    result = cli("run", str(BOARD), str(PREBUILT / "a7-lockup.elf"), "--core", "a7",
                 "--timeout", "1s")
    assert result.returncode == 4, result.stdout + result.stderr
    assert "a7: halted: lockup: prefetch abort at PC 0x7000000c" in result.stderr
    assert "vector base 0x70000000" in result.stderr


def test_breakpoint_in_the_normal_world_then_step_and_continue():
    machine = a7_machine()
    machine.load_elf("a7", SELFTEST)
    a7 = machine.cores["a7"]
    entry = symbol(SELFTEST, "normal_main")
    a7.add_breakpoint(entry)
    machine.run_for(10_000_000)
    assert a7.debug_stop is not None and a7.debug_stop.reason == "breakpoint"
    assert a7.read_register("pc") == entry
    assert not a7.world.secure  # stopped in the Normal World
    assert "d31" in a7.register_names() and "fpscr" in a7.register_names()
    sp = a7.read_register("sp")
    a7.step()
    assert a7.debug_stop.reason == "step"
    assert a7.read_register("pc") != entry
    assert a7.read_register("sp") <= sp
    a7.remove_breakpoint(entry)
    a7.debug_stop = None
    runner = Runner(machine, expect=["A7 selftest done"])
    assert runner.run(50_000_000).outcome is Outcome.EXPECTED


def test_debugger_translates_normal_world_addresses():
    machine = a7_machine()
    machine.load_elf("a7", SELFTEST)
    a7 = machine.cores["a7"]
    a7.add_breakpoint(symbol(SELFTEST, "user_task"))
    machine.run_for(10_000_000)
    assert a7.debug_stop is not None and not a7.world.secure
    assert a7.read_register("cpsr") & 0x1F == 0x10  # the user task's first instruction
    assert a7.virtual_to_physical(0x40000010) == 0x80200010  # the firmware's alias section
    assert a7.virtual_to_physical(0x50000000) is None  # left unmapped on purpose
    assert a7.physical_map.find(0x803D0000) is not None
    assert a7.address_map.find(0x803D0000) is None  # the Normal World's view


def function_range(path, name: str) -> range:
    with open(path, "rb") as f:
        sym = ELFFile(f).get_section_by_name(".symtab").get_symbol_by_name(name)[0]
    return range(sym["st_value"], sym["st_value"] + sym["st_size"])


def test_watchpoint_on_the_tick_counter():
    machine = a7_machine()
    machine.load_elf("a7", SELFTEST)
    a7 = machine.cores["a7"]
    ticks = symbol(SELFTEST, "ticks")
    a7.add_watchpoint(ticks, 4, "watch")
    stops = []
    for _ in range(2):
        machine.run_for(10_000_000)
        assert a7.debug_stop is not None and a7.debug_stop.reason == "watchpoint"
        assert a7.debug_stop.address == ticks
        stops.append((a7.read_register("pc"), bytes(machine.serial.ports["a7-uart"].output)))
        a7.debug_stop = None
    # First the start-up code clears .bss, then the timer IRQ handler counts the first tick.
    assert stops[0][0] in function_range(SELFTEST, "zero_words") or stops[0][1] == b""
    assert stops[1][0] in function_range(SELFTEST, "irq_handler")
    assert b"secure RAM refused" in stops[1][1] and b"NS: timer IRQ 1" not in stops[1][1]
    a7.remove_watchpoint(ticks, 4, "watch")
