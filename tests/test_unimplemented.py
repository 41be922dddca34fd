"""Blocks declared 'unimplemented' read as zero, ignore writes and are logged once by name."""

from conftest import BOARDS, PREBUILT


def test_firmware_runs_on_and_each_block_is_logged_once(cli):
    result = cli("run", str(BOARDS / "mt3620-rdb.yaml"), str(PREBUILT / "unimplemented-probe.elf"),
                 "--core", "io0", "--timeout", "10ms", "--expect", "still running")
    assert result.returncode == 0, result.stderr
    assert "unimplemented blocks read 0x00000000" in result.stdout
    for block in ("io0-infra", "io0-cache"):
        logged = [line for line in result.stderr.splitlines()
                  if f"unimplemented block {block} " in line]
        assert len(logged) == 1, result.stderr  # three writes and reads each, one line


def test_an_access_rule_refusal_is_a_precise_bus_error_on_the_core():
    """The bus's access-rule hook (what firewalls plug into): a refused store becomes the
    core's architectural BusFault (escalated to HardFault: the app enables no BusFault
    handler), with BFAR naming the address, and the instruction does not complete."""
    from sphere_emu.board import load_board
    from sphere_emu.machine import Machine

    machine = Machine(load_board(BOARDS / "mt3620-rdb.yaml"))
    machine.load_elf("io0", PREBUILT / "unimplemented-probe.elf")
    io0 = machine.cores["io0"]
    io0.address_map.add_access_rule(
        lambda mapping, who, is_write: not (mapping.name == "io0-infra" and who.initiator == "io0"))
    machine.run_for(5_000_000)
    assert b"still running" not in machine.serial.ports["io0-uart"].output
    assert io0.read_register("xpsr") & 0x1FF == 3  # in the HardFault handler
    scs = io0.scs.regs
    assert scs["HFSR"] & (1 << 30)  # FORCED: an escalated fault
    assert scs["CFSR"] & (1 << 8 + 1) and scs["CFSR"] & (1 << 8 + 7)  # PRECISERR, BFARVALID
    assert scs["BFAR"] == 0x21070030
