"""UART behaviour seen by real firmware (firmware/apps/uart-selftest) on the emulated IO core,
with the host talking to it through the Python API and over TCP."""

import socket
import subprocess
import sys
import time

import pytest
from conftest import BOARDS, PREBUILT, ROOT

from sphere_emu.testing import EmulatedDevice

BOARD = BOARDS / "mt3620-rdb.yaml"
ELF = PREBUILT / "uart-selftest.elf"
CHAR_NS = -(-10 * 10**9 * 225 // 26_000_000)  # one 8N1 byte at the firmware's 115 556 baud


@pytest.fixture
def dev() -> EmulatedDevice:
    device = EmulatedDevice(BOARD, io0=ELF)
    device.wait_for_line(r"^RX READY$", timeout="200ms")
    return device


def test_self_checks_pass(dev):
    lines = [e.line for e in dev.lines]
    assert not [line for line in lines if line.startswith("FAIL")]
    assert "uart-selftest: 9 passed, 0 failed" in lines


def test_interrupt_driven_output_arrives_intact(dev):
    lines = [e.line for e in dev.lines]
    assert ("TXIRQ 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ "
            "the quick brown fox jumps over the lazy dog") in lines
    assert "tx irq: 116 bytes in 8 interrupts" in lines


def test_isu_uart_output_goes_to_its_own_port_and_loopback_stays_inside(dev):
    assert dev.output("isu0-uart") == b"ISU0 says hi\r\n"
    assert b"ISU0" not in dev.output("io0-uart")
    assert b"ping" not in dev.output("io0-uart")


def test_host_line_arrives_by_rx_interrupt(dev):
    sent_at = dev.now_ns
    dev.send("io0-uart", b"hello emulator\r")
    reply = dev.wait_for_line(r"^RX LINE: ", timeout="50ms")
    assert reply.line == "RX LINE: hello emulator"
    # 15 bytes on the wire at 115 556 baud, then a short print
    assert 15 * CHAR_NS <= reply.time_ns - sent_at < 15 * CHAR_NS + 1_000_000


def test_a_long_paste_is_not_lost_when_the_guest_keeps_up(dev):
    text = "".join(chr(0x41 + i % 26) for i in range(90))
    dev.send("io0-uart", text.encode() + b"\r")
    assert dev.wait_for_line(r"^RX LINE: ", timeout="50ms").line == f"RX LINE: {text}"


def test_a_guest_that_stops_reading_overruns_its_fifo(dev):
    dev.send("io0-uart", b"hold\r")
    dev.wait_for_line(r"^HOLDING$", timeout="50ms")
    dev.send("io0-uart", bytes(range(0x40, 0x68)))  # 40 bytes while the guest is not reading
    assert dev.wait_for_line(r"^OVERRUN", timeout="100ms").line == "OVERRUN: kept 16, OE=1"
    dev.send("io0-uart", b"after\r")
    assert dev.wait_for_line(r"^RX LINE: ", timeout="50ms").line == "RX LINE: after"


def test_tcp_client_reads_output_and_sends_input():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sphere_emu", "run", str(BOARD), str(ELF), "--core", "io0",
         "--uart", f"io0-uart=tcp:{port}", "--timeout", "60s",
         "--expect", "RX LINE: over tcp"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        with connect(port) as client:
            client.settimeout(20)
            client.sendall(b"over tcp\r")
            received = b""
            while b"RX LINE: over tcp\r\n" not in received:
                chunk = client.recv(4096)
                assert chunk, f"connection closed; got {received!r}"
                received += chunk
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0, err
    assert "RX LINE" not in out  # routed to the socket, not to stdout


def connect(port: int) -> socket.socket:
    """Connect to the emulator's TCP UART, waiting (bounded) for it to start listening."""
    deadline = time.monotonic() + 20
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=1)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
