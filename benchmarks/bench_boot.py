"""Boot time: wall time from starting `sphere-emu run` to the sample apps' first lines.

    python benchmarks/bench_boot.py [--runs 3]

Runs `sphere-emu run boards/mt3620-rdb.yaml APP.imagepackage` as a user would (a fresh
temporary device, the board's signed OS: Pluton ROM, Security Monitor, kernel, then the
app) and times, from process start, the first line of:
- hello-hl (firmware/prebuilt/hello-hl.imagepackage): "Hello from a high-level app";
- hello-rt (firmware/prebuilt/hello-rt.imagepackage): "Hello from the MT3620 IO core".
Target: under 1 s each. A sample package that is not built yet is reported as missing
(nothing else is substituted for it), and so is a line that never appears. The package's
bytecode is compiled first, as an installed package has it (a checkout run with
PYTHONDONTWRITEBYTECODE would otherwise compile every module on every start).
"""

import argparse
import compileall
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOARD = ROOT / "boards" / "mt3620-rdb.yaml"
PREBUILT = ROOT / "firmware" / "prebuilt"
SAMPLES = {"hello-hl": "Hello from a high-level app",
           "hello-rt": "Hello from the MT3620 IO core"}
TARGET_S = 1.0
LIMIT_S = 30.0


def time_to_line(package: Path, text: str) -> tuple[float, float] | None:
    """Seconds from launching the CLI to ``text`` appearing on its output, and the CPU
    seconds (user + system) the process had used by then (None: never)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sphere_emu", "run", str(BOARD), str(package), "--timeout", "3s",
         "--expect", text], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wall = None
    try:
        for line in proc.stdout:
            if text in line:
                wall = time.perf_counter() - start
                break
            if time.perf_counter() - start > LIMIT_S:
                break
    finally:
        proc.kill()  # (it may have ended already: --expect met)
        proc.wait()
    return None if wall is None else (wall, _cpu_since(before))


def _cpu_since(before: resource.struct_rusage) -> float:
    """CPU seconds (user + system) of the children reaped since ``before``: the one run."""
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "sphere_emu", quiet=1)
    failed = False
    for name, text in SAMPLES.items():
        package = PREBUILT / f"{name}.imagepackage"
        if not package.is_file():
            print(f"{name}: MISSING {package.relative_to(ROOT)} (not built yet): no figure")
            failed = True
            continue
        runs = [time_to_line(package, text) for _ in range(args.runs)]
        if None in runs:
            print(f"{name}: the line {text!r} never appeared")
            failed = True
            continue
        times = [wall for wall, _cpu in runs]
        best, median = min(times), statistics.median(times)
        cpu = statistics.median(cpu for _wall, cpu in runs)
        verdict = "ok" if median < TARGET_S else "OVER TARGET"
        print(f"{name}: run -> first line: median {median:.3f} s, best {best:.3f} s over "
              f"{args.runs} runs (target < {TARGET_S:.0f} s: {verdict}); CPU used by then: "
              f"median {cpu:.3f} s (what a loaded host does not inflate)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
