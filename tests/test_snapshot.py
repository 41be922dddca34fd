"""Snapshots (sphere_emu/snapshot.py): a running machine's state taken between time slices
and restored into a fresh machine built from the same board and firmware runs on exactly
as the uninterrupted run does: the same bytes on every UART at the same virtual times."""

import dataclasses

import pytest
from conftest import BOARDS, PREBUILT, ROOT

from sphere_emu import assembly, boot
from sphere_emu.board import OsSpec, load_board
from sphere_emu.device import Device
from sphere_emu.machine import Machine
from sphere_emu.runner import Outcome, Runner, run_boot
from sphere_emu.snapshot import SnapshotError

BOARD = BOARDS / "mt3620.yaml"
THREE_CORE = PREBUILT / "a7-three-core.elf"
PORTS = ("a7-uart", "io0-uart", "io1-uart")
# In round 2 of the token ring: io0 is part-way through a line and every core has state
# in flight (mailbox FIFOs, NVIC/GIC pending bits, UART and timer events). The uninterrupted
# run has a time-slice boundary here too, so stopping at it changes nothing.
MID_RING_NS = 5_000_000


def three_core_machine() -> Machine:
    machine = Machine(load_board(BOARD))
    machine.load_elf("a7", THREE_CORE)
    return machine


def run_to_end(machine: Machine) -> list[tuple[str, int, str]]:
    runner = Runner(machine, expect=["three-core test done"], fail_on=["FAIL"])
    assert runner.run(100_000_000).outcome is Outcome.EXPECTED, runner.lines
    return [(e.port, e.time_ns, e.line) for e in runner.lines]


@pytest.fixture(scope="module")
def uninterrupted() -> tuple[Machine, list[tuple[str, int, str]]]:
    machine = three_core_machine()
    return machine, run_to_end(machine)


def test_three_core_ring_restored_into_a_fresh_machine_finishes_identically(uninterrupted):
    whole, lines = uninterrupted
    original = three_core_machine()
    original.run_until(MID_RING_NS)
    snap = original.snapshot()

    restored = three_core_machine()
    restored.restore(snap)
    assert restored.clock.now_ns == MID_RING_NS
    assert restored.snapshot() == snap  # nothing lost or changed on the way in
    for name, core in original.cores.items():  # privileged and banked registers included
        again = restored.cores[name]
        assert again.state is core.state
        assert {r: again.read_register(r) for r in core.register_names()} == \
            {r: core.read_register(r) for r in core.register_names()}
    remaining = run_to_end(restored)

    expected = [line for line in lines if line[1] > MID_RING_NS]
    assert [text for _port, _t, text in expected][:2] == [
        "io0: token 20 from a7, passing it to io1", "io1: token 21 from io0, returning it to a7"]
    assert remaining == expected
    for port in PORTS:  # every byte, the line io0 was in the middle of included
        assert restored.serial.ports[port].output == whole.serial.ports[port].output


def test_a_snapshot_does_not_disturb_the_machine_it_was_taken_from(uninterrupted):
    _whole, lines = uninterrupted
    machine = three_core_machine()
    machine.run_until(MID_RING_NS)
    machine.snapshot()
    assert run_to_end(machine) == [line for line in lines if line[1] > MID_RING_NS]


def test_a_restored_machine_can_be_restored_again_to_the_same_point(uninterrupted):
    _whole, lines = uninterrupted
    original = three_core_machine()
    original.run_until(MID_RING_NS)
    snap = original.snapshot()
    machine = three_core_machine()
    machine.restore(snap)
    machine.run_until(MID_RING_NS + 1_500_000)  # on past a round, then back
    machine.restore(snap)
    assert run_to_end(machine) == [line for line in lines if line[1] > MID_RING_NS]


def test_host_input_scheduled_from_outside_refuses_a_snapshot():
    machine = three_core_machine()
    machine.clock.schedule_at(1_000_000, lambda: None)
    with pytest.raises(SnapshotError, match="belongs to nothing in the machine"):
        machine.snapshot()


def test_a_snapshot_of_another_board_is_refused():
    snap = three_core_machine().snapshot()
    snap["board"] = "some-other-board"
    with pytest.raises(SnapshotError, match="some-other-board"):
        three_core_machine().restore(snap)


def test_booted_chain_with_an_rt_app_restored_into_a_fresh_chain_ticks_on_identically(tmp_path):
    """The verified boot chain (Pluton ROM, Security Monitor, the stand-in kernel on the
    A7 with its MMU on) with hello-rt on io0: a snapshot after the first tick, restored into
    a chain built afresh from the same device and images, ticks on like the original."""
    spec = dataclasses.replace(load_board(BOARDS / "mt3620.yaml"), os=OsSpec(
        kernel=PREBUILT / "a7-standin-kernel.imagepackage"))
    device = Device.temporary()
    sideloaded = [(device.install((PREBUILT / "hello-rt.imagepackage").read_bytes(),
                                  verify=False), "hello-rt.imagepackage")]
    original = assembly.build(spec, device, sideloaded)
    assert run_boot(original, 1_500_000_000, ["Tick 1"]).outcome is Outcome.EXPECTED
    assert original.core.world is original.core.normal  # the kernel runs, not the monitor
    snap = original.snapshot()

    def tick_on(chain: boot.BootChain) -> list[tuple[str, int, str]]:
        runner = Runner(chain.machine, expect=["Tick 2"], poll=chain.poll)
        assert runner.run(1_500_000_000).outcome is Outcome.EXPECTED
        return [(e.port, e.time_ns, e.line) for e in runner.lines]

    fresh = assembly.build(spec, device, sideloaded)  # built, never powered on
    fresh.restore(snap)
    assert fresh.snapshot() == snap
    assert [(p.stage, p.step) for p in fresh.progress] == \
        [(p.stage, p.step) for p in original.progress]
    assert tick_on(fresh) == tick_on(original)
    for port in ("a7-uart", "io0-uart"):
        assert fresh.machine.serial.ports[port].output == \
            original.machine.serial.ports[port].output


def test_spi_master_to_slave_restored_mid_transfer_finishes_identically():
    """spis-selftest (ISU0's SPI master wired to ISU1's SPI slave): a snapshot while a
    transfer is on the wire, which the slave answers when it completes, restored into a
    fresh machine, passes the rest of its checks at the same virtual times."""
    def spis_machine() -> Machine:
        machine = Machine(load_board(ROOT / "tests" / "data" / "spi-slave-loopback.yaml"))
        machine.load_elf("io0", PREBUILT / "spis-selftest.elf")
        return machine

    def run_on(machine: Machine) -> list[tuple[int, str]]:
        runner = Runner(machine, expect=[r"^spis-selftest: \d+ passed"])
        assert runner.run(10_000_000).outcome is Outcome.EXPECTED, runner.lines
        return [(e.time_ns, e.line) for e in runner.lines]

    whole = spis_machine()
    lines = run_on(whole)
    original = spis_machine()
    original.run_until(60_000)  # a master transfer to the slave is on the wire
    snap = original.snapshot()
    assert [event[2:4] for event in snap["clock"]["events"]
            if event[2] == "peripheral:isu0-spim"] == [("peripheral:isu0-spim", "_complete")]
    restored = spis_machine()
    restored.restore(snap)
    assert restored.snapshot() == snap
    assert run_on(restored) == [line for line in lines if line[0] > 60_000]
    assert restored.serial.ports["io0-uart"].output == whole.serial.ports["io0-uart"].output
    assert "spis-selftest: 12 passed, 0 failed" in lines[-1][1]
