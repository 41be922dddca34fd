"""The OS kernel (firmware/a7/kernel) booted by the stand-in Security Monitor
(firmware/a7/kernel/standin): flash table and app packages written into the flash, the
kernel into SYSRAM, the stand-in entered in the Secure World. These tests need nothing of
the boot chain; tests/test_hl_apps.py and tests/test_intercore.py also go through
`sphere-emu run` when it can boot packages."""

import struct

import pytest
from conftest import BOARDS, PREBUILT, run_cli

from sphere_emu.board import load_board
from sphere_emu.elf import read_elf
from sphere_emu.machine import Machine
from sphere_emu.runner import Outcome, Runner

BOARD = BOARDS / "mt3620-rdb.yaml"
FLASH_TABLE_MAGIC = 0x31544653
FLASH_APPLICATION = 3
SYSRAM = 0x80000000


def flash_image(packages: list[bytes]) -> bytes:
    """The flash table of firmware/include/flash_layout.h, then each package 4 KiB-aligned."""
    entries, blobs, offset = [], b"", 0x1000
    for pkg in packages:
        entries.append(struct.pack("<4I", FLASH_APPLICATION, offset, len(pkg), 0))
        padded = pkg + bytes(-len(pkg) % 0x1000)
        blobs += padded
        offset += len(padded)
    table = struct.pack("<2I", FLASH_TABLE_MAGIC, len(packages)) + b"".join(entries)
    return table + bytes(0x1000 - len(table)) + blobs


def boot(*packages: bytes | str, expect: list[str], fail_on: list[str] | None = None,
         limit_ns: int = 2_000_000_000) -> tuple[Outcome, Runner]:
    """Boot the kernel with these packages (bytes, or file names in prebuilt/) installed."""
    machine = Machine(load_board(BOARD))
    blobs = [p if isinstance(p, bytes) else (PREBUILT / p).read_bytes() for p in packages]
    machine.memories["flash"].write(0, flash_image(blobs))
    for seg in read_elf(PREBUILT / "kernel.elf").segments:
        machine.memories["a7-sysram"].write(seg.address - SYSRAM, seg.data)
    machine.load_elf("a7", PREBUILT / "kernel-standin-sm.elf")
    fail_on = ["PANIC", "killed"] if fail_on is None else fail_on
    runner = Runner(machine, expect=expect, fail_on=fail_on)
    return runner.run(limit_ns).outcome, runner


def lines(runner: Runner, port: str = "a7-uart") -> list[str]:
    return [e.line for e in runner.lines if e.port == port]


def test_kernel_starts_a_high_level_app_from_flash():
    outcome, runner = boot("hello-hl.imagepackage", expect=["exited with status 0"])
    assert outcome is Outcome.EXPECTED, lines(runner)
    assert lines(runner) == [
        "[kernel] sphere-emu kernel: Normal World, MMU on",
        "[kernel] starting hello-hl",
        "Hello from a high-level app on the A7!",
        "[kernel] app hello-hl exited with status 0",
    ]


def test_no_flash_table_means_no_apps():
    machine = Machine(load_board(BOARD))
    for seg in read_elf(PREBUILT / "kernel.elf").segments:
        machine.memories["a7-sysram"].write(seg.address - SYSRAM, seg.data)
    machine.load_elf("a7", PREBUILT / "kernel-standin-sm.elf")
    runner = Runner(machine, expect=["no high-level app"])
    assert runner.run(100_000_000).outcome is Outcome.EXPECTED
    assert "[kernel] no flash table at 0x90000000: no apps" in lines(runner)


@pytest.mark.parametrize("damage, reason", [
    (lambda p: p[:-200], "refused by the Security Monitor"),
])
def test_a_damaged_package_is_refused_and_the_rest_run(damage, reason):
    bad = damage((PREBUILT / "eperm-hl.imagepackage").read_bytes())
    outcome, runner = boot(bad, "hello-hl.imagepackage", expect=["exited with status 0"])
    assert outcome is Outcome.EXPECTED, lines(runner)
    assert any(reason in line for line in lines(runner)), lines(runner)
    assert "Hello from a high-level app on the A7!" in lines(runner)


@pytest.mark.parametrize("executable, reason", [
    ("kernel-standin-sm.elf", "segment outside the app's image area (0x10000-0x800000)"),
    ("../hl/apps/hello-hl/main.c", "not an ELF file"),
])
def test_an_executable_that_cannot_run_in_user_space_is_refused(tmp_path, executable, reason):
    manifest = (PREBUILT.parent / "hl/apps/hello-hl/app_manifest.json").read_text()
    (tmp_path / "app_manifest.json").write_text(manifest.replace('"hello-hl"', '"bad-hl"'))
    pkg = tmp_path / "bad.imagepackage"
    r = run_cli("image", "pack-application", "--manifest", str(tmp_path / "app_manifest.json"),
                "--executable", str(PREBUILT / executable), "--key", "development",
                "-o", str(pkg))
    assert r.returncode == 0, r.stderr
    outcome, runner = boot(pkg.read_bytes(), expect=["no high-level app"])
    assert outcome is Outcome.EXPECTED, lines(runner)
    assert any(line.startswith(f"[kernel] bad-hl: {reason}") for line in lines(runner))


def test_runs_are_deterministic():
    def transcript():
        outcome, runner = boot("intercore-rt.imagepackage", "intercore-hl.imagepackage",
                               expect=["intercore-hl: done"])
        assert outcome is Outcome.EXPECTED
        return [(e.port, e.time_ns, e.line) for e in runner.lines]
    assert transcript() == transcript()
