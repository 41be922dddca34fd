"""One GDB server: a listening socket for one core and at most one client on it."""

import contextlib
import logging
import select
import socket
from collections.abc import Callable

from ..cpu.core import CoreState
from .commands import PACKET_SIZE, Continue, Detach, Dispatcher, Kill, Reply, SessionState, Step
from .connection import Connection, ConnectionClosed
from .packets import Interrupt, Oversize, Packet
from .stops import SIGINT, SIGTRAP, StopEvent
from .target import EINVAL, Target

DEFAULT_HOST = "127.0.0.1"
log = logging.getLogger("sphere_emu.gdb")


class GdbServer:
    def __init__(self, target: Target, port: int, host: str = DEFAULT_HOST,
                 notify: Callable[[str], None] = lambda message: None) -> None:
        self.target = target
        self.notify = notify
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.listener.bind((host, port))
            self.listener.listen(1)
        except OSError:
            self.listener.close()
            raise
        self.listener.setblocking(False)
        self.host = host
        self.port = self.listener.getsockname()[1]
        self.conn: Connection | None = None
        self.state = SessionState()
        self.dispatcher = Dispatcher(target, self.state)
        self.running = False  # the client resumed its core and waits for a stop reply
        self.kill_requested = False
        self.halt_reported = False  # a locked-up core is reported once, not on every resume
        # A client vanished without D or k (a port probe, a crashed gdb): as QEMU does, the
        # machine stays halted for the next debugger; only D or k lets it go.
        self.held = False
        # Set by the hub: let virtual time pass until this server's sleeping core wakes.
        self.wake: Callable[[GdbServer], None] = lambda server: None

    @property
    def name(self) -> str:
        return self.target.name

    @property
    def attached(self) -> bool:
        return self.conn is not None

    @property
    def stopped(self) -> bool:
        """An attached client holds the machine paused, or a lost one left it held."""
        return (self.conn is not None and not self.running) or self.held

    # -- connections ---------------------------------------------------------------------
    def accept(self) -> bool:
        """Take a waiting client; True if it is now attached (the machine must pause)."""
        try:
            sock, peer = self.listener.accept()
        except OSError:  # nobody after all (the client gave up), or out of descriptors
            return False
        if self.conn is not None and self._alive():
            self.notify(f"{self.name}: refused a second debugger from {peer[0]}:{peer[1]}")
            sock.close()
            return False
        sock.setblocking(True)
        self.conn = Connection(sock, PACKET_SIZE + 64)
        self.held = False  # the new client holds it now
        halted = self.target.halt_stop()
        self.state.last_stop = self.target.take_stop() or halted or StopEvent(SIGTRAP)
        self.state.reasons = frozenset()
        self.running = False
        self.halt_reported = halted is not None
        self._halt_on_bkpt(True)
        self.notify(f"{self.name}: debugger attached from {peer[0]}:{peer[1]}")
        return True

    def _alive(self) -> bool:
        """Whether the attached client is still there (it may have gone unnoticed)."""
        # Its last bytes and its hang-up can arrive as separate reads: drain what is waiting
        # (bounded, so a chatty live client cannot hold us here) before judging.
        for _ in range(8):
            if self.conn is None:
                break
            readable, _, _ = select.select([self.conn], [], [], 0)
            if not readable:
                break
            self.service()
        return self.conn is not None

    def drop(self, why: str, hold: bool = False) -> None:
        """Forget the client: its breakpoints go with it. The machine may run on, unless
        ``hold`` (the connection was lost, not ended by D or k)."""
        if self.conn is None:
            return
        self.held = hold
        self.conn.close()
        self.conn = None
        self.running = False
        self.target.clear_debug_state()
        self._halt_on_bkpt(False)
        self.notify(f"{self.name}: debugger {why}" + (
            f"; the machine stays halted until a debugger attaches to port {self.port} and "
            "detaches or kills" if hold else ""))

    def _halt_on_bkpt(self, on: bool) -> None:
        # With a debugger attached a guest BKPT halts the core (halting debug) instead of
        # escalating to HardFault; cores without the notion are left alone.
        if hasattr(self.target.core, "halt_on_bkpt"):
            self.target.core.halt_on_bkpt = on

    # -- traffic -------------------------------------------------------------------------
    def service(self) -> None:
        """Handle what the client sent (call when its socket is readable)."""
        if self.conn is None:
            return
        try:
            for event in self.conn.receive():
                if self.conn is None:
                    break  # detached or killed by an earlier packet of this batch
                self._event(event)
        except ConnectionClosed as err:
            self.drop(f"connection lost ({err})", hold=True)

    def _event(self, event) -> None:
        assert self.conn is not None
        if isinstance(event, Interrupt):
            if self.running:
                self.report(StopEvent(SIGINT))
            return
        if isinstance(event, Oversize):
            self.conn.send(b"E%02x" % EINVAL)
            return
        assert isinstance(event, Packet)
        action = self.dispatcher.handle(event.payload)
        if isinstance(action, Reply):
            self.conn.send(action.payload)
            if action.then_no_ack:
                self.conn.acks = False
        elif isinstance(action, Continue):
            self.running = True
        elif isinstance(action, Step):
            self.conn.send(self._step())
        elif isinstance(action, Detach):
            self.conn.send(b"OK")
            self.drop("detached")
        elif isinstance(action, Kill):
            self.kill_requested = True
            self.drop("killed the run")

    def _step(self) -> bytes:
        try:
            if self.target.core.state is CoreState.SLEEPING:
                self.wake(self)  # a core in WFI only moves once an interrupt wakes it
            return self.dispatcher.stop_reply(self.target.step())
        except Exception as err:  # a model bug must not take the debugger down with it
            log.warning("%s: gdb step failed: %r", self.name, err)
            return b"E%02x" % EINVAL

    def report(self, event: StopEvent) -> None:
        """Tell a waiting client its core stopped."""
        self.running = False
        if self.conn is not None:
            try:
                self.conn.send(self.dispatcher.stop_reply(event))
            except ConnectionClosed as err:
                self.drop(f"connection lost ({err})", hold=True)

    def finish(self, exit_code: int) -> None:
        """The run is over: a waiting client hears the machine exited, then the socket closes."""
        if self.conn is not None and self.running:
            with contextlib.suppress(ConnectionClosed):
                self.conn.send(b"W%02x" % (exit_code & 0xFF))
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        self.listener.close()
