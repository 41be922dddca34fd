"""Debugging a real RT app with the installed gdb-multiarch against ``sphere-emu run --gdb``.

Each test starts the emulator the way a user does (a subprocess, a GDB port picked by the
OS, held at reset with --gdb-wait, UART to a file) and drives gdb-multiarch in batch mode.
The firmware is firmware/apps/gdb-demo: a GPT0 interrupt handler writes ``timer_ticks``,
``scale(round, factor)`` has arguments and locals, and ``multiplier`` steers the output
("round N: N*multiplier+1" every 100 ms of virtual time).
"""

import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BOARDS, PREBUILT, ROOT, needs_gdb
from test_gdb_protocol import Client

pytestmark = needs_gdb

BOARD = BOARDS / "mt3620-rdb.yaml"
ELF = PREBUILT / "gdb-demo.elf"
SOURCE = ROOT / "firmware" / "apps" / "gdb-demo" / "main.c"
GDB_TIMEOUT = 30
START_TIMEOUT = 15


def _line_of(text: str) -> int:
    """The line number of ``text`` in the demo's source, so the tests survive edits."""
    for number, line in enumerate(SOURCE.read_text().splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {SOURCE}")


CALL_LINE = _line_of("uint32_t value = scale(round, multiplier);")
PRODUCT_LINE = _line_of("uint32_t product = round * factor;")
RESULT_LINE = _line_of("uint32_t result = product + 1;")
ROUND = r"round=(?:round@entry=)?"  # -Os: GDB may name the argument's entry value


class Emulator:
    """``sphere-emu run`` with GDB servers on OS-picked ports and UARTs in files."""

    def __init__(self, tmp: Path, *extra: str, cores: tuple[str, ...] = ("io0",)) -> None:
        self.tmp = tmp
        self.log = tmp / "stderr.log"
        self._stderr = self.log.open("wb")
        args = [sys.executable, "-m", "sphere_emu", "run", str(BOARD)]
        for core in cores:
            args += ["--core", f"{core}={ELF}", "--gdb", f"{core}=0",
                     "--uart", f"{core}-uart=file:{self.uart_file(core)}"]
        self.proc = subprocess.Popen([*args, *extra], cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=self._stderr)
        self.ports = {core: int(self.wait_for(
            self.stderr, rf"gdb: {core}: listening on 127\.0\.0\.1:(\d+)", START_TIMEOUT).group(1))
            for core in cores}
        self.port = self.ports[cores[0]]

    def uart_file(self, core: str) -> Path:
        return self.tmp / f"{core}-uart.log"

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    def output(self, core: str = "io0") -> str:
        path = self.uart_file(core)
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_for(self, source, pattern: str, timeout: float = 10) -> re.Match:
        end = time.monotonic() + timeout
        while True:
            m = re.search(pattern, source())
            if m:
                return m
            if self.proc.poll() is not None:
                raise AssertionError(f"sphere-emu exited ({self.proc.returncode}):\n"
                                     f"{self.stderr()}")
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for {pattern!r}; stderr:\n"
                                     f"{self.stderr()}\nuart:\n{self.output()[-500:]}")
            time.sleep(0.02)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self._stderr.close()


@pytest.fixture
def emulator(tmp_path):
    emu = Emulator(tmp_path, "--gdb-wait")
    yield emu
    emu.close()


def gdb_args(port: int, commands: list[str]) -> list[str]:
    args = ["gdb-multiarch", "-q", "-nx", "-batch", str(ELF),
            "-ex", "set architecture arm", "-ex", "set pagination off",
            "-ex", "set confirm off", "-ex", "directory firmware",
            "-ex", f"target remote 127.0.0.1:{port}"]
    for command in commands:
        args += ["-ex", command]
    return args


def gdb(port: int, *commands: str) -> str:
    """Run gdb-multiarch in batch mode; its stdout and stderr together."""
    result = subprocess.run(gdb_args(port, list(commands)), cwd=ROOT, capture_output=True,
                            text=True, timeout=GDB_TIMEOUT)
    return result.stdout + result.stderr


