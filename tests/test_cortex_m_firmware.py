"""The Cortex-M4F core model seen by real firmware: firmware/apps/m4-selftest and m4-lockup.

m4-selftest checks on the emulator itself, one PASS/FAIL line per behaviour: preemption,
tail-chaining, masks, faults, SVC, PendSV threads, FP context, SysTick, a level-sensitive
input and a system reset. m4-lockup faults inside its HardFault handler.
"""

import pytest
from conftest import BOARDS, PREBUILT

from sphere_emu.board import load_board
from sphere_emu.cpu.core import CoreState
from sphere_emu.machine import Machine
from sphere_emu.runner import Outcome, Runner

BOARD = BOARDS / "mt3620-rdb.yaml"
SELFTEST = PREBUILT / "m4-selftest.elf"
LOCKUP = PREBUILT / "m4-lockup.elf"
SUMMARY = r"m4-selftest: (ALL PASS|.* FAILED)"

CHECKS = (
    "nested interrupts by priority: A, preempted by B, then C after A",
    "ICSR.VECTACTIVE and IABR inside the nested handler",
    "PRIMASK holds pending interrupts back until CPSIE",
    "tail-chaining: priority then number, no thread code between handlers",
    "tail-chained handlers share one stack frame and EXC_RETURN",
    "BASEPRI masks priority 4, not 2; lowering it lets 4 run",
    "PRIGROUP: subpriority does not preempt, group priority does",
    "ISPR/ICPR, and ICSR.VECTPENDING/ISRPENDING count enabled interrupts",
    "SVC with an argument and a result",
    "bus fault: BusFault handler sees PRECISERR and BFAR, and recovers",
    "bus fault with BusFault disabled escalates to HardFault (FORCED)",
    "undefined instruction: UsageFault UNDEFINSTR at the UDF",
    "coprocessor instruction: UsageFault NOCP",
    "unprivileged: SCS access is a bus fault, SVC regains privilege",
    "FP registers and FPSCR preserved across an FP-using interrupt",
    "extended frame: EXC_RETURN 0xFFFFFFE9 and CONTROL.FPCA",
    "PendSV switches two threads on PSP in turn and returns to main",
    "threads ran on their own process stacks",
    "SysTick: 10 periods of 1 ms, sleeping in WFI between the ticks",
    "SysTick: CVR counts down as instructions retire, COUNTFLAG clears on read",
    "level-sensitive interrupt re-enters while its line is high",
    "SYSRESETREQ restarts the core from the vector table in reset state",
)


def run_on_io0(elf, expect=(), timeout_ns=1_000_000_000):
    machine = Machine(load_board(BOARD))
    machine.load_elf("io0", elf)
    runner = Runner(machine, list(expect))
    return machine, runner, runner.run(timeout_ns)


@pytest.fixture(scope="module")
def selftest():
    machine, runner, report = run_on_io0(SELFTEST, [SUMMARY])
    assert report.outcome is Outcome.EXPECTED, [e.line for e in runner.lines]
    return machine, runner


@pytest.mark.parametrize("name", CHECKS)
def test_check_passes(selftest, name):
    _, runner = selftest
    lines = [e.line for e in runner.lines]
    assert f"PASS {name}" in lines, [line for line in lines if name in line]


def test_summary_reports_every_check_passed(selftest):
    _, runner = selftest
    lines = [e.line for e in runner.lines]
    assert lines[-1] == f"m4-selftest: ALL PASS ({len(CHECKS)} checks)"
    assert not [line for line in lines if line.startswith("FAIL")]
    assert lines.count("m4-selftest") == 1  # the reset restarted the program, not the loader


def test_sleeping_core_takes_no_time_slices(selftest):
    machine, runner = selftest
    core = machine.cores["io0"]
    # The run ends in a WFI loop: the core sleeps and virtual time passes without it.
    assert core.state is CoreState.SLEEPING
    instructions = core.instructions_retired
    machine.run_for(100_000_000)
    assert core.instructions_retired == instructions


def test_runs_are_deterministic():
    timelines = []
    for _ in range(2):
        machine, runner, _ = run_on_io0(SELFTEST, [SUMMARY])
        timelines.append(([(e.port, e.time_ns, e.line) for e in runner.lines],
                          bytes(machine.serial.ports["io0-uart"].output),
                          machine.cores["io0"].instructions_retired))
    assert timelines[0] == timelines[1]


def test_fault_in_hardfault_locks_the_core_up_with_a_report():
    machine, runner, report = run_on_io0(LOCKUP)
    core = machine.cores["io0"]
    assert report.outcome is Outcome.LOCKUP
    assert core.state is CoreState.HALTED
    reason = report.halted["io0"]
    assert reason.startswith("lockup: BusFault (precise data bus error) in HardFault at pc=0x001")
    assert reason.endswith(" address=0x30000000")
    lines = [e.line for e in runner.lines]
    assert lines[-1] == "m4-lockup: in HardFault, reading an unmapped address"


def test_cli_runs_the_selftest_to_its_expectation(cli):
    result = cli("run", str(BOARD), str(SELFTEST), "--core", "io0", "--timeout", "2s",
                 "--expect", "ALL PASS", "--fail-on", "FAIL")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "m4-selftest: ALL PASS" in result.stdout


def test_cli_reports_a_lockup_with_the_core_name(cli):
    result = cli("run", str(BOARD), str(LOCKUP), "--core", "io0", "--timeout", "1s")
    assert result.returncode == Outcome.LOCKUP.exit_code
    assert "io0: halted: lockup: BusFault (precise data bus error) in HardFault" in \
        result.stderr


def test_exception_is_taken_right_after_the_instruction_that_unmasks_it():
    """m4-unmask: a long masked stretch, then CPSIE / MSR PRIMASK / CPSIE F / MSR BASEPRI;
    the instruction right after the unmask must already see the handler's count."""
    _machine, runner, report = run_on_io0(PREBUILT / "m4-unmask.elf",
                                          [r"m4-unmask: \d+ passed"], 100_000_000)
    lines = [e.line for e in runner.lines]
    assert report.outcome is Outcome.EXPECTED, lines
    assert [line for line in lines if line.startswith("FAIL")] == []
    assert lines[-1] == "m4-unmask: 6 passed, 0 failed"
