"""One machine, three cores, one virtual clock: the A7 releases io0 and io1 and the three
pass tokens round a7 -> io0 -> io1 -> a7 through the mailboxes, with interrupts on every hop
(firmware/a7/apps/a7-three-core, firmware/apps/three-core-io0, three-core-io1)."""

import pytest
from conftest import BOARDS, PREBUILT

from sphere_emu.board import load_board
from sphere_emu.cpu.core import CoreState
from sphere_emu.machine import Machine
from sphere_emu.peripherals.registers import BusAccess
from sphere_emu.runner import Outcome, Runner

BOARD = BOARDS / "mt3620.yaml"
FIRMWARE = PREBUILT / "a7-three-core.elf"

TRANSCRIPT = [
    ("a7-uart", "a7: three-core test"),
    ("a7-uart", "a7: released io0 and io1"),
    ("io0-uart", "io0: up"),
    ("io1-uart", "io1: up"),
    ("a7-uart", "a7: io0 is ready"),
    ("a7-uart", "a7: io1 is ready"),
]
for token in (10, 20, 30):
    TRANSCRIPT += [
        ("a7-uart", f"a7: round {token // 10}, token {token} to io0"),
        ("io0-uart", f"io0: token {token} from a7, passing it to io1"),
        ("io1-uart", f"io1: token {token + 1} from io0, returning it to a7"),
        ("a7-uart", f"a7: token {token + 2} back from io1"),
    ]
TRANSCRIPT.append(("a7-uart", "a7: three-core test done"))


def run() -> tuple[Machine, Runner]:
    machine = Machine(load_board(BOARD))
    machine.load_elf("a7", FIRMWARE)
    runner = Runner(machine, expect=["three-core test done"], fail_on=["FAIL"])
    assert runner.run(100_000_000).outcome is Outcome.EXPECTED, [e.line for e in runner.lines]
    return machine, runner


@pytest.fixture(scope="module")
def first_run() -> tuple[Machine, Runner]:
    return run()


def test_three_cores_log_in_a_fixed_order(first_run):
    _machine, runner = first_run
    assert [(e.port, e.line) for e in runner.lines] == TRANSCRIPT
    times = [e.time_ns for e in runner.lines]
    assert times == sorted(times)


def test_two_runs_give_identical_bytes_and_timestamps(first_run):
    machine, runner = first_run
    again_machine, again = run()
    assert [(e.port, e.time_ns, e.line) for e in again.lines] == \
        [(e.port, e.time_ns, e.line) for e in runner.lines]
    for port in ("a7-uart", "io0-uart", "io1-uart"):
        assert again_machine.serial.ports[port].output == machine.serial.ports[port].output


def test_from_the_command_line(cli):
    result = cli("run", str(BOARD), str(FIRMWARE), "--core", "a7", "--timeout", "1s",
                 "--expect", "three-core test done", "--fail-on", "FAIL")
    assert result.returncode == 0, result.stdout + result.stderr
    for _port, line in TRANSCRIPT:
        assert line in result.stdout


def test_io_cores_stay_in_reset_until_the_a7_releases_them():
    machine = Machine(load_board(BOARD))
    machine.load_elf("a7", FIRMWARE)
    io0, io1 = machine.cores["io0"], machine.cores["io1"]
    assert io0.state is CoreState.HELD and io1.state is CoreState.HELD
    runner = Runner(machine, expect=["released io0 and io1"])
    assert runner.run(20_000_000).outcome is Outcome.EXPECTED
    assert io0.state is not CoreState.HELD and io1.state is not CoreState.HELD
    control = machine.peripherals["io-reset"]
    assert control.read(0x14, 4, BusAccess("a7", secure=True)) == 1  # IO0_CTRL.RUN


def test_only_the_secure_world_controls_io_core_reset():
    machine = Machine(load_board(BOARD))
    a7 = machine.cores["a7"]
    assert a7.secure.map.find(0x3F020000) is not None
    assert a7.normal.map.find(0x3F020000) is None  # secure_only: not even visible
    control = machine.peripherals["io-reset"]
    control.write(0x14, 4, 1, BusAccess("a7", secure=False))
    assert machine.cores["io0"].state is CoreState.HELD
    control.write(0x10, 4, 0x00100000, BusAccess("a7", secure=True))
    machine.cores["io0"].address_map.write_memory(
        0x00100000, (0x00130000).to_bytes(4, "little") + (0x00100101).to_bytes(4, "little"))
    control.write(0x14, 4, 1, BusAccess("a7", secure=True))
    assert machine.cores["io0"].state is CoreState.RUNNING
    assert machine.cores["io0"].read_register("sp") == 0x00130000
    control.write(0x14, 4, 0, BusAccess("a7", secure=True))
    assert machine.cores["io0"].state is CoreState.HELD
