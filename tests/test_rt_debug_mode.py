"""Debug mode through the chain: ``sphere-emu run … --debug-mode APP`` has the kernel start
that RT app held before its first instruction (SM_START_DEBUG, io-reset DBGHALT) until a
debugger attached to its core lets it go; driven with the installed gdb-multiarch."""

import json
import re
import subprocess
import sys
import time

from conftest import BOARDS, PREBUILT, ROOT, needs_gdb, run_cli
from elftools.elf.elffile import ELFFile

RDB = str(BOARDS / "mt3620-rdb.yaml")
ELF = PREBUILT / "hello-rt.elf"
PKG = str(PREBUILT / "hello-rt.imagepackage")
COMPONENT = json.loads((PREBUILT.parent / "apps/hello-rt/app_manifest.json").read_text())[
    "ComponentId"]
HELD = "[kernel] started RT app hello-rt on io0 in debug mode (held for a debugger)"


def _wait_for(path, pattern: str, proc: subprocess.Popen, timeout: float = 30) -> re.Match:
    end = time.monotonic() + timeout
    while True:
        text = path.read_text(errors="replace") if path.exists() else ""
        m = re.search(pattern, text)
        if m:
            return m
        assert proc.poll() is None, f"sphere-emu exited ({proc.returncode}):\n{text}"
        assert time.monotonic() < end, f"timed out waiting for {pattern!r}:\n{text}"
        time.sleep(0.05)


@needs_gdb
def test_an_app_in_debug_mode_waits_for_the_debugger_then_runs(tmp_path):
    out, io0 = tmp_path / "out.log", tmp_path / "io0.log"
    with out.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sphere_emu", "run", RDB, PKG, "--debug-mode", COMPONENT,
             "--gdb", "io0=0", "--uart", f"io0-uart=file:{io0}", "--timeout", "3s"],
            cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
        try:
            port = int(_wait_for(out, r"gdb: io0: listening on 127\.0\.0\.1:(\d+)", proc)[1])
            _wait_for(out, re.escape(HELD), proc)
            assert "[SM] io0 started held for a debugger at 0x00100000" in out.read_text()
            time.sleep(0.5)  # the rest of the machine runs on; io0 does not
            assert not io0.exists() or io0.read_bytes() == b""
            gdb = subprocess.run(
                ["gdb-multiarch", "-q", "-nx", "-batch", str(ELF), "-ex", "set architecture arm",
                 "-ex", f"target remote 127.0.0.1:{port}", "-ex", "p/x $pc",
                 "-ex", "break print", "-ex", "continue", "-ex", "delete", "-ex", "detach"],
                cwd=ROOT, capture_output=True, text=True, timeout=30)
            said = gdb.stdout + gdb.stderr
            with open(ELF, "rb") as f:
                reset = ELFFile(f).get_section_by_name(".symtab").get_symbol_by_name(
                    "Reset_Handler")[0]["st_value"] & ~1
            assert f"$1 = {reset:#x}" in said, said  # stopped before its first instruction
            hello = r'Breakpoint 1, print \(s=.*"Hello from the MT3620 IO core!'
            assert re.search(hello, said), said
            _wait_for(io0, r"Tick 1", proc)  # detached: it runs on
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)


def test_debug_mode_names_one_of_the_packages_given(cli):
    r = cli("run", RDB, PKG, "--debug-mode", "no-such-app", "--timeout", "1ms")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "sphere-emu: error: --debug-mode no-such-app: not one of the image packages given "
        "(name a file, a component ID or an app name)"]
    r = run_cli("run", RDB, str(ELF), "--core", "io0", "--debug-mode", "hello-rt")
    assert r.returncode == 2 and "--debug-mode" in r.stderr and "Traceback" not in r.stderr
