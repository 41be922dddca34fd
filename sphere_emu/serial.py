"""Serial ports: where the guest's UART bytes go, and where host input comes from.

A UART model owns a ``SerialPort`` named after the block (``io0-uart``, ``isu0-uart``, ...).
Guest bytes are handed to the port's sinks (stdout, a file, a TCP client) and assembled into
lines for listeners such as ``--expect``. Host bytes reach the guest through ``inject``.
"""

from collections.abc import Callable

LineListener = Callable[["SerialPort", int, str], None]  # (port, virtual ns, line)


class SerialPort:
    def __init__(self, name: str, clock) -> None:
        self.name = name
        self._clock = clock
        self.sinks: list[Callable[[bytes], None]] = []
        self.line_listeners: list[LineListener] = []
        self.receiver: Callable[[bytes], None] | None = None  # set by the UART model
        self._line = bytearray()
        self.output = bytearray()  # everything the guest sent, for tests and reports
        self._now_ns = 0  # when the bytes being assembled into a line were sent

    # guest -> host
    def transmit(self, data: bytes, now_ns: int | None = None) -> None:
        """Guest bytes sent at virtual time ``now_ns`` (the sending block's time: exact for a
        block private to one core; the clock's time if not given)."""
        self._now_ns = self._clock.now_ns if now_ns is None else now_ns
        self.output += data
        for sink in self.sinks:
            sink(data)
        for byte in data:
            if byte == 0x0A:
                self._emit_line()
            elif byte != 0x0D:
                self._line.append(byte)

    def flush_line(self) -> None:
        if self._line:
            self._now_ns = self._clock.now_ns
            self._emit_line()

    def _emit_line(self) -> None:
        line = self._line.decode("utf-8", "replace")
        self._line.clear()
        for listener in self.line_listeners:
            listener(self, self._now_ns, line)

    def snapshot(self) -> dict:
        return {"output": bytes(self.output), "line": bytes(self._line), "now_ns": self._now_ns}

    def restore(self, state: dict) -> None:
        self.output[:] = state["output"]
        self._line[:] = state["line"]
        self._now_ns = state["now_ns"]

    # host -> guest
    def inject(self, data: bytes) -> None:
        if self.receiver is not None:
            self.receiver(data)


class SerialHub:
    """All the machine's serial ports, by name."""

    def __init__(self, clock) -> None:
        self._clock = clock
        self.ports: dict[str, SerialPort] = {}

    def port(self, name: str) -> SerialPort:
        if name not in self.ports:
            self.ports[name] = SerialPort(name, self._clock)
        return self.ports[name]

    def snapshot(self) -> dict:
        return {name: port.snapshot() for name, port in self.ports.items()}

    def restore(self, state: dict) -> None:
        for name, saved in state.items():
            self.port(name).restore(saved)
