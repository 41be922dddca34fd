"""The GDB server at the protocol level, over a real socket, against a scripted core.

The core here is a stand-in that only implements the Core interface (registers in a dict,
one RAM block, breakpoints as a set), so these tests pin down the protocol — framing, acks,
replies, errors, all-stop run control — independently of the CPU model. The tests that
debug real firmware with gdb-multiarch are in test_gdb_firmware.py.
"""

import re
import socket
import threading
import time
import xml.etree.ElementTree as ET

import pytest

from sphere_emu.bus import AddressMap, Mapping, MemoryBlock
from sphere_emu.clock import Clock
from sphere_emu.cpu.core import Core, CoreState, DebugStop
from sphere_emu.errors import SphereEmuError
from sphere_emu.gdb.hub import GdbHub, default_ports
from sphere_emu.gdb.launch import parse_gdb_options
from sphere_emu.gdb.packets import (
    Ack,
    Corrupt,
    Interrupt,
    Oversize,
    Packet,
    PacketReader,
    escape_binary,
    frame,
    unescape_binary,
)
from sphere_emu.gdb.server import GdbServer
from sphere_emu.gdb.target import Target
from sphere_emu.gdb.tdesc import UnsupportedCore, layout_for

RAM_BASE, RAM_SIZE = 0x00100000, 0x10000
ENTRY = 0x00100100
M4F_NAMES = ([f"r{i}" for i in range(13)] + ["sp", "lr", "pc", "xpsr", "msp", "psp", "primask",
             "basepri", "faultmask", "control"] + [f"s{i}" for i in range(32)] + ["fpscr"])
IO_TIMEOUT = 5.0


class ScriptedCore(Core):
    """Executes 'instructions' by advancing pc by 2; stops where the test says."""

    def __init__(self, name: str = "io0") -> None:
        super().__init__(name, 100_000_000, Clock())
        self._map = AddressMap(name)
        self._map.add(Mapping(RAM_BASE, RAM_SIZE, "tcm", "ram",
                              memory=MemoryBlock("tcm", RAM_SIZE)))
        self.regs = dict.fromkeys(M4F_NAMES, 0)
        self.regs.update(pc=ENTRY, sp=RAM_BASE + RAM_SIZE, xpsr=0x01000000)
        self.breakpoints: set[int] = set()
        self.watchpoints: set[tuple[int, int, str]] = set()
        self.inject: DebugStop | None = None  # raised by the next run()
        self.resets = 0

    @property
    def address_map(self) -> AddressMap:
        return self._map

    def run(self, instructions: int) -> None:
        for i in range(instructions):
            if self.inject is not None:
                self.debug_stop, self.inject = self.inject, None
                return
            pc = self.regs["pc"]
            if i and pc in self.breakpoints:
                self.debug_stop = DebugStop("breakpoint", pc)
                return
            self.regs["pc"] = RAM_BASE + (pc + 2 - RAM_BASE) % 0x1000
            self.instructions_retired += 1

    def reset(self) -> None:
        self.resets += 1
        self.regs["pc"] = ENTRY
        self.state = CoreState.RUNNING
        self.halt_reason = None

    def start_at(self, entry: int) -> None:
        self.regs["pc"] = entry

    def register_names(self) -> list[str]:
        return list(self.regs)

    def read_register(self, name: str) -> int:
        return self.regs[name]

    def write_register(self, name: str, value: int) -> None:
        self.regs[name] = value

    def add_breakpoint(self, address: int) -> None:
        self.breakpoints.add(address)

    def remove_breakpoint(self, address: int) -> None:
        self.breakpoints.discard(address)

    def add_watchpoint(self, address: int, size: int, kind: str) -> None:
        self.watchpoints.add((address, size, kind))

    def remove_watchpoint(self, address: int, size: int, kind: str) -> None:
        self.watchpoints.discard((address, size, kind))

    def step(self) -> None:
        self.regs["pc"] += 2

    def stop_soon(self) -> None:
        pass  # its slices are short: nothing to cut


