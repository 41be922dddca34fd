"""The Security Monitor's SMC services, called by the stand-in kernel in the Normal World:
each `kernel: check NAME: STATUS` line is what the Security Monitor answered."""

import struct

from test_boot import PREBUILT, boot_with, rt_app

from sphere_emu.elf import read_elf
from sphere_emu.image.metadata import ImageType
from sphere_emu.image.pack import pack_os_component
from sphere_emu.trust.keys import development_signer

# sm_abi.h status codes
OK, UNKNOWN_CALL, BAD_ARGUMENT, DENIED, BUSY = 0, 1, 2, 3, 5

EXPECTED = {
    "device-id-into-secure-ram": BAD_ARGUMENT,  # Pluton must not write the Secure RAM for it
    "quote-into-flash": BAD_ARGUMENT,
    "comm-buffer": OK,
    "comm-buffer-secure": BAD_ARGUMENT,
    "acquire-isu0-io0": OK,
    "acquire-isu0-io1": BUSY,  # the ownership table: ISU0 is io0's
    "release-isu0-io1": DENIED,
    "release-isu0-io0": OK,
    "acquire-bad-block": BAD_ARGUMENT,
    "start-unverified": DENIED,  # only code inside a verified package may start on an IO core
    "verify-secure-ram": BAD_ARGUMENT,
    "unknown-call": UNKNOWN_CALL,
}


def test_smc_services_check_arguments_and_record_ownership(tmp_path):
    b = boot_with(tmp_path, expect=("kernel: boot complete",))
    checks = {}
    for line in b.lines():
        if line.startswith("kernel: check "):
            name, status = line.removeprefix("kernel: check ").split(": ")
            checks[name] = int(status, 16)
    assert checks == EXPECTED
    lines = b.lines()
    assert "[SM] block 7 acquired by io0" in lines
    assert "[SM] block 7 released by io0" in lines
    assert any(x.startswith("[SM] io0 comm buffer at 0x800") for x in lines)
    # The Secure RAM is still the Security Monitor's: nothing written over its start.
    assert b.chain.pluton.events[-1].index == 1


def test_rt_elf_loader_copies_segments_into_tcm(tmp_path):
    b = boot_with(tmp_path, apps=(rt_app(),), expect=("Hello from the MT3620 IO core",),
                  timeout_ms=200)
    tcm = b.chain.machine.cores["a7"].physical_map
    elf = read_elf(PREBUILT / "hello-rt.elf")
    first = elf.segments[0]
    # The vector table (read-only, never written by the app) is where the ELF put it.
    assert tcm.read_memory(0x3F100000 + first.address - 0x00100000, 64) == first.data[:64]
    assert "kernel: start RT app on io0: 0x00000000" in b.lines()


def test_sm_reboot_boots_again_from_the_rom(tmp_path):
    # A kernel of four ARM instructions: r0 = SM_REBOOT; smc #0; b .
    code = struct.pack("<4I", 0xE3000009, 0xE3450300, 0xE1600070, 0xEAFFFFFE)
    payload = struct.pack("<4I", 0x3149534F, 0x80000000, len(code), 0x80000000) + code
    kernel = pack_os_component(payload, ImageType.NORMAL_WORLD_KERNEL, development_signer())
    b = boot_with(tmp_path, kernel=kernel, timeout_ms=30)
    assert b.chain.reboots >= 2
    lines = b.lines()
    assert lines.count("[SM] reboot requested") >= 2
    assert lines.count("[PLUTON] ROM: verifying the security monitor") == b.chain.reboots + 1
    # Pluton's measurements start again at power-on: at most one boot's worth in the log.
    assert [e.index for e in b.chain.pluton.events] in ([0], [0, 1])