def test_break_backtrace_registers_variables_and_stepping(emulator):
    out = gdb(emulator.port,
              "break scale", "continue", "bt", "info registers",
              "p round", "p factor", "p multiplier", "p timer_ticks",
              "next", "next", "p product", "stepi", "x/8xw &multiplier",
              "finish",
              "delete", f"break main.c:{CALL_LINE}", "continue", "step", "p round", "bt 1")
    assert re.search(rf"Breakpoint 1, scale \({ROUND}1, factor=3\) at (?:\./)?apps/gdb-demo/main\.c"
                     rf":{PRODUCT_LINE}", out), out
    assert re.search(rf"#0\s+scale \({ROUND}1, factor=3\)", out), out
    assert re.search(r"#1\s+0x[0-9a-f]+ in RTCoreMain \(\)", out), out
    for reg in ("r0", "sp", "lr", "pc", "xpsr", "msp", "psp", "primask", "control"):
        assert re.search(rf"^{reg}\s+0x[0-9a-f]+", out, re.M), reg
    assert re.search(r"^pc\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <scale(?:\+\d+)?>", out, re.M), out
    assert "$1 = 1\n$2 = 3\n$3 = 3\n$4 = 10\n" in out  # round, factor, multiplier, ticks
    assert f"{RESULT_LINE}\t" in out  # `next` reached the next line
    assert "$5 = 3\n" in out  # product = 1 * 3
    # x/8xw: multiplier, then timer_ticks right after it in memory
    assert re.search(r"<multiplier>:\s+0x00000003\s+0x0000000a\s+0x[0-9a-f]{8}", out), out
    assert re.search(r"Value returned is \$\d+ = 4", out), out  # finish
    # A breakpoint on the call line, then `step` into the call, on the next round.
    assert re.search(rf"scale \({ROUND}2, factor=3\) at (?:\./)?apps/gdb-demo/main\.c", out), out
    assert re.search(r"\$\d+ = 2\n#0\s+scale", out), out


def _frames(out: str, command: str) -> list[str]:
    """The frame lines GDB printed for the ``echo``-delimited ``command``."""
    block = out.split(f"<<{command}>>\n", 1)[1].split("<<end>>", 1)[0]
    return re.findall(r"^#\d+\s+(.*)$", block, re.M)


def test_backtrace_ends_at_the_reset_handler_with_no_phantom_frame(emulator):
    # The core leaves reset with LR = 0xFFFFFFFF. The kit's reset handler (the reset vector)
    # marks LR undefined in its CFI, so GDB ends the backtrace there instead of unwinding
    # that LR into a "<signal handler called>" frame; a real exception frame stays.
    out = gdb(emulator.port, "break scale", "continue", "echo <<call>>\\n", "bt", "echo <<end>>\\n",
              "delete", "break IRQ1_Handler", "continue", "echo <<irq>>\\n", "bt",
              "echo <<end>>\\n")
    call = _frames(out, "call")
    assert [re.sub(r"^0x[0-9a-f]+ in ", "", f).split(" (")[0] for f in call] == [
        "scale", "RTCoreMain", "Reset_Handler"], out
    assert re.search(r"Reset_Handler \(\) at (?:\./)?rt/vectors\.c:\d+$", call[-1]), out
    irq = _frames(out, "irq")
    assert irq[0].startswith("IRQ1_Handler ()") and irq[1] == "<signal handler called>", out
    assert "Reset_Handler ()" in irq[-1], out
    assert "<signal handler called>" not in irq[2:], out
    assert "Backtrace stopped" not in out, out


