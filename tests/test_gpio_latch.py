"""GPIO output latches served in C while nobody watches the pads (engine/native/latch.py):
an RT app's tight loops over DOUT, its aliases and read-modify-writes (firmware/apps/
gpio-latch-loop) give the same pins, values read back and times as the Python path, a pad
watched later sees every change at its time, snapshots see the latch, and a firewall that
closes the block stops the next store either way."""

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import BOARDS, PREBUILT, ROOT

from sphere_emu.board import load_board
from sphere_emu.bus.access import BusAccess
from sphere_emu.machine import Machine

BOARD = BOARDS / "mt3620-rdb.yaml"
ELF = PREBUILT / "gpio-latch-loop.elf"
SOURCE = ROOT / "sphere_emu" / "engine" / "native" / "gpio_latch.c"
COMPILER = shutil.which("cc") or shutil.which("gcc")
PHASE1 = "gpio-latch: phase 1 sum 150000 dout 9 isu 1"  # worked out in the app's comments
DONE = "gpio-latch: done dout 9"
SECURE = BusAccess("secure-world", secure=True)


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    """gpio_latch.c built here, so the test does not depend on how the package was built."""
    if COMPILER is None:
        pytest.skip("no C compiler to build gpio_latch.c")
    out = tmp_path_factory.mktemp("native") / "gpio_latch.so"
    subprocess.run([COMPILER, "-O2", "-shared", "-fPIC", "-o", str(out), str(SOURCE)],
                   check=True, timeout=120)
    return out


def _machine(native: Path | bool) -> tuple[Machine, list[tuple[int, str]]]:
    machine = Machine(load_board(BOARD), native_gpio=native)
    machine.load_elf("io0", ELF)
    lines: list[tuple[int, str]] = []
    machine.serial.ports["io0-uart"].line_listeners.append(
        lambda _port, t, line: lines.append((t, line)))
    return machine, lines


def _run_until(machine: Machine, lines: list[tuple[int, str]], text: str) -> None:
    for _ in range(100):
        if any(line.startswith(text) for _, line in lines):
            return
        machine.run_for(1_000_000)
    raise AssertionError(f"no {text!r} in {lines}")


def _levels(machine: Machine) -> dict[str, tuple[int, str]]:
    return {name: (machine.pins.get(name).level, machine.pins.get(name).driver)
            for name in ("GPIO0", "GPIO1", "GPIO2", "GPIO3", "GPIO26")}


def _loops(native: Path | bool) -> dict:
    machine, lines = _machine(native)
    _run_until(machine, lines, "gpio-latch: phase 1")
    gpio0, isu0 = machine.peripherals["gpio0"], machine.peripherals["isu0-gpio"]
    after_phase1 = _levels(machine)
    stores = (gpio0.native_stores, isu0.native_stores)
    seen: list[tuple[int, int]] = []
    machine.pins.get("GPIO0").watch(lambda _pin, t, level: seen.append((t, level)))
    _run_until(machine, lines, "gpio-latch: done")
    return {"lines": lines, "after_phase1": after_phase1, "seen": seen,
            "stores": stores, "stores_watched": gpio0.native_stores - stores[0],
            "retired": machine.cores["io0"].instructions_retired, "final": _levels(machine)}


def test_latch_served_in_c_gives_the_python_paths_pins_values_and_times(library):
    native, python = _loops(library), _loops(False)
    assert [line for _, line in native["lines"]] == [PHASE1, DONE]
    # C served every store of phase 1 (the loops run after the OE writes hand the latch over)
    # and none once GPIO0 is watched; without the library, none at all.
    assert native["stores"] == (4 * 20000 + 1, 20000 + 1)
    assert native["stores_watched"] == 0
    assert python["stores"] == (0, 0)
    levels = {"GPIO0": (1, "gpio0"), "GPIO1": (0, "gpio0"), "GPIO2": (0, "gpio0"),
              "GPIO3": (1, "gpio0"), "GPIO26": (1, "isu0-gpio")}
    assert native["after_phase1"] == python["after_phase1"] == levels
    # Phase 2 watched: 4 x (set: none, reset: fall, toggle: rise), at the stores' times.
    assert [level for _, level in native["seen"]] == [0, 1] * 4
    for key in ("lines", "seen", "retired", "final"):
        assert native[key] == python[key], key


def test_snapshot_mid_loop_holds_the_latch_and_restores_into_either_path(library):
    reference, ref_lines = _machine(False)
    _run_until(reference, ref_lines, "gpio-latch: done")
    machine, _ = _machine(library)
    machine.run_for(1_000_000)  # inside phase 1's loop (it takes ~3 ms)
    assert machine.peripherals["gpio0"].handed_over
    snap = machine.snapshot()
    python, _ = _machine(False)
    python.run_for(1_000_000)
    same_time = python.snapshot()
    assert snap["peripherals"]["gpio0"]["regs"] == same_time["peripherals"]["gpio0"]["regs"]
    assert snap["pins"]["pins"][:4] == same_time["pins"]["pins"][:4]
    for native in (library, False):
        fresh, lines = _machine(native)
        fresh.restore(snap)
        _run_until(fresh, lines, "gpio-latch: done")
        assert [line for _, line in lines] == [line for _, line in ref_lines]
        assert lines[-1] == ref_lines[-1] and lines[0][0] == ref_lines[0][0]


@pytest.mark.parametrize("native", ["library", False])
def test_a_firewall_closing_the_block_refuses_the_next_store(native, request):
    machine, lines = _machine(request.getfixturevalue("library") if native else False)
    _run_until(machine, lines, "gpio-latch: phase 1")
    assert machine.peripherals["gpio0"].handed_over is bool(native)
    firewall = machine.peripherals["firewall"]
    firewall.write(firewall.offsets["SLOT1"], 4, 0b01, SECURE)  # gpio0: io0 may only read
    firewall.write(firewall.offsets["SLOT7"], 4, 0b11, SECURE)  # isu0: io0 reads and writes
    firewall.write(firewall.offsets["CTRL"], 4, 1, SECURE)
    machine.run_for(20_000_000)
    refused = [d for d in firewall.denials if d.block == "gpio0"]
    assert refused and refused[0].initiator == "io0" and refused[0].write
    assert machine.pins.get("GPIO0").level == 1  # phase 2's stores never reached the pad
    assert all(not line.startswith("gpio-latch: done") for _, line in lines)