class Machine:
    """The runner's loop in miniature: hold, run a slice, poll — on its own thread."""

    def __init__(self, cores: list[ScriptedCore], wait: bool = False) -> None:
        self.cores = cores
        self.servers = [GdbServer(Target(core), 0) for core in cores]
        self.hub = GdbHub(self.servers, cores, wait_for_attach=wait)
        self.ended = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stopping and self.hub.hold():
            for core in self.cores:
                if core.runnable:
                    core.run(50)
                if core.debug_stop is not None:
                    break
            self.hub.poll()
            time.sleep(0.001)
        self.ended.set()

    def port(self, i: int = 0) -> int:
        return self.servers[i].port

    def close(self) -> None:
        self.stopping = True
        self.thread.join(IO_TIMEOUT)
        self.hub.close()


class Client:
    """A raw RSP client: frames packets, checks acks, reads replies."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.acks = True

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buf += data

    def read_ack(self) -> bytes:
        while not self.buf:
            self._fill()
        ack, self.buf = self.buf[:1], self.buf[1:]
        return ack

    def read_packet(self) -> bytes:
        while True:
            m = re.match(rb"\+*\$([^#]*)#([0-9a-f]{2})", self.buf, re.S)
            if m:
                self.buf = self.buf[m.end():]
                payload = m.group(1)
                assert int(m.group(2), 16) == sum(payload) & 0xFF
                if self.acks:
                    self.sock.sendall(b"+")
                return payload
            self._fill()

    def ask(self, payload: bytes | str) -> bytes:
        if isinstance(payload, str):
            payload = payload.encode()
        self.sock.sendall(frame(payload))
        if self.acks:
            assert self.read_ack() == b"+"
        return self.read_packet()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def machine():
    m = Machine([ScriptedCore()])
    yield m
    m.close()


@pytest.fixture
def client(machine):
    c = Client(machine.port())
    yield c
    c.close()


def _wait_for(predicate, timeout: float = IO_TIMEOUT) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.005)


# -- the packet layer on its own ------------------------------------------------------------

def test_reader_frames_packets_acks_and_interrupts():
    r = PacketReader(64)
    assert r.feed(b"+" + frame(b"qC") + b"-\x03") == [Ack(True), Packet(b"qC"), Ack(False),
                                                       Interrupt()]
    assert r.feed(b"$m0,4#00") == [Corrupt()]
    assert r.feed(b"$m0,4#zz") == [Corrupt()]
    assert r.feed(b"junk\xff\x00" + frame(b"?")) == [Packet(b"?")]
    assert r.feed(b"$abc$" + frame(b"g")[1:]) == [Packet(b"g")]  # '$' restarts framing
    assert r.feed(frame(b"x" * 65)) == [Oversize()]
    data = frame(b"g")
    assert r.feed(data[:2]) == [] and r.feed(data[2:]) == [Packet(b"g")]


def test_binary_escapes_round_trip_and_reject_a_dangling_escape():
    raw = bytes(range(256))
    assert unescape_binary(escape_binary(raw)) == raw
    assert b"$" not in escape_binary(raw) and b"#" not in escape_binary(raw)
    with pytest.raises(ValueError):
        unescape_binary(b"ab}")


def test_description_has_m_profile_vfp_and_system_registers():
    layout = layout_for(M4F_NAMES)
    root = ET.fromstring(layout.xml.split(b"\n", 2)[2])
    features = {f.get("name"): [r.get("name") for r in f] for f in root.iter("feature")}
    assert features["org.gnu.gdb.arm.m-profile"] == [f"r{i}" for i in range(13)] + [
        "sp", "lr", "pc", "xpsr"]
    assert features["org.gnu.gdb.arm.vfp"] == [f"d{i}" for i in range(16)] + ["fpscr"]
    assert features["org.gnu.gdb.arm.m-system"] == ["msp", "psp"]
    assert features["org.sphere-emu.arm.m-special"] == ["primask", "basepri", "faultmask",
                                                        "control"]
    regnums = [int(r.get("regnum")) for r in root.iter("reg")]
    assert regnums == list(range(len(regnums)))
    assert root.findtext("architecture") == "armv7e-m"


def test_description_for_an_a_profile_core_and_unknown_cores():
    names = [f"r{i}" for i in range(13)] + ["sp", "lr", "pc", "cpsr"] + [
        f"d{i}" for i in range(32)] + ["fpscr"]
    layout = layout_for(names)
    feature_names = [f.name for f in layout.features]
    assert feature_names == ["org.gnu.gdb.arm.core", "org.gnu.gdb.arm.vfp",
                             "org.gnu.gdb.arm.neon"]
    assert layout.regs[layout.by_name["d31"]].parts == ("d31",)
    with pytest.raises(UnsupportedCore):
        layout_for(["r0", "pc"])


def test_gdb_options_give_ports_per_core():
    cores = ["io0", "io1"]
    assert parse_gdb_options([""], cores) == {"io0": 3333, "io1": 3334}
    assert default_ports(["io1", "a7", "io0"]) == {"a7": 3333, "io0": 3334, "io1": 3335}
    assert parse_gdb_options(["io1=4000"], cores) == {"io1": 4000}
    assert parse_gdb_options(["", "io0=5000"], cores) == {"io0": 5000, "io1": 3334}
    for bad in (["io9=1"], ["io0"], ["io0=x"], ["io0=70000"], ["io0=4000", "io1=4000"]):
        with pytest.raises(SphereEmuError):
            parse_gdb_options(bad, cores)


# -- a session over a socket ------------------------------------------------------------------

def test_handshake_and_queries(client):
    supported = client.ask("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386")
    features = set(supported.split(b";"))
    assert features == {b"PacketSize=4000", b"qXfer:features:read+", b"QStartNoAckMode+",
                        b"swbreak+", b"hwbreak+", b"vContSupported+"}
    assert client.ask("vCont?") == b"vCont;c;C;s;S;t"
    assert client.ask("qAttached") == b"1"
    assert client.ask("qC") == b"QC1"
    assert client.ask("qfThreadInfo") == b"m1"
    assert client.ask("qsThreadInfo") == b"l"
    assert client.ask("Hg0") == b"OK" and client.ask("Hc-1") == b"OK"
    assert client.ask("Hg2").startswith(b"E") and client.ask("T2").startswith(b"E")
    assert bytes.fromhex(client.ask("qThreadExtraInfo,1").decode()) == b"io0 running"
    assert client.ask("?") == b"T05thread:1;"
    assert client.ask("qTStatus") == b""  # not supported: empty reply
    assert client.ask("vMustReplyEmpty") == b""


def test_target_xml_is_served_in_chunks(client, machine):
    whole = machine.servers[0].target.layout.xml
    got, offset = b"", 0
    while True:
        reply = client.ask(f"qXfer:features:read:target.xml:{offset:x},80")
        assert reply[:1] in (b"m", b"l")
        got += unescape_binary(reply[1:])
        offset += len(unescape_binary(reply[1:]))
        if reply[:1] == b"l":
            break
    assert got == whole
    assert client.ask("qXfer:features:read:other.xml:0,100").startswith(b"E")
    assert client.ask("qXfer:threads:read::0,100") == b""  # not advertised, not served


def test_registers_by_number_including_d_registers_made_of_s_pairs(client, machine):
    core = machine.cores[0]
    layout = machine.servers[0].target.layout
    core.regs["s2"], core.regs["s3"] = 0x11223344, 0x55667788
    d1 = layout.by_name["d1"]
    assert client.ask(f"p{d1:x}") == bytes.fromhex("4433221188776655").hex().encode()
    assert client.ask(f"P{d1:x}=0100000002000000") == b"OK"
    assert (core.regs["s2"], core.regs["s3"]) == (1, 2)
    pc = core.regs["pc"]  # the machine ran until the client attached, and stands still now
    assert client.ask(f"p{layout.by_name['pc']:x}") == pc.to_bytes(4, "little").hex().encode()
    g = bytes.fromhex(client.ask("g").decode())
    assert len(g) == layout.g_size == 16 * 4 + 4 + 16 * 8 + 4 + 2 * 4 + 4 * 4
    g = bytearray(g)
    g[0:4] = (0xCAFE).to_bytes(4, "little")
    assert client.ask("G" + g.hex()) == b"OK" and core.regs["r0"] == 0xCAFE
    assert client.ask("G" + g.hex()[:-2]).startswith(b"E")
    assert client.ask("p999").startswith(b"E")
    assert client.ask("P0=zz").startswith(b"E")


def test_memory_read_write_and_bad_addresses(client):
    assert client.ask("M100000,4:deadbeef") == b"OK"
    assert client.ask("m100000,4") == b"deadbeef"
    assert client.ask(b"X100004,3:" + escape_binary(b"$#}")) == b"OK"
    assert client.ask("m100004,3") == b"24237d"
    assert client.ask("X100000,0:") == b"OK"  # GDB's probe for X support
    # Reads stop at the end of memory; nothing readable at all is EFAULT.
    end = RAM_BASE + RAM_SIZE
    assert client.ask(f"m{end - 2:x},8") == b"0000"
    assert client.ask(f"m{end:x},4") == b"E0e"
    assert client.ask("M0,1:00") == b"E0e"
    # Absurd lengths are capped to one packet, not allocated.
    assert len(client.ask("m100000,ffffffffffffffff")) <= 0x4000
    assert client.ask("mffffffff,ffffffff") == b"E0e"


def test_breakpoints_and_watchpoints_reach_the_core(client, machine):
    core = machine.cores[0]
    assert client.ask("Z0,100200,2") == b"OK" and client.ask("Z1,100200,4") == b"OK"
    assert core.breakpoints == {0x100200}
    assert client.ask("z0,100200,2") == b"OK" and core.breakpoints == {0x100200}
    assert client.ask("z1,100200,4") == b"OK" and core.breakpoints == set()
    assert client.ask("Z2,100400,4") == b"OK" and client.ask("Z4,100404,1") == b"OK"
    assert core.watchpoints == {(0x100400, 4, "watch"), (0x100404, 1, "awatch")}
    assert client.ask("z2,100400,4") == b"OK"
    assert core.watchpoints == {(0x100404, 1, "awatch")}


def test_continue_to_a_breakpoint_then_step(client, machine):
    client.ask("qSupported:swbreak+;hwbreak+")
    assert client.ask("Z0,100180,2") == b"OK"
    assert client.ask("vCont;c") == b"T05swbreak:;thread:1;"
    assert machine.cores[0].regs["pc"] == 0x100180
    assert client.ask("vCont;s:1") == b"T05thread:1;"
    assert machine.cores[0].regs["pc"] == 0x100182
    assert client.ask("s100300") == b"T05thread:1;"
    assert machine.cores[0].regs["pc"] == 0x100302
    assert client.ask("z0,100180,2") == b"OK" and client.ask("Z1,100180,2") == b"OK"
    assert client.ask("c100170") == b"T05hwbreak:;thread:1;"


def test_stop_reasons_are_only_named_if_the_client_knows_them(client):
    client.ask("qSupported:multiprocess+")
    client.ask("Z0,100180,2")
    assert client.ask("c") == b"T05thread:1;"


def test_watchpoint_and_fault_stops(client, machine):
    core = machine.cores[0]
    client.ask("Z2,100400,4")
    core.inject = DebugStop("watchpoint", 0x100402, "watch")
    assert client.ask("c") == b"T05watch:100400;thread:1;"
    core.inject = DebugStop("fault", 0x100200, signal=11)
    assert client.ask("c") == b"T0bthread:1;"
    assert client.ask("?") == b"T0bthread:1;"


def test_a_locked_up_core_is_reported_once_with_its_signal(client, machine):
    core = machine.cores[0]
    assert client.ask("?") == b"T05thread:1;"
    client.send_raw(frame(b"c"))
    assert client.read_ack() == b"+"
    core.halt("lockup: undefined instruction at 0x00100200")
    assert client.read_packet() == b"T04thread:1;"
    # Continuing lets the rest of the machine run; the dead core stays where it is.
    client.send_raw(frame(b"c"))
    assert client.read_ack() == b"+"
    time.sleep(0.05)
    client.send_raw(b"\x03")
    assert client.read_packet() == b"T02thread:1;"
    assert "undefined instruction" in bytes.fromhex(
        client.ask("qRcmd," + b"fault".hex()).decode()).decode()
    assert b"reset" in bytes.fromhex(client.ask("qRcmd," + b"reset".hex()).decode())
    assert core.state is CoreState.RUNNING and core.resets == 1


def test_ctrl_c_stops_a_running_core_and_time_stands_still(client, machine):
    core = machine.cores[0]
    client.send_raw(frame(b"c"))
    assert client.read_ack() == b"+"
    _wait_for(lambda: core.instructions_retired > 1000)
    client.send_raw(b"\x03")
    assert client.read_packet() == b"T02thread:1;"
    retired = core.instructions_retired
    time.sleep(0.1)
    assert core.instructions_retired == retired  # the machine is paused
    assert client.ask("?") == b"T02thread:1;"


def test_no_ack_mode(client):
    assert client.ask("QStartNoAckMode") == b"OK"
    client.acks = False
    client.send_raw(frame(b"qC"))
    assert client.read_packet() == b"QC1"
    client.send_raw(b"$qC#00")  # corrupt: dropped without a NAK
    client.send_raw(frame(b"?"))
    assert client.buf == b"" and client.read_packet() == b"T05thread:1;"


def test_monitor_commands(client, machine):
    def monitor(command: str) -> str:
        reply = client.ask("qRcmd," + command.encode().hex())
        return bytes.fromhex(reply.decode()).decode()

    text = monitor("help")
    for command in ("reset", "halt", "fault", "status"):
        assert f"monitor {command}" in text
    machine.cores[0].regs["pc"] = 0x100500
    assert "0x00100500" in monitor("halt")
    assert "io0: reset" in monitor("reset halt") and machine.cores[0].regs["pc"] == ENTRY
    assert "unknown monitor command" in monitor("frobnicate")
    assert "io0: halted by the debugger, pc" in monitor("status")  # all-stop: it is stopped
    fault = monitor("fault")
    assert "CFSR  unavailable" in fault and "halt  -" in fault


def test_detach_lets_the_machine_run_and_a_new_client_can_attach(machine):
    core = machine.cores[0]
    first = Client(machine.port())
    assert first.ask("Z0,100180,2") == b"OK"
    retired = core.instructions_retired
    assert first.ask("D") == b"OK"
    _wait_for(lambda: core.instructions_retired > retired + 1000)
    assert core.breakpoints == set()  # the detached debugger's breakpoints went with it
    first.close()
    second = Client(machine.port())
    assert second.ask("?") == b"T05thread:1;"
    retired = core.instructions_retired
    time.sleep(0.05)
    assert core.instructions_retired == retired  # attaching paused the machine
    second.close()  # gone without D or k: the machine stays halted for the next debugger
    time.sleep(0.05)
    assert core.instructions_retired == retired
    third = Client(machine.port())
    assert third.ask("D") == b"OK"
    _wait_for(lambda: core.instructions_retired > retired)  # only D (or k) releases it
    third.close()


def test_a_second_client_is_refused_while_one_is_attached(client, machine):
    client.ask("?")
    other = socket.create_connection(("127.0.0.1", machine.port()), timeout=IO_TIMEOUT)
    assert other.recv(10) == b""
    other.close()
    assert client.ask("qC") == b"QC1"


def test_kill_ends_the_run(client, machine):
    client.send_raw(frame(b"k"))
    assert machine.ended.wait(IO_TIMEOUT)


def test_wait_for_attach_holds_the_machine_at_reset():
    m = Machine([ScriptedCore()], wait=True)
    try:
        time.sleep(0.05)
        assert m.cores[0].instructions_retired == 0
        c = Client(m.port())
        assert c.ask("?") == b"T05thread:1;" and m.cores[0].instructions_retired == 0
        c.send_raw(frame(b"c"))
        _wait_for(lambda: m.cores[0].instructions_retired > 0)
        c.close()
    finally:
        m.close()


def test_all_stop_across_two_cores():
    m = Machine([ScriptedCore("io0"), ScriptedCore("io1")])
    try:
        a, b = Client(m.port(0)), Client(m.port(1))
        a.ask("qSupported:swbreak+")
        assert a.ask("Z0,100180,2") == b"OK"
        assert b.ask("?") == b"T05thread:1;"
        before = m.cores[1].instructions_retired
        b.send_raw(frame(b"c"))
        assert b.read_ack() == b"+"
        # io0's client still holds the machine: io1 does not run until both resumed.
        time.sleep(0.05)
        assert m.cores[1].instructions_retired == before
        a.send_raw(frame(b"c"))
        assert a.read_ack() == b"+"
        assert a.read_packet() == b"T05swbreak:;thread:1;"
        # io0's breakpoint paused the whole machine; io1's client hears "stopped" (signal 0).
        assert b.read_packet() == b"T00thread:1;"
        retired = m.cores[1].instructions_retired
        time.sleep(0.05)
        assert m.cores[1].instructions_retired == retired
        a.close()
        b.close()
    finally:
        m.close()


# -- hostile input ------------------------------------------------------------------------------

def test_hostile_packets_get_error_replies_and_the_server_keeps_answering(client):
    assert client.ask("?") == b"T05thread:1;"
    # Bad checksum: NAK, then the good retransmission is answered.
    client.send_raw(b"$qC#00")
    assert client.read_ack() == b"-"
    assert client.ask("qC") == b"QC1"
    # Truncated packet, then a fresh one: the partial one is abandoned.
    client.send_raw(b"$m100000,")
    assert client.ask("qC") == b"QC1"
    # Binary junk and stray acks between packets are ignored.
    client.send_raw(bytes(range(4, 36)).replace(b"$", b"") + b"\xff\xfe+++")
    assert client.ask("qC") == b"QC1"
    # A huge packet is drained, not stored, and refused.
    client.send_raw(frame(b"M100000,1:" + b"00" * 100_000))
    assert client.read_ack() == b"+"
    assert client.read_packet().startswith(b"E")
    hostile = {
        "": b"",  # empty packet
        "Q": b"", "v": b"", "vFoo": b"", "qFoo": b"", "\x7f\x80": b"", "!": b"", "R00": b"",
        "m": b"E16", "m100000": b"E16", "m,": b"E16", "mzz,4": b"E16", "m-1,4": b"E16",
        "m 100000,4": b"E16", "m0x100000,4": b"E16", "m1_0,4": b"E16",
        "m10000000000000000000,4": b"E16",
        "M100000,4:dead": b"E16", "M100000,2:deadbeef": b"E16", "M100000,1:zz": b"E16",
        "M100000,1": b"E16",
        "Z0,100000,7": b"E16", "Z0,100000": b"E16", "Z5,100000,2": b"E16",
        "Z2,100000,0": b"E16", "Z2,100000,ffffffff": b"E16", "Z0,ffffffffff,2": b"E16",
        "z9,1,2": b"E16", "Z": b"E16",
        "p": b"E16", "pzz": b"E16", "P1": b"E16", "G12": b"E16", "Gxyz": b"E16",
        "Hx1": b"E16", "Hgq": b"E16",
        "vCont": b"E16", "vCont;": b"E16", "vCont;r1,2": b"E16", "vCont;cc": b"E16",
        "vCont;Czz": b"E16", "vCont;c:2": b"E16",
        "qRcmd,zz": b"E16", "qXfer:features:read:target.xml:zz": b"E16",
        "qXfer:features:read:target.xml:0,": b"E16", "qThreadExtraInfo,zz": b"E16",
        "Czz": b"E16", "Szz": b"E16", "cxyz": b"E16",
    }
    for packet, expected in hostile.items():
        assert client.ask(packet.encode("latin-1")) == expected, packet
    for bad_x in (b"X100000,2:}", b"X100000,4:ab", b"X100000", b"Xzz,1:a"):
        assert client.ask(bad_x) == b"E16", bad_x
    # A NAK makes the server resend its last reply.
    assert client.ask("qC") == b"QC1"
    client.send_raw(b"-")
    assert client.read_packet() == b"QC1"
    assert client.ask("?") == b"T05thread:1;"


def test_a_client_that_vanishes_mid_packet_does_not_hurt_the_server(machine):
    c = Client(machine.port())
    c.send_raw(b"$m100000,4#")
    _wait_for(lambda: machine.servers[0].attached)
    c.close()
    # A new client is welcome at once: the server notices the old one hung up.
    c = Client(machine.port())
    assert c.ask("?") == b"T05thread:1;"
    c.close()
