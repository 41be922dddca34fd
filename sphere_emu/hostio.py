"""Host ends of the guest's serial ports: stdout, files and TCP sockets.

``--uart NAME=stdio|file:PATH|tcp:PORT[,nowait]`` picks one per port. TCP listens on
127.0.0.1 only and, like QEMU's ``server,wait``, waits for a client before the machine starts
so no output is lost; ``nowait`` starts at once. Input is polled between time slices.
"""

import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import SphereEmuError
from .serial import SerialPort


@dataclass(frozen=True)
class Route:
    port: str
    kind: str  # "stdio" | "file" | "tcp" | "null"
    target: str = ""
    wait: bool = True  # tcp: wait for a client before the run starts


_FORMS = "NAME=stdio|file:PATH|tcp:PORT[,nowait]|null"


def parse_route(text: str) -> Route:
    name, sep, where = text.partition("=")
    if not sep or not name:
        raise SphereEmuError(f"--uart {text!r}: expected {_FORMS}")
    if where in ("stdio", "null"):
        return Route(name, where)
    kind, sep, target = where.partition(":")
    if kind == "file" and target:
        return Route(name, "file", target)
    port, comma, flag = target.partition(",")
    if kind == "tcp" and port.isdigit() and 0 < int(port) < 65536 and flag in ("", "nowait"):
        return Route(name, "tcp", port, wait=not comma)
    raise SphereEmuError(f"--uart {text!r}: expected {_FORMS}")


class HostIO:
    """Owns the open files and sockets of one run; ``close()`` releases them."""

    def __init__(self, notify=lambda message: None, stdout_prefix: bool = False) -> None:
        self._files: list = []
        self._tcp: list[_TcpEnd] = []
        self._notify = notify
        self._stdout = SharedStdout(stdout_prefix)

    def attach(self, port: SerialPort, route: Route) -> None:
        if route.kind == "stdio":
            port.sinks.append(self._stdout.sink(port.name))
        elif route.kind == "file":
            try:
                f = Path(route.target).open("ab", buffering=0)  # noqa: SIM115 - closed by close()
            except OSError as err:
                raise SphereEmuError(f"--uart {route.port}: cannot open {route.target}: "
                                     f"{err.strerror}") from None
            self._files.append(f)
            port.sinks.append(f.write)
        elif route.kind == "tcp":
            end = _TcpEnd(port, int(route.target))
            self._tcp.append(end)
            port.sinks.append(end.send)
            if route.wait:
                self._notify(f"{port.name}: waiting for a connection on 127.0.0.1:{route.target}")
                end.accept()

    @property
    def has_input(self) -> bool:
        """Whether host input may still arrive (a TCP route is open)."""
        return bool(self._tcp)

    def poll(self) -> None:
        for end in self._tcp:
            end.poll()

    def close(self) -> None:
        self._stdout.close()
        for f in self._files:
            f.close()
        for end in self._tcp:
            end.close()


def _write_stdout(data: bytes) -> None:
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


class SharedStdout:
    """UARTs printing to one stdout, each line prefixed ``[NAME] `` when ``prefix`` is set
    (prefixed lines are written whole, so lines of two UARTs never mix)."""

    def __init__(self, prefix: bool = False) -> None:
        self.prefix = prefix
        self._pending: dict[str, bytearray] = {}

    def sink(self, name: str):  # noqa: ANN201 - a port sink
        return lambda data: self.write(name, data)

    def write(self, name: str, data: bytes) -> None:
        if not self.prefix:
            _write_stdout(data)
            return
        pending = self._pending.setdefault(name, bytearray())
        pending += data
        out = bytearray()
        while (end := pending.find(b"\n") + 1):
            out += b"[" + name.encode() + b"] " + pending[:end]
            del pending[:end]
        if out:
            _write_stdout(bytes(out))

    def close(self) -> None:
        """Print what is left of unfinished lines."""
        for name, pending in self._pending.items():
            if pending:
                _write_stdout(b"[" + name.encode() + b"] " + bytes(pending) + b"\n")
        self._pending.clear()


class _TcpEnd:
    def __init__(self, port: SerialPort, number: int) -> None:
        import socket  # only for tcp: routes, not on every start-up

        self.port = port
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.server.bind(("127.0.0.1", number))
        except OSError as err:
            raise SphereEmuError(f"--uart {port.name}: cannot listen on 127.0.0.1:{number}: "
                                 f"{err.strerror}") from None
        self.server.listen(1)
        self.server.setblocking(False)
        self.client: socket.socket | None = None

    def accept(self) -> None:
        """Block until a client connects."""
        self.server.setblocking(True)
        try:
            self.client, _ = self.server.accept()
        finally:
            self.server.setblocking(False)
        self.client.setblocking(False)

    def poll(self) -> None:
        if self.client is None:
            try:
                self.client, _ = self.server.accept()
                self.client.setblocking(False)
            except BlockingIOError:
                return
        try:
            data = self.client.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            self.port.inject(data)
        else:
            self.client.close()
            self.client = None

    def send(self, data: bytes) -> None:
        if self.client is not None:
            try:
                self.client.sendall(data)
            except OSError:
                self.client.close()
                self.client = None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self.client is not None:
                self.client.close()
            self.server.close()
