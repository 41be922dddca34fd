"""One client's socket: reading events, sending packets, acks and retransmission."""

import contextlib
import socket

from .packets import Ack, Corrupt, Event, Interrupt, PacketReader, frame

SEND_TIMEOUT_S = 10.0  # a client that stops reading is dropped, not waited for forever
MAX_RETRANSMITS = 8


class ConnectionClosed(Exception):
    pass


class Connection:
    def __init__(self, sock: socket.socket, max_payload: int) -> None:
        self.sock = sock
        sock.settimeout(SEND_TIMEOUT_S)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = PacketReader(max_payload)
        self.acks = True  # until QStartNoAckMode
        self._last: bytes | None = None
        self._retransmits = 0

    def fileno(self) -> int:
        return self.sock.fileno()

    def receive(self) -> list[Event]:
        """Events from the bytes waiting on the socket (call only when it is readable).

        Acks are dealt with here: a corrupt packet is NAKed and dropped, a NAK resends our
        last packet. Returned are packets, oversize packets and interrupts.
        """
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return []
        except OSError as err:
            raise ConnectionClosed(str(err)) from None
        if not data:
            raise ConnectionClosed("closed by the client")
        events: list[Event] = []
        for event in self.reader.feed(data):
            if isinstance(event, Ack):
                if not event.ok and self.acks:
                    self._retransmit()
            elif isinstance(event, Corrupt):
                if self.acks:  # ask for it again; in no-ack mode it is simply lost
                    self._write(b"-")
            else:
                if self.acks and not isinstance(event, Interrupt):
                    self._write(b"+")
                events.append(event)
        return events

    def send(self, payload: bytes) -> None:
        self._last = frame(payload)
        self._retransmits = 0
        self._write(self._last)

    def _retransmit(self) -> None:
        if self._last is not None and self._retransmits < MAX_RETRANSMITS:
            self._retransmits += 1
            self._write(self._last)

    def _write(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as err:
            raise ConnectionClosed(str(err)) from None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
