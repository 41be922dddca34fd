"""Run many ``sphere-emu`` command lines in one process and report how each ended.

Used by test_cli_inputs.py: starting one interpreter per case would cost a minute. Reads a
JSON list of argument lists on stdin; prints one JSON object per case (exit status, stderr,
wall seconds) and, last, the process's peak RSS. A case that blocks is cut off by an alarm
and reported as such (a FIFO that hangs the CLI must fail the test, not hang it).
"""

import contextlib
import gc
import io
import json
import resource
import signal
import sys
import time
import traceback

from sphere_emu.cli import main

CASE_LIMIT_S = 10


class _Hung(BaseException):
    pass


def _alarm(signum, frame):  # noqa: ANN001, ARG001
    raise _Hung()


def peak_rss_mib() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited across exec from the
    parent that started it)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(args: list[str]) -> dict:
    out, err = io.StringIO(), io.StringIO()
    status: object = 0
    start = time.monotonic()
    signal.alarm(CASE_LIMIT_S)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(args, prog_name="sphere-emu")
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 1
    except _Hung:
        status = "hung"
    except BaseException:  # noqa: BLE001 - the test reports it as a traceback
        status = "traceback"
        err.write(traceback.format_exc())
    finally:
        signal.alarm(0)
        gc.collect()  # one command per process for a user: what it built is gone after it
    return {"args": args, "status": status, "stderr": err.getvalue(),
            "seconds": time.monotonic() - start,
            "rss_mib": peak_rss_mib()}


def main_() -> None:
    signal.signal(signal.SIGALRM, _alarm)
    cases = json.load(sys.stdin)
    results = [run_case(args) for args in cases]
    peak_mib = peak_rss_mib()
    json.dump({"results": results, "peak_rss_mib": peak_mib}, sys.__stdout__)


if __name__ == "__main__":
    main_()