def test_watchpoint_on_a_global_written_by_an_interrupt_handler(emulator):
    out = gdb(emulator.port, "watch timer_ticks", "continue", "bt", "continue",
              "p timer_ticks", "delete", "rwatch multiplier", "continue", "delete",
              "hbreak scale", "continue")
    assert "Hardware watchpoint 1: timer_ticks" in out, out
    assert re.search(r"Old value = 0\nNew value = 1\n", out), out
    assert re.search(r"Old value = 1\nNew value = 2\n", out), out
    assert re.search(r"IRQ1_Handler \(\) at (?:\./)?apps/gdb-demo/main\.c", out), out
    assert "<signal handler called>" in out, out  # GDB unwinds through the exception frame
    assert re.search(r"\$1 = 2\n", out), out
    # A read watchpoint stops where main reads multiplier; a hardware breakpoint works too.
    assert re.search(r"Hardware read watchpoint 2: multiplier\n\nValue = 3\n"
                     r"0x[0-9a-f]+ in RTCoreMain \(\)", out), out
    assert re.search(rf"Breakpoint 3, scale \({ROUND}1, factor=3\)", out), out


def test_stepping_a_core_asleep_in_wfi_lets_time_pass_until_its_interrupt(emulator):
    # While the machine is stopped no time passes, so a step on a sleeping core waits (in
    # virtual time) for the interrupt that wakes it, instead of making GDB step forever.
    out = gdb(emulator.port, "break wfi", "continue", "delete", "x/i $pc", "p timer_ticks",
              "next", "bt 2")
    assert re.search(r"=> 0x[0-9a-f]+ <RTCoreMain\+\d+>:\s+wfi", out), out
    assert re.search(r"\$1 = 0\n", out), out
    assert re.search(r"IRQ1_Handler \(\) at (?:\./)?apps/gdb-demo/main\.c", out), out
    assert re.search(r"#1\s+<signal handler called>", out), out


def test_set_var_changes_the_output_and_detach_leaves_the_machine_running(emulator):
    out = gdb(emulator.port, "break scale", "continue", "set var multiplier = 100",
              "delete", "detach")
    assert re.search(rf"Breakpoint 1, scale \({ROUND}1, factor=3\)", out), out
    assert "Detaching from program" in out or "detached" in out, out
    emulator.wait_for(emulator.output, r"round 3: 301\r?\n")
    assert re.search(r"round 1: 4\r?\nround 2: 201\r?\n", emulator.output())
    assert "io0: debugger detached" in emulator.stderr()


