"""Boot time: wall time from starting `sphere-emu run` to the sample apps' first lines.

    python benchmarks/bench_boot.py [--runs 3]

Runs `sphere-emu run boards/mt3620-rdb.yaml APP.imagepackage` as a user would (a fresh
temporary device, the board's signed OS: Pluton ROM, Security Monitor, kernel, then the
app) and times, from process start, the first line of:
- hello-hl (firmware/prebuilt/hello-hl.imagepackage): "Hello from a high-level app";
- hello-rt (firmware/prebuilt/hello-rt.imagepackage): "Hello from the MT3620 IO core".
Target: under 1 s each. A sample package that is not built yet is reported as missing
(nothing else is substituted for it), and so is a line that never appears.
"""

import argparse
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


def time_to_line(package: Path, text: str) -> float | None:
    """Seconds from launching the CLI to ``text`` appearing on its output (None: never)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sphere_emu", "run", str(BOARD), str(package), "--timeout", "3s",
         "--expect", text], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in proc.stdout:
            if text in line:
                return time.perf_counter() - start
            if time.perf_counter() - start > LIMIT_S:
                break
        return None
    finally:
        proc.kill()
        proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    failed = False
    for name, text in SAMPLES.items():
        package = PREBUILT / f"{name}.imagepackage"
        if not package.is_file():
            print(f"{name}: MISSING {package.relative_to(ROOT)} (not built yet): no figure")
            failed = True
            continue
        times = [time_to_line(package, text) for _ in range(args.runs)]
        if None in times:
            print(f"{name}: the line {text!r} never appeared")
            failed = True
            continue
        best, median = min(times), statistics.median(times)
        verdict = "ok" if median < TARGET_S else "OVER TARGET"
        print(f"{name}: run -> first line: median {median:.3f} s, best {best:.3f} s over "
              f"{args.runs} runs (target < {TARGET_S:.0f} s: {verdict})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
