"""GDB Remote Serial Protocol framing: packets, checksums, acks and the interrupt byte.

``PacketReader`` is a push parser: feed it whatever bytes arrived and it returns the events
they complete. It never raises on input: junk between packets is skipped, a ``$`` inside a
packet restarts framing (the client gave up on the old one), and an oversized packet is
drained without being stored so a hostile client cannot make the server hold its bytes.
"""

import re
from dataclasses import dataclass

INTERRUPT = 0x03  # Ctrl-C outside a packet: stop the target

# Payload bytes that must be escaped in binary data: framing characters and the escape.
_ESCAPED = frozenset(b"$#}*")


@dataclass(frozen=True)
class Packet:
    payload: bytes


@dataclass(frozen=True)
class Corrupt:
    """A packet whose checksum did not match (or was not hex)."""


@dataclass(frozen=True)
class Oversize:
    """A well-formed packet longer than the reader keeps; its contents were dropped."""


@dataclass(frozen=True)
class Interrupt:
    """The client asked to stop a running target (0x03)."""


@dataclass(frozen=True)
class Ack:
    ok: bool  # '+' or '-'


Event = Packet | Corrupt | Oversize | Interrupt | Ack


def checksum(payload: bytes) -> int:
    return sum(payload) & 0xFF


def frame(payload: bytes) -> bytes:
    return b"$" + payload + b"#" + b"%02x" % checksum(payload)


class PacketReader:
    _IDLE, _BODY, _SUM1, _SUM2 = range(4)

    def __init__(self, max_payload: int) -> None:
        self.max_payload = max_payload
        self._state = self._IDLE
        self._body = bytearray()
        self._sum = 0  # running checksum, kept even when the body is not stored
        self._overflow = False
        self._given = bytearray()

    def feed(self, data: bytes) -> list[Event]:
        events: list[Event] = []
        for byte in data:
            event = self._byte(byte)
            if event is not None:
                events.append(event)
        return events

    def _byte(self, byte: int) -> Event | None:
        state = self._state
        if byte == 0x24:  # '$' always starts a packet, abandoning any partial one
            self._state = self._BODY
            self._body.clear()
            self._sum = 0
            self._overflow = False
            return None
        if state == self._IDLE:
            if byte == INTERRUPT:
                return Interrupt()
            if byte in (0x2B, 0x2D):
                return Ack(byte == 0x2B)
            return None  # line noise between packets
        if state == self._BODY:
            if byte == 0x23:  # '#'
                self._state = self._SUM1
                self._given.clear()
                return None
            self._sum = (self._sum + byte) & 0xFF
            if len(self._body) < self.max_payload:
                self._body.append(byte)
            else:
                self._overflow = True
            return None
        self._given.append(byte)
        if state == self._SUM1:
            self._state = self._SUM2
            return None
        self._state = self._IDLE
        if not re.fullmatch(rb"[0-9a-fA-F]{2}", self._given) or int(self._given, 16) != self._sum:
            return Corrupt()
        if self._overflow:
            return Oversize()
        return Packet(bytes(self._body))


def escape_binary(data: bytes) -> bytes:
    out = bytearray()
    for byte in data:
        if byte in _ESCAPED:
            out += bytes((0x7D, byte ^ 0x20))
        else:
            out.append(byte)
    return bytes(out)


def unescape_binary(data: bytes) -> bytes:
    """Undo the ``}``-escaping of binary packet data; a dangling escape is an error."""
    out = bytearray()
    it = iter(data)
    for byte in it:
        if byte == 0x7D:
            nxt = next(it, None)
            if nxt is None:
                raise ValueError("escape character at end of data")
            out.append(nxt ^ 0x20)
        else:
            out.append(byte)
    return bytes(out)