def test_ctrl_c_while_running_then_time_stands_still_and_monitor_reset(emulator):
    proc = subprocess.Popen(
        gdb_args(emulator.port, ["continue", "p timer_ticks", "shell sleep 0.3",
                                 "p timer_ticks", "monitor status", "monitor fault",
                                 "monitor reset", "flushregs", "p $pc == &Reset_Handler",
                                 "monitor help", "detach"]),
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        emulator.wait_for(emulator.output, r"round 3: ")
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=GDB_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Program received signal SIGINT" in out, out
    ticks = re.findall(r"^\$[12] = (\d+)$", out, re.M)
    assert len(ticks) == 2 and ticks[0] == ticks[1] and int(ticks[0]) >= 30, out
    # Stopped by Ctrl-C: the monitor says halted, not what the core would do if it ran.
    assert re.search(r"io0: halted by the debugger(?: \(asleep in WFI/WFE\))?, pc "
                     r"0x[0-9a-f]{8}, virtual time", out), out
    assert re.search(r"io0: state halted by the debugger", out), out
    assert "io0: CFSR  0x00000000" in out and "io0: halt  -" in out, out
    assert "io0: reset, stopped at pc" in out, out
    assert "$3 = 1" in out, out  # after the reset the core is back at its entry point
    for command in ("reset", "halt", "fault", "help", "status"):
        assert f"monitor {command}" in out
    # After the reset and detach the program starts over from the top.
    emulator.wait_for(emulator.output, r"gdb-demo: ready[\s\S]*gdb-demo: ready[\s\S]*round 1:")


def test_a_guest_lockup_is_reported_as_a_signal_with_its_fault_status(emulator):
    # FAULTMASK makes every fault unrecoverable: the core locks up instead of taking HardFault.
    out = gdb(emulator.port,
              "set var $faultmask = 1", "set {short}0x120000 = 0xde00", "set $pc = 0x120000",
              "continue", "monitor fault", "monitor reset", "maintenance flush register-cache",
              "set var $faultmask = 1", "set $pc = 0x30000000", "continue", "monitor fault",
              "monitor reset", "detach")
    assert "Program received signal SIGILL, Illegal instruction." in out, out  # udf
    assert re.search(r"io0: CFSR  0x00010000  UNDEFINSTR", out), out
    assert re.search(r"io0: halt  lockup: .*undefined instruction.*0x00120000", out), out
    assert "Program received signal SIGSEGV, Segmentation fault." in out, out  # bus fault
    assert re.search(r"io0: CFSR  0x00000100  IBUSERR", out), out
    assert re.search(r"io0: halt  lockup: BusFault.*0x30000000", out), out
    emulator.wait_for(emulator.output, r"round 1: 4")  # reset, detached: it runs again
    assert "io0: halted: lockup" in emulator.stderr()


def test_all_stop_a_breakpoint_on_one_core_pauses_the_other(tmp_path):
    emu = Emulator(tmp_path, "--gdb-wait", cores=("io0", "io1"))
    stopped = tmp_path / "stopped"
    proc = subprocess.Popen(
        gdb_args(emu.ports["io0"], ["break scale", "continue", "continue",
                                    f"shell touch {stopped}", "shell sleep 1",
                                    "monitor status", "delete", "detach"]),
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        end = time.monotonic() + GDB_TIMEOUT
        while not stopped.exists():
            assert time.monotonic() < end and proc.poll() is None, proc.stdout.read()
            time.sleep(0.02)
        # io0 sits at its breakpoint (round 2): io1, on the same virtual clock, is frozen too.
        frozen = emu.output("io1")
        time.sleep(0.5)
        assert emu.output("io1") == frozen
        assert "round 1: 4" in frozen and "round 3" not in frozen
        out, _ = proc.communicate(timeout=GDB_TIMEOUT)
        assert re.search(rf"Breakpoint 1, scale \({ROUND}2, factor=3\)", out), out
        emu.wait_for(lambda: emu.output("io1"), r"round 5: 16")  # detached: both run on
        emu.wait_for(lambda: emu.output("io0"), r"round 5: 16")
    finally:
        if proc.poll() is None:
            proc.kill()
        emu.close()


def test_hostile_packets_to_the_real_server_then_gdb_still_works(emulator):
    client = Client(emulator.port)
    try:
        assert client.ask("?") == b"T05thread:1;"
        client.send_raw(b"$g#00")
        assert client.read_ack() == b"-"
        for packet in (b"m0,ffffffff", b"mffffffff,10", b"M20000000,4:00000000", b"Z0,0,9",
                       b"Z2,100000,0", b"X100000,2:}", b"p1000", b"vCont;x", b"qXfer:x",
                       b"\x00\xff\x7f", b"G00"):
            assert client.ask(packet)[:1] in (b"E", b""), packet
        client.send_raw(b"$" + b"6d" * 50_000 + b"#00")
        assert client.read_ack() == b"-"
        assert client.ask("?") == b"T05thread:1;"
        assert client.ask("D") == b"OK"
    finally:
        client.close()
    emulator.wait_for(emulator.output, r"round 1: 4")
    out = gdb(emulator.port, "p multiplier")
    assert "$1 = 3" in out, out


A7_PROGRAM = """
    .syntax unified
    .arm
    .global _start
_start:
    ldr sp, =0x80100000
loop:
    bl bump
    b loop
bump:
    ldr r1, =counter
    ldr r2, [r1]
    add r2, r2, #1
    str r2, [r1]
    bx lr
    .ltorg
    .data
counter: .word 0
"""


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="no arm-none-eabi-gcc")
def test_the_a7_is_served_with_an_a_profile_description(tmp_path):
    source, elf = tmp_path / "a7.S", tmp_path / "a7.elf"
    source.write_text(A7_PROGRAM)
    subprocess.run(["arm-none-eabi-gcc", "-mcpu=cortex-a7", "-marm", "-g", "-nostdlib",
                    "-nostartfiles", "-Wl,-Ttext=0x80000000", "-Wl,-Tdata=0x80001000",
                    "-o", str(elf), str(source)], check=True, timeout=60)
    log = tmp_path / "stderr.log"
    with log.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sphere_emu", "run", str(BOARD), str(elf), "--core", "a7",
             "--gdb", "a7=0", "--gdb-wait"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            end = time.monotonic() + START_TIMEOUT
            while not (m := re.search(r"gdb: a7: listening on 127\.0\.0\.1:(\d+)",
                                      log.read_text())):
                assert time.monotonic() < end and proc.poll() is None, log.read_text()
                time.sleep(0.02)
            result = subprocess.run(
                ["gdb-multiarch", "-q", "-nx", "-batch", str(elf),
                 "-ex", f"target remote 127.0.0.1:{m.group(1)}", "-ex", "info registers",
                 "-ex", "set $d31 = 2.5", "-ex", "p $d31", "-ex", "break bump",
                 "-ex", "continue", "-ex", "continue", "-ex", "bt",
                 "-ex", "p *(int *)&counter", "-ex", "stepi", "-ex", "p/x $r1"],
                cwd=ROOT, capture_output=True, text=True, timeout=GDB_TIMEOUT)
        finally:
            proc.kill()
            proc.wait(10)
    out = result.stdout + result.stderr
    assert re.search(r"^cpsr\s+0x1d3\s", out, re.M), out  # Secure SVC, IRQs/FIQs masked
    assert "$1 = 2.5" in out, out  # d31: the A7 has 32 double registers
    assert re.search(r"Breakpoint 1, bump \(\) at .*a7\.S:\d+", out), out
    assert re.search(r"#1\s+0x8000000\w in loop \(\)", out), out
    assert "$2 = 1" in out, out  # stopped on the second call: one increment so far
    assert "$3 = 0x80001000" in out, out  # stepi ran `ldr r1, =counter`


def test_gdb_option_errors_are_reported_in_one_line(cli):
    result = cli("run", str(BOARD), str(ELF), "--core", "io0", "--gdb", "io7=1234")
    assert result.returncode == 2
    assert "--gdb io7=1234: no such core" in result.stderr and "Traceback" not in result.stderr
    result = cli("run", str(BOARD), str(ELF), "--core", "io0", "--gdb", "io0=http")
    assert result.returncode == 2 and "expected CORE=PORT" in result.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = cli("run", str(BOARD), str(ELF), "--core", "io0", "--gdb", f"io0={port}",
                     "--timeout", "1ms")
    assert result.returncode == 2, result.stderr
    assert f"--gdb io0: cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_port_probe_does_not_release_a_gdb_wait_machine(emulator):
    # A CI script checks the port is up before starting gdb: connect, hang up, no packet.
    for _ in range(2):
        socket.create_connection(("127.0.0.1", emulator.port), timeout=5).close()
    emulator.wait_for(emulator.stderr, r"connection lost.*stays halted[\s\S]*connection lost")
    time.sleep(0.5)
    assert emulator.output() == ""  # still held at reset: nothing ran
    out = gdb(emulator.port, "p timer_ticks", "detach")  # the port still takes a debugger
    assert "$1 = 0" in out, out
    emulator.wait_for(emulator.output, r"round 1: ")  # D lets it go


def test_a_debugger_that_vanishes_leaves_the_machine_halted_and_the_port_open(emulator):
    proc = subprocess.Popen(gdb_args(emulator.port, ["continue"]), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        emulator.wait_for(emulator.output, r"round 2: ")
    finally:
        proc.kill()  # gone without a word: no D, no k
        proc.wait()
    emulator.wait_for(emulator.stderr, r"connection lost.*stays halted")
    time.sleep(0.3)
    frozen = emulator.output()
    time.sleep(0.5)
    assert emulator.output() == frozen  # halted, not running on
    out = gdb(emulator.port, "monitor status", "detach")
    assert re.search(r"io0: halted by the debugger", out), out
    emulator.wait_for(emulator.output, rf"{re.escape(frozen)}[\s\S]*round \d+: ")
