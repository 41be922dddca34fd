"""The IO core's debugger interface (what the GDB server drives), on firmware/apps/m4-selftest:
breakpoints, resuming past them, single steps, watchpoints, and registers in every mode."""

import struct

import pytest
from conftest import BOARDS, PREBUILT
from elftools.elf.elffile import ELFFile

from sphere_emu.board import load_board
from sphere_emu.machine import Machine
from sphere_emu.scheduler import RunResult

ELF = PREBUILT / "m4-selftest.elf"
SECOND = 1_000_000_000


@pytest.fixture(scope="module")
def symbols() -> dict[str, int]:
    with ELF.open("rb") as f:
        return {s.name: s["st_value"] for s in ELFFile(f).get_section_by_name(".symtab")
                .iter_symbols() if s.name}


@pytest.fixture
def machine() -> Machine:
    m = Machine(load_board(BOARDS / "mt3620-rdb.yaml"))
    m.load_elf("io0", ELF)
    return m


def run_to_stop(machine: Machine):
    core = machine.cores["io0"]
    assert machine.run_for(SECOND) is RunResult.DEBUG, "the core did not stop"
    stop, core.debug_stop = core.debug_stop, None
    return stop


def word(core, address: int) -> int:
    return struct.unpack("<I", core.address_map.read_memory(address, 4))[0]


def summary(machine: Machine) -> str:
    return machine.serial.ports["io0-uart"].output.decode().splitlines()[-1]


def test_breakpoint_stops_before_the_instruction_and_resumes_past_it(machine, symbols):
    core = machine.cores["io0"]
    address = symbols["svc_handler"] & ~1
    core.add_breakpoint(address)
    svc_immediates = []
    for _ in range(2):
        stop = run_to_stop(machine)
        assert (stop.reason, stop.address) == ("breakpoint", address)
        assert core.read_register("pc") == address
        assert core.read_register("xpsr") & 0x1FF == 11  # in SVCall
        assert core.read_register("lr") == 0xFFFFFFF9  # reached by a tail call from the vector
        frame = core.read_register("r0")  # the handler's argument: the stacked frame
        assert frame == core.read_register("msp") == core.read_register("sp")
        svc = struct.unpack("<H", core.address_map.read_memory(word(core, frame + 24) - 2, 2))
        svc_immediates.append(svc[0])
    assert svc_immediates == [0xDF2A, 0xDF01]  # svc #42 from main, svc #1 unprivileged
    core.remove_breakpoint(address)
    assert machine.run_for(SECOND) is not RunResult.DEBUG
    assert summary(machine).startswith("m4-selftest: ALL PASS")


def test_step_retires_exactly_one_instruction(machine, symbols):
    core = machine.cores["io0"]
    entry = symbols["RTCoreMain"] & ~1
    core.add_breakpoint(entry)
    run_to_stop(machine)
    core.remove_breakpoint(entry)
    retired, sp = core.instructions_retired, core.read_register("sp")
    first = struct.unpack("<H", core.address_map.read_memory(entry, 2))[0]
    core.step()
    assert core.debug_stop.reason == "step"
    assert core.instructions_retired == retired + 1
    assert core.read_register("pc") == entry + (4 if first >> 11 >= 0b11101 else 2)
    assert core.read_register("sp") < sp  # the prologue's push happened
    core.debug_stop = None
    assert machine.run_for(SECOND) is not RunResult.DEBUG
    assert summary(machine).startswith("m4-selftest: ALL PASS")


def test_watchpoint_stops_after_the_write(machine, symbols):
    core = machine.cores["io0"]
    address = symbols["svc_calls"]
    core.add_watchpoint(address, 4, "watch")
    stop = run_to_stop(machine)
    assert (stop.reason, stop.address, stop.kind) == ("watchpoint", address, "watch")
    assert word(core, address) == 1  # the store has happened
    assert core.read_register("xpsr") & 0x1FF == 11  # stopped in the SVC handler
    core.remove_watchpoint(address, 4, "watch")
    assert machine.run_for(SECOND) is not RunResult.DEBUG
    assert word(core, address) == 2
    assert summary(machine).startswith("m4-selftest: ALL PASS")


def test_registers_of_unprivileged_thread_mode(machine, symbols):
    core = machine.cores["io0"]
    core.add_breakpoint(symbols["unprivileged_point"])
    run_to_stop(machine)
    assert core.read_register("control") == 1  # nPRIV, main stack
    assert core.read_register("xpsr") & 0x1FF == 0
    # Unicorn hides these from unprivileged code; the debugger still sees them.
    assert core.read_register("msp") == core.read_register("sp") > 0x00100000
    assert core.read_register("primask") == 0
    core.write_register("basepri", 0x40)
    assert core.read_register("basepri") == 0x40
    core.write_register("basepri", 0)
    assert core.read_register("control") == 1
    assert machine.run_for(SECOND) is not RunResult.DEBUG
    assert summary(machine).startswith("m4-selftest: ALL PASS")
