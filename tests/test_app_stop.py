"""Stopping and starting a high-level app as the application manager does
(firmware/a7/kernel/mgmt.c, proc.c): an "app stop" request on the kernel console sends
SIGTERM; an app that handles it cleans up and exits, one that does not exit is killed with
SIGKILL two seconds later; "app start" runs it again. `sphere-emu run --app stop@TIME` makes
the requests from the command line. A crashed app is restarted. Driven with
firmware/hl/apps/sigterm-hl, bootcount-hl and fault-hl through the verified boot chain."""

import pytest
from conftest import BOARDS, PREBUILT

from sphere_emu.testing import EmulatedDevice

RDB = BOARDS / "mt3620-rdb.yaml"
GRACE_NS = 2_000_000_000


def started() -> EmulatedDevice:
    dev = EmulatedDevice.boot(RDB, PREBUILT / "sigterm-hl.imagepackage", wall_timeout="120s")
    dev.wait_for_line(r"sigterm-hl: running until SIGTERM", timeout="3s")
    return dev


def test_app_stop_sends_sigterm_and_the_app_cleans_up_and_exits():
    dev = started()
    dev.send("a7-uart", b"app stop\n")
    stopping = dev.wait_for_line(r"\[kernel\] stopping sigterm-hl: SIGTERM", timeout="1500ms")
    dev.wait_for_line(r"^sigterm-hl: SIGTERM, cleaning up$", timeout="100ms")
    dev.wait_for_line(r"^sigterm-hl: exiting$", timeout="200ms")
    done = dev.wait_for_line(r"\[kernel\] app sigterm-hl exited with status 0", timeout="10ms")
    assert done.time_ns - stopping.time_ns < GRACE_NS
    assert not any("killed by" in e.line or "did not exit" in e.line for e in dev.lines)


def test_an_app_that_does_not_exit_is_killed_when_the_grace_period_ends():
    dev = started()
    dev.press("button-a")  # the app's "busy" condition: it will not exit
    dev.send("a7-uart", b"app stop\n")
    stopping = dev.wait_for_line(r"\[kernel\] stopping sigterm-hl: SIGTERM", timeout="1500ms")
    dev.wait_for_line(r"^sigterm-hl: SIGTERM while busy: not exiting$", timeout="100ms")
    late = dev.wait_for_line(r"\[kernel\] app sigterm-hl did not exit within 2000 ms of SIGTERM",
                             timeout="2500ms")
    dev.wait_for_line(r"\[kernel\] app sigterm-hl killed by signal 9 \(SIGKILL\)", timeout="1ms")
    # Line times are when each line's last byte left the UART: within a millisecond of 2 s.
    assert abs(late.time_ns - stopping.time_ns - GRACE_NS) < 1_000_000


def test_an_unknown_request_is_named_and_the_app_runs_on():
    dev = started()
    dev.send("a7-uart", b"app restart\n")
    dev.wait_for_line(r'\[kernel\] unknown request "app restart" \(known: app stop, app start\)',
                      timeout="1500ms")
    dev.assert_no_line(r"SIGTERM|exited", during="500ms")


def test_app_stop_and_start_from_the_command_line(cli):
    """The SIGTERM handler's output on the console, then the app again: its mutable
    storage (the run's temporary device) says it is the second start."""
    r = cli("run", str(RDB), str(PREBUILT / "bootcount-hl.imagepackage"), "--app", "stop@500ms",
            "--app", "start@1s", "--app", "start@1.2s", "--timeout", "1.5s", timeout=300)
    assert r.returncode == 0, r.stderr
    out = [line for line in r.stdout.splitlines() if not line.startswith(("[SM]", "[PLUTON]"))]
    assert out[out.index("boot count 1"):] == [
        "boot count 1",
        "[kernel] stopping bootcount-hl: SIGTERM (SIGKILL if still running in 2000 ms)",
        "bootcount-hl: SIGTERM, exiting",
        "[kernel] app bootcount-hl exited with status 0",
        "[kernel] starting bootcount-hl",
        "write past the 1 KiB quota: -1, errno 28 (No space left on device)",
        "boot count 2",
        "[kernel] app start: bootcount-hl is already running",
    ]


@pytest.mark.parametrize(("args", "message"), [
    (("--app", "pause@1s"), "--app 'pause@1s': expected ACTION@TIME with ACTION one of stop, "
                            "start (e.g. stop@2s, start@3s)"),
    (("--app", "stop"), "--app 'stop': expected ACTION@TIME"),
    (("--app", "stop@soon"), "--app 'stop@soon': not a duration: 'soon'"),
])
def test_a_bad_app_request_is_one_line_before_anything_runs(cli, args, message):
    r = cli("run", str(RDB), str(PREBUILT / "bootcount-hl.imagepackage"), *args)
    assert r.returncode == 2
    assert r.stderr.startswith(f"sphere-emu: error: {message}")
    assert len(r.stderr.splitlines()) == 1 and r.stdout == ""


def test_app_requests_need_the_os(cli):
    r = cli("run", str(RDB), "--core", "io0", str(PREBUILT / "hello-rt.elf"), "--app", "stop@1s")
    assert r.returncode == 2
    assert "--app asks the board's OS" in r.stderr


def test_a_crashed_app_is_restarted_later_each_time():
    dev = EmulatedDevice.boot(RDB, PREBUILT / "fault-hl.imagepackage", wall_timeout="120s")
    first = dev.wait_for_line(r"\[kernel\] app fault-hl killed: data abort", timeout="1s")
    dev.wait_for_line(r"\[kernel\] app fault-hl: crash 1, restarting in 10 ms", timeout="1ms")
    restart = dev.wait_for_line(r"^\[kernel\] restarting fault-hl$", timeout="20ms")
    assert 10_000_000 <= restart.time_ns - first.time_ns < 11_000_000
    dev.wait_for_line(r"^fault-hl: reading the kernel's memory$", timeout="20ms")
    second = dev.wait_for_line(r"\[kernel\] app fault-hl killed: data abort", timeout="1ms")
    dev.wait_for_line(r"\[kernel\] app fault-hl: crash 2, restarting in 20 ms", timeout="1ms")
    # "app stop" while it waits for its restart: it stays stopped.
    dev.app_stop()
    dev.wait_for_line(r"\[kernel\] app stop: fault-hl stays stopped \(its restart is "
                      r"cancelled\)", timeout="15ms")
    dev.assert_no_line(r"restarting|starting", during="200ms")
    # "app start" brings it back, with the back-off counted afresh.
    dev.app_start()
    dev.wait_for_line(r"^\[kernel\] starting fault-hl$", timeout="10ms")
    dev.wait_for_line(r"\[kernel\] app fault-hl: crash 1, restarting in 10 ms", timeout="20ms")
    assert second.time_ns > first.time_ns
