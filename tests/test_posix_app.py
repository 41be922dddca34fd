"""High-level apps are Linux processes: a program written against POSIX and the C library
only (firmware/hl/apps/posix-hl), built with Debian's cross gcc and static glibc, prints and
exits on the emulated device exactly as the same source does on this Linux host; the kernel
refuses executables it cannot run, and ends an app that exhausts its memory, with a reason
on the console."""

import shutil
import struct
import subprocess

import pytest
from conftest import PREBUILT, run_cli
from test_kernel import boot, lines

from sphere_emu.runner import Outcome

POSIX_SOURCE = PREBUILT.parent / "hl/apps/posix-hl/main.c"


def app_lines(runner, name: str) -> tuple[list[str], str]:
    """The app's own console lines and the kernel's line about its end."""
    out = lines(runner)
    start = out.index(f"[kernel] starting {name}")
    end = next(i for i, line in enumerate(out) if line.startswith(f"[kernel] app {name} "))
    return out[start + 1:end], out[end]


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs the host C compiler")
def test_a_posix_program_prints_and_exits_as_on_linux(tmp_path):
    host = tmp_path / "posix-host"
    subprocess.run(["cc", "-O2", "-o", str(host), str(POSIX_SOURCE)], check=True)
    linux = subprocess.run([str(host)], capture_output=True, text=True, timeout=30)
    outcome, runner = boot("posix-hl.imagepackage", expect=["exited with status"],
                           limit_ns=3_000_000_000)
    assert outcome is Outcome.EXPECTED, lines(runner)
    printed, end = app_lines(runner, "posix-hl")
    assert printed == linux.stdout.splitlines()
    assert end == f"[kernel] app posix-hl exited with status {linux.returncode}"
    assert linux.returncode == 42


def test_the_posix_program_sleeps_in_virtual_time():
    outcome, runner = boot("posix-hl.imagepackage", expect=["exited with status"],
                           limit_ns=3_000_000_000)
    assert outcome is Outcome.EXPECTED, lines(runner)
    at = {e.line: e.time_ns for e in runner.lines}
    ticks = [at[f"events: timer tick {n}"] for n in (1, 2, 3)]
    # timerfd every 100 ms: the ticks are 100 ms of virtual time apart (give or take the
    # microseconds of printing them).
    for a, b in zip(ticks, ticks[1:], strict=False):
        assert abs((b - a) - 100_000_000) < 50_000


def patched(offset: int, fmt: str, value: int) -> bytes:
    elf = bytearray((PREBUILT / "posix-hl.elf").read_bytes())
    struct.pack_into(fmt, elf, offset, value)
    return bytes(elf)


def phdr(index: int, field: int) -> int:
    """File offset of a field of program header ``index`` of posix-hl.elf."""
    elf = (PREBUILT / "posix-hl.elf").read_bytes()
    phoff = struct.unpack_from("<I", elf, 28)[0]
    return phoff + 32 * index + field


def first_load() -> int:
    elf = (PREBUILT / "posix-hl.elf").read_bytes()
    phoff, phnum = struct.unpack_from("<I", elf, 28)[0], struct.unpack_from("<H", elf, 44)[0]
    return next(i for i in range(phnum) if struct.unpack_from("<I", elf, phoff + 32 * i)[0] == 1)


@pytest.mark.parametrize("make_elf, reason", [
    (lambda: patched(18, "<H", 62), "not an ARM executable (wrong architecture)"),
    (lambda: patched(4, "<B", 2), "not a 32-bit little-endian ELF"),
    (lambda: patched(28, "<I", 0x7FFFFFF0), "corrupt program header table"),
    (lambda: patched(42, "<H", 56), "corrupt program header table"),
    (lambda: patched(phdr(first_load(), 4), "<I", 0x7FFF0000),
     "corrupt program header: segment outside the file"),
    (lambda: patched(phdr(first_load(), 20), "<I", 0x7FFF0000),
     "segment outside the app's image area (0x10000-0x800000): memsz too large?"),
    (lambda: patched(16, "<H", 3), "not a static executable (ET_EXEC); link with -static"),
    (lambda: patched(phdr(first_load(), 0), "<I", 3),
     "dynamically linked (PT_INTERP): only static executables run"),
])
def test_the_kernel_refuses_an_executable_it_cannot_run(tmp_path, make_elf, reason):
    manifest = (PREBUILT.parent / "hl/apps/posix-hl/app_manifest.json").read_text()
    (tmp_path / "app_manifest.json").write_text(manifest.replace('"posix-hl"', '"bad-hl"'))
    (tmp_path / "app").write_bytes(make_elf())
    pkg = tmp_path / "bad.imagepackage"
    r = run_cli("image", "pack-application", "--manifest", str(tmp_path / "app_manifest.json"),
                "--executable", str(tmp_path / "app"), "--key", "development", "-o", str(pkg))
    assert r.returncode == 0, r.stderr
    outcome, runner = boot(pkg.read_bytes(), expect=["no high-level app to run"])
    assert outcome is Outcome.EXPECTED, lines(runner)
    assert f"[kernel] bad-hl: {reason}" in lines(runner)


def test_exhausting_heap_and_stack_ends_the_app_not_the_device():
    outcome, runner = boot("limits-hl.imagepackage", expect=["killed"], fail_on=["PANIC"],
                           limit_ns=3_000_000_000)
    assert outcome is Outcome.EXPECTED, lines(runner)
    printed, end = app_lines(runner, "limits-hl")
    # An unsupported call: ENOSYS each time, reported by name once.
    assert printed[:3] == [
        "[kernel] limits-hl: system call inotify_init1 (360) is not supported: ENOSYS",
        "limits-hl: inotify_init1 -> -1, errno ENOSYS",
        "limits-hl: inotify_init1 -> -1, errno ENOSYS",
    ]
    # The heap: the kernel says no once, malloc() returns NULL, the app goes on.
    assert printed[3].startswith("[kernel] limits-hl: out of memory (brk; ")
    assert printed[4].startswith("limits-hl: malloc returned NULL after ")
    assert printed[4].endswith(" KiB, errno ENOMEM")
    assert int(printed[4].split()[5]) >= 2048
    # The stack: the guard page below it ends the app with the reason.
    assert printed[5] == "limits-hl: recursing"
    assert end.startswith("[kernel] app limits-hl killed: stack overflow (128 KiB) at pc 0x")
