"""Packet dispatch: one handler per packet type, each turning a request into an action.

Handlers parse strictly (a malformed packet gets ``E16``, an unknown one the empty reply that
means "not supported") and never touch sockets; the session sends what they return. Running
the machine is not theirs to do either: ``c`` returns ``Continue`` and the hub decides when the
whole machine may run; ``s`` returns ``Step`` and the server steps the one core.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .monitor import Monitor
from .packets import escape_binary, unescape_binary
from .stops import StopEvent
from .target import EINVAL, Target, TargetError

log = logging.getLogger("sphere_emu.gdb")

PACKET_SIZE = 0x4000  # the largest packet we accept; GDB sizes its requests by it
MAX_MEMORY_READ = (PACKET_SIZE - 16) // 2  # hex doubles it
THREAD = 1  # each server shows its core as one thread
STOP_REASONS = frozenset({"swbreak", "hwbreak"})  # what the client may announce support for

# What we advertise: exactly the handlers below, nothing more.
SUPPORTED = (f"PacketSize={PACKET_SIZE:x};qXfer:features:read+;QStartNoAckMode+;"
             "swbreak+;hwbreak+;vContSupported+").encode()
VCONT_ACTIONS = b"vCont;c;C;s;S;t"

_HEX = re.compile(r"[0-9a-fA-F]{1,16}")
_HEX_BYTES = re.compile(r"(?:[0-9a-fA-F]{2})*")


class ProtocolError(Exception):
    """The packet does not parse."""


@dataclass(frozen=True)
class Reply:
    payload: bytes
    then_no_ack: bool = False  # switch off acks once this reply is sent


@dataclass(frozen=True)
class Continue:
    """The client let its core run; it wants a stop reply when the machine next pauses."""


@dataclass(frozen=True)
class Step:
    """Retire one instruction on this core while the rest of the machine stays paused."""


@dataclass(frozen=True)
class Detach:
    """Reply OK, forget this client's breakpoints and let the machine run without it."""


@dataclass(frozen=True)
class Kill:
    """End the emulation run."""


Action = Reply | Continue | Step | Detach | Kill
EMPTY = Reply(b"")
OK = Reply(b"OK")


def error(errno: int) -> Reply:
    return Reply(b"E%02x" % (errno & 0xFF))


def parse_hex(text: str) -> int:
    if not _HEX.fullmatch(text):
        raise ProtocolError(f"not a hex number: {text[:20]!r}")
    return int(text, 16)


def parse_hex_bytes(text: str) -> bytes:
    if not _HEX_BYTES.fullmatch(text):
        raise ProtocolError("not hex bytes")
    return bytes.fromhex(text)


def parse_thread(text: str) -> int:
    return -1 if text == "-1" else parse_hex(text)


def packet_name(text: str) -> str:
    """``qXfer:...`` -> ``qXfer``, ``vCont;c`` -> ``vCont``, ``vCont?``, ``m0,4`` -> ``m``."""
    if text[:1] in ("q", "Q", "v"):
        return re.split(r"[:;,]", text, maxsplit=1)[0]
    return text[:1]


@dataclass
class SessionState:
    """What one client negotiated and was last told."""

    last_stop: StopEvent = field(default_factory=StopEvent)
    reasons: frozenset[str] = frozenset()


