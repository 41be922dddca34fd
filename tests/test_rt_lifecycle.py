"""RT apps that crash, through the whole chain: the core locks up, the Security Monitor
holds it and tells the kernel, the kernel reports the app's component ID, where it faulted
and how, and restarts it after a growing delay (docs/kernel-and-apps.md §9)."""

import json
import re

from conftest import BOARDS, PREBUILT, run_cli
from elftools.elf.elffile import ELFFile

RDB = str(BOARDS / "mt3620-rdb.yaml")
FAULT_PKG = str(PREBUILT / "fault-rt.imagepackage")
HELLO_PKG = str(PREBUILT / "hello-rt.imagepackage")
COMPONENT = json.loads((PREBUILT.parent / "apps/fault-rt/app_manifest.json").read_text())[
    "ComponentId"]
CRASH = re.compile(r"\[kernel\] RT app fault-rt \((?P<cid>[0-9a-f-]+)\) on io1 crashed at pc "
                   r"0x(?P<pc>[0-9a-f]{8}): (?P<what>.*); "
                   r"locked up at pc 0x(?P<lockup>[0-9a-f]{8})$")
RESTARTING = re.compile(r"\[kernel\] RT app fault-rt: crash (\d+), restarting in (\d+) ms$")


def _symbols() -> dict[str, tuple[int, int]]:
    with open(PREBUILT / "fault-rt.elf", "rb") as f:
        table = ELFFile(f).get_section_by_name(".symtab")
        return {s.name: (s["st_value"] & ~1, s["st_size"]) for s in table.iter_symbols()}


def test_a_crashing_rt_app_is_reported_and_restarted_with_growing_delays(tmp_path):
    runs = []
    for i in range(2):
        io0 = tmp_path / f"io0-{i}.log"
        r = run_cli("run", RDB, HELLO_PKG, FAULT_PKG, "--timeout", "400ms",
                    "--uart", f"io0-uart=file:{io0}")
        assert r.returncode == 0, r.stdout + r.stderr
        runs.append((r.stdout, io0.read_bytes()))
    assert runs[0] == runs[1]  # the same crashes, reports and restarts, byte for byte
    out = runs[0][0].splitlines()

    symbols = _symbols()
    load, _ = symbols["fault_rt_load"]
    handler, handler_size = symbols["HardFault_Handler"]
    crashes = [m for m in map(CRASH.match, out) if m]
    assert len(crashes) == 6
    for m in crashes:
        assert m["cid"] == COMPONENT
        assert int(m["pc"], 16) == load  # the faulting load, not where the core stopped
        assert m["what"] == ("BusFault (precise data bus error, address 0x70000000), "
                             "UsageFault (undefined instruction)")
        assert handler <= int(m["lockup"], 16) < handler + handler_size  # its trap
    delays = [(int(m[1]), int(m[2])) for m in map(RESTARTING.match, out) if m]
    assert delays == [(1, 10), (2, 20), (3, 40), (4, 80), (5, 160), (6, 320)]
    # The Security Monitor saw each lockup first; every crash but the last got a restart.
    held = f"[SM] io1 locked up at 0x{crashes[0]['lockup']}, held in reset"
    assert out.count(held) == 6
    assert out.count("[kernel] restarted RT app fault-rt on io1") == 5
    assert out.count("fault-rt: started, reading an unmapped address") == 6
    assert "fault-rt: still running after the fault" not in out

    # The app on the other core never noticed: its UART bytes are those of a run alone.
    alone = tmp_path / "alone.log"
    r = run_cli("run", RDB, HELLO_PKG, "--timeout", "400ms", "--uart", f"io0-uart=file:{alone}")
    assert r.returncode == 0, r.stdout + r.stderr
    assert runs[0][1] == alone.read_bytes()
    assert b"Hello from the MT3620 IO core!" in alone.read_bytes()
