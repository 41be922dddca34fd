"""Stopping a high-level app as the application manager does (firmware/a7/kernel/mgmt.c,
proc.c): an "app stop" request on the kernel console sends SIGTERM; an app that handles it
cleans up and exits, one that does not exit is killed with SIGKILL two seconds later.
Driven with firmware/hl/apps/sigterm-hl through the verified boot chain."""

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
    dev.wait_for_line(r'\[kernel\] unknown request "app restart" \(known: app stop\)',
                      timeout="1500ms")
    dev.assert_no_line(r"SIGTERM|exited", during="500ms")
