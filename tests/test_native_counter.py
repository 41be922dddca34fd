"""The native block counter behind ``--fast``: chosen when built, a clean fallback when not,
and a fast mode that runs firmware correctly and the same way every time."""

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import BOARDS, PREBUILT

from sphere_emu.board import load_board
from sphere_emu.engine.native import default_library
from sphere_emu.machine import Machine

BOARD = BOARDS / "mt3620-rdb.yaml"
SOURCE = Path(__file__).resolve().parent.parent / "sphere_emu" / "engine" / "native" / "counter.c"
COMPILER = shutil.which("cc") or shutil.which("gcc")
needs_compiler = pytest.mark.skipif(COMPILER is None, reason="no C compiler to build counter.c")


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    """counter.c built here, so the tests do not depend on how the package was installed."""
    out = tmp_path_factory.mktemp("native") / "counter.so"
    subprocess.run([COMPILER, "-O2", "-shared", "-fPIC", "-o", str(out), str(SOURCE)],
                   check=True, timeout=120)
    return out


def _run(elf: str, ns: int, board: Path = BOARD, **options
         ) -> tuple[Machine, list[tuple[int, str]]]:
    machine = Machine(load_board(board), **options)
    machine.load_elf("io0", PREBUILT / elf)
    lines: list[tuple[int, str]] = []
    machine.serial.ports["io0-uart"].line_listeners.append(
        lambda _port, t, line: lines.append((t, line)))
    machine.run_for(ns)
    return machine, lines


def test_without_the_library_fast_falls_back_to_the_exact_count(tmp_path):
    machine, lines = _run("hello-rt.elf", 1_100_000_000,
                          native_counter=tmp_path / "missing.so", fast=True)
    assert not machine.fast and not machine.counter_choice.native
    assert "not usable" in machine.counter_choice.detail
    exact, exact_lines = _run("hello-rt.elf", 1_100_000_000)
    assert lines == exact_lines and [line for _, line in lines][:2] == [
        "Hello from the MT3620 IO core!", "Tick 1"]
    assert machine.cores["io0"].instructions_retired == exact.cores["io0"].instructions_retired


@needs_compiler
def test_fast_mode_runs_the_self_test_the_same_way_every_time(library):
    first, first_lines = _run("m4-selftest.elf", 200_000_000, native_counter=library, fast=True)
    assert first.fast and first.counter_choice.native
    second, second_lines = _run("m4-selftest.elf", 200_000_000, native_counter=library,
                                fast=True)
    assert first_lines == second_lines
    assert first.cores["io0"].instructions_retired == second.cores["io0"].instructions_retired
    _, exact_lines = _run("m4-selftest.elf", 200_000_000)
    # Same results as the exact mode; the times may differ (block-granular counting).
    assert [line for _, line in first_lines] == [line for _, line in exact_lines]
    assert any("ALL PASS" in line for _, line in first_lines), first_lines


@needs_compiler
def test_fast_mode_times_a_register_access_at_its_own_instruction(library):
    """dma-selftest starts a copy and reads its progress (GLBSTA0, RLCT) a few
    instructions later in the same block: timed at the block's start, the reads would see
    no progress and the "running" checks would fail."""
    board = Path(__file__).resolve().parent / "data" / "serial-selftest.yaml"
    runs = [_run("dma-selftest.elf", 2_000_000, board, native_counter=library, fast=True)
            for _ in range(2)]
    (first, first_lines), (second, second_lines) = runs
    assert first.fast and first_lines == second_lines
    assert first.cores["io0"].instructions_retired == second.cores["io0"].instructions_retired
    texts = [line for _, line in first_lines]
    assert "PASS running: RLCT below COUNT and above 0: 0x00000001 (expected 0x00000001)" \
        in texts
    assert texts[-1] == "dma-selftest: 20 passed, 0 failed", texts


def test_cli_fast_runs_the_hello_app(cli):
    result = cli("run", str(BOARD), str(PREBUILT / "hello-rt.elf"), "--core", "io0",
                 "--fast", "--timeout", "3s", "--expect", "Tick 2")
    assert result.returncode == 0, result.stderr
    assert "Hello from the MT3620 IO core!" in result.stdout and "Tick 2" in result.stdout
    # Only a run without the library says it stayed exact.
    assert ("running exact" in result.stderr) == (default_library() is None), result.stderr


def test_version_says_which_counter_fast_can_use(cli):
    result = cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("sphere-emu, version ")
    expected = "native block counter" if default_library() else "Unicorn's per-instruction"
    assert f"instruction counter: {expected}" in result.stdout