class Dispatcher:
    def __init__(self, target: Target, state: SessionState) -> None:
        self.target = target
        self.state = state
        self.monitor = Monitor(target)
        self._handlers: dict[str, Callable[[str], Action]] = {
            "?": self._stop_reason,
            "g": self._read_registers, "G": self._write_registers,
            "p": self._read_register, "P": self._write_register,
            "m": self._read_memory, "M": self._write_memory, "X": self._write_binary,
            "c": self._continue, "C": self._continue_signal,
            "s": self._step, "S": self._step_signal,
            "Z": self._insert, "z": self._remove,
            "H": self._set_thread, "T": self._thread_alive,
            "k": lambda _t: Kill(), "D": lambda _t: Detach(),
            "qSupported": self._supported, "qXfer": self._xfer,
            "qAttached": lambda _t: Reply(b"1"),  # so quitting GDB detaches, never kills
            "qC": lambda _t: Reply(b"QC%x" % THREAD),
            "qfThreadInfo": lambda _t: Reply(b"m%x" % THREAD),
            "qsThreadInfo": lambda _t: Reply(b"l"),
            "qThreadExtraInfo": self._thread_extra_info,
            "qRcmd": self._monitor,
            "qSymbol": lambda _t: OK,  # no symbols wanted
            "QStartNoAckMode": lambda _t: Reply(b"OK", then_no_ack=True),
            "vCont?": lambda _t: Reply(VCONT_ACTIONS),
            "vCont": self._vcont,
        }

    def handle(self, payload: bytes) -> Action:
        # latin-1 maps bytes to code points one to one, so binary data (X) survives it.
        text = payload.decode("latin-1")
        name = packet_name(text)
        handler = self._handlers.get(name)
        if handler is None:
            return EMPTY
        try:
            return handler(text)
        except ProtocolError as err:
            log.debug("%s: bad %s packet: %s", self.target.name, name, err)
            return error(EINVAL)
        except TargetError as err:
            return error(err.errno)
        except Exception as err:  # a model bug must not take the debugger down with it
            log.warning("%s: gdb %s packet failed: %r", self.target.name, name, err)
            return error(EINVAL)

    # -- stop state ----------------------------------------------------------------------
    def stop_reply(self, event: StopEvent) -> bytes:
        self.state.last_stop = event
        return event.packet(THREAD, self.state.reasons)

    def _stop_reason(self, _text: str) -> Action:
        return Reply(self.stop_reply(self.state.last_stop))

    # -- registers -----------------------------------------------------------------------
    def _read_registers(self, _text: str) -> Action:
        return Reply(self.target.read_registers().hex().encode())

    def _write_registers(self, text: str) -> Action:
        self.target.write_registers(parse_hex_bytes(text[1:]))
        return OK

    def _read_register(self, text: str) -> Action:
        return Reply(self.target.read_register(parse_hex(text[1:])).hex().encode())

    def _write_register(self, text: str) -> Action:
        number, sep, value = text[1:].partition("=")
        if not sep:
            raise ProtocolError("P without '='")
        self.target.write_register(parse_hex(number), parse_hex_bytes(value))
        return OK

    # -- memory --------------------------------------------------------------------------
    def _address_length(self, text: str) -> tuple[int, int]:
        address, sep, length = text.partition(",")
        if not sep:
            raise ProtocolError("expected ADDR,LENGTH")
        return parse_hex(address), parse_hex(length)

    def _read_memory(self, text: str) -> Action:
        address, length = self._address_length(text[1:])
        if length == 0:
            return EMPTY
        data = self.target.read_memory(address, min(length, MAX_MEMORY_READ))
        return Reply(data.hex().encode())

    def _write_memory(self, text: str) -> Action:
        head, sep, data = text[1:].partition(":")
        if not sep:
            raise ProtocolError("M without ':'")
        address, length = self._address_length(head)
        content = parse_hex_bytes(data)
        if len(content) != length:
            raise ProtocolError("M length does not match its data")
        if length:
            self.target.write_memory(address, content)
        return OK

    def _write_binary(self, text: str) -> Action:
        head, sep, data = text[1:].partition(":")
        if not sep:
            raise ProtocolError("X without ':'")
        address, length = self._address_length(head)
        try:
            content = unescape_binary(data.encode("latin-1"))
        except ValueError as err:
            raise ProtocolError(str(err)) from None
        if len(content) != length:
            raise ProtocolError("X length does not match its data")
        if length:  # X with length 0 probes whether X is supported
            self.target.write_memory(address, content)
        return OK

    # -- run control ---------------------------------------------------------------------
    def _resume_at(self, address_text: str) -> None:
        if address_text:
            self.target.write_register(self.target.layout.by_name["pc"],
                                       parse_hex(address_text).to_bytes(4, "little"))

    def _continue(self, text: str) -> Action:
        self._resume_at(text[1:])
        return Continue()

    def _continue_signal(self, text: str) -> Action:
        # A bare-metal core has no signals to deliver: a fault was already taken
        # architecturally, so the signal number is checked and dropped.
        signal, _, address = text[1:].partition(";")
        parse_hex(signal)
        self._resume_at(address)
        return Continue()

    def _step(self, text: str) -> Action:
        self._resume_at(text[1:])
        return Step()

    def _step_signal(self, text: str) -> Action:
        signal, _, address = text[1:].partition(";")
        parse_hex(signal)
        self._resume_at(address)
        return Step()

    def _vcont(self, text: str) -> Action:
        actions = text.split(";")[1:]
        if not actions:
            raise ProtocolError("vCont without actions")
        for action in actions:
            verb, _, thread = action.partition(":")
            if thread and parse_thread(thread) not in (-1, 0, THREAD):
                continue
            letter = verb[:1]
            if letter in ("C", "S"):
                parse_hex(verb[1:])
            elif len(verb) != 1:
                raise ProtocolError(f"bad vCont action {verb[:10]!r}")
            if letter in ("c", "C"):
                return Continue()
            if letter in ("s", "S"):
                return Step()
            if letter == "t":
                return OK  # all-stop: the thread is already stopped
            raise ProtocolError(f"unsupported vCont action {verb[:10]!r}")
        raise ProtocolError("no vCont action for this thread")

    # -- breakpoints and watchpoints -----------------------------------------------------
    def _z_args(self, text: str) -> tuple[str, int, int]:
        fields = text[1:].split(";", 1)[0].split(",")
        if len(fields) != 3 or fields[0] not in ("0", "1", "2", "3", "4"):
            raise ProtocolError("expected TYPE,ADDR,KIND")
        return fields[0], parse_hex(fields[1]), parse_hex(fields[2])

    def _insert(self, text: str) -> Action:
        kind, address, size = self._z_args(text)
        if kind in ("0", "1"):
            self.target.insert_breakpoint("sw" if kind == "0" else "hw", address, size)
        else:
            self.target.insert_watchpoint({"2": "watch", "3": "rwatch", "4": "awatch"}[kind],
                                          address, size)
        return OK

    def _remove(self, text: str) -> Action:
        kind, address, size = self._z_args(text)
        if kind in ("0", "1"):
            self.target.remove_breakpoint("sw" if kind == "0" else "hw", address, size)
        else:
            self.target.remove_watchpoint({"2": "watch", "3": "rwatch", "4": "awatch"}[kind],
                                          address, size)
        return OK

    # -- threads -------------------------------------------------------------------------
    def _set_thread(self, text: str) -> Action:
        if text[1:2] not in ("g", "c") or parse_thread(text[2:]) not in (-1, 0, THREAD):
            return error(EINVAL)
        return OK

    def _thread_alive(self, text: str) -> Action:
        return OK if parse_thread(text[1:]) == THREAD else error(EINVAL)

    def _thread_extra_info(self, text: str) -> Action:
        _, _, thread = text.partition(",")
        if parse_thread(thread) != THREAD:
            return error(EINVAL)
        core = self.target.core
        return Reply(f"{core.name} {core.state.value}".encode().hex().encode())

    # -- queries -------------------------------------------------------------------------
    def _supported(self, text: str) -> Action:
        _, _, features = text.partition(":")
        offered = {f[:-1] for f in features.split(";") if f.endswith("+")}
        self.state.reasons = frozenset(offered & STOP_REASONS)
        return Reply(SUPPORTED)

    def _xfer(self, text: str) -> Action:
        parts = text.split(":")
        if len(parts) != 5 or parts[1] != "features" or parts[2] != "read":
            return EMPTY
        if parts[3] != "target.xml":
            return error(0)
        offset, length = self._address_length(parts[4])
        document = self.target.layout.xml
        chunk = document[offset:offset + min(length, (PACKET_SIZE - 16) // 2)]
        more = offset + len(chunk) < len(document)
        return Reply((b"m" if more else b"l") + escape_binary(chunk))

    def _monitor(self, text: str) -> Action:
        _, _, command = text.partition(",")
        output = self.monitor.run(parse_hex_bytes(command).decode("utf-8", "replace"))
        return Reply(output.encode().hex().encode()) if output else OK
