"""All-stop run control for every GDB server of a machine.

The runner calls ``poll`` between its chunks (never blocks), ``hold`` before each chunk
(blocks while the machine is paused) and ``idle`` when nothing can run; the scheduler calls
``slice_poll`` between slices so a Ctrl-C takes effect within one slice. Everything happens
on the runner's thread, so no socket work ever overlaps a core's ``emu_start``.

All-stop means: when any core stops (breakpoint, watchpoint, fault, Ctrl-C, a debugger
attaching) the whole machine pauses and virtual time stands still. Every client that was
waiting is told: its own core's reason if it has one, otherwise signal 0 ("the machine
paused"). The machine runs again once every attached client has resumed its core.
"""

import select
from collections.abc import Iterable

from ..cpu.core import Core, CoreState, DebugStop
from ..scheduler import RunResult, Scheduler
from .server import GdbServer
from .stops import SIGNONE, StopEvent

IDLE_WAIT_S = 0.1  # how long ``idle`` waits for a debugger before the runner looks again
STEP_WAKE_NS = 1_000_000_000  # the most virtual time one step waits for a sleeping core


class GdbHub:
    def __init__(self, servers: Iterable[GdbServer], cores: Iterable[Core],
                 wait_for_attach: bool = False, scheduler: Scheduler | None = None) -> None:
        self.servers = list(servers)
        self.cores = list(cores)
        self.waiting_for_attach = wait_for_attach
        self.scheduler = scheduler
        self._machine_running = True
        for server in self.servers:
            server.wake = self._run_until_awake
        if scheduler is not None:
            scheduler.slice_hooks.append(self.slice_poll)

    @property
    def killed(self) -> bool:
        return any(s.kill_requested for s in self.servers)

    def _paused(self) -> bool:
        return (self.killed or self.waiting_for_attach
                or any(s.stopped for s in self.servers))

    # -- the runner's hooks --------------------------------------------------------------
    def poll(self) -> None:
        self._service(0.0)

    def slice_poll(self) -> None:
        """Between the scheduler's slices: a Ctrl-C or an attach stops the run at once,
        not at the end of the runner's chunk (which can be long on a busy core)."""
        if not self._machine_running:
            return  # a step is letting time pass: its server is mid-packet, do not re-enter
        self._service(0.0)
        if (self._paused() or self._debug_held()) and self.scheduler is not None:
            self.scheduler.request_stop()

    def hold(self) -> bool:
        """Block while the machine is paused; False when a debugger ended the run."""
        self._collect_stops()
        while self._paused() and not self.killed:
            self._service(None)
            self._collect_stops()  # a step that let time pass may have stopped another core
        if self.killed:
            return False
        if not self._machine_running:
            for core in self.cores:
                core.debug_stop = None
            self._machine_running = True
        return True

    def idle(self) -> None:
        self._collect_stops()
        self._service(IDLE_WAIT_S)

    def close(self, exit_code: int = 0) -> None:
        if self.scheduler is not None and self.slice_poll in self.scheduler.slice_hooks:
            self.scheduler.slice_hooks.remove(self.slice_poll)
        for server in self.servers:
            server.finish(exit_code)

    # -- stops ---------------------------------------------------------------------------
    def _debug_held(self) -> bool:
        return any(s.attached and s.target.core.debug_hold for s in self.servers)

    def _collect_stops(self) -> None:
        served = set()
        for server in self.servers:
            core = server.target.core
            served.add(id(core))
            if core.debug_hold and server.attached:
                # Debug mode: the core waited before its first instruction for a debugger.
                # Now it has one, it stops there as at a breakpoint and runs when resumed.
                core.debug_hold = False
                core.debug_stop = DebugStop("breakpoint")
            event = server.target.take_stop()
            if core.state is not CoreState.HALTED:
                server.halt_reported = False
            elif event is None and not server.halt_reported and server.attached:
                event = server.target.halt_stop()
                server.halt_reported = True
            if event is None or not server.attached:
                continue  # a stop nobody is watching does not pause the machine
            if server.running:
                server.report(event)
            else:
                server.state.last_stop = event
        for core in self.cores:
            if id(core) not in served:
                core.debug_stop = None
        if self._machine_running and self._paused():
            self._machine_running = False
            for server in self.servers:
                if server.attached and server.running:
                    server.report(StopEvent(SIGNONE))

    def _run_until_awake(self, server: GdbServer) -> None:
        """Stepping a core asleep in WFI: let the machine run until an interrupt wakes it.

        Nothing can wake it while time stands still, and GDB would step the same PC forever.
        The rest of the machine runs as usual meanwhile; not while another debugger holds
        its core stopped, and for at most STEP_WAKE_NS per step (GDB just steps again).
        """
        if self.scheduler is None or any(s.stopped for s in self.servers if s is not server):
            return
        core = server.target.core
        clock = self.scheduler.clock
        limit = clock.now_ns + STEP_WAKE_NS
        while core.state is CoreState.SLEEPING and clock.now_ns < limit:
            next_event = clock.next_event_ns()
            if next_event is None:
                return
            deadline = min(max(next_event, clock.now_ns + 1), limit)
            if self.scheduler.run_until(deadline) is RunResult.DEBUG:
                return

    # -- sockets -------------------------------------------------------------------------
    def _service(self, timeout: float | None) -> None:
        table: dict[int, tuple[GdbServer, bool]] = {}
        for server in self.servers:
            table[server.listener.fileno()] = (server, True)
            if server.conn is not None:
                table[server.conn.fileno()] = (server, False)
        try:
            readable, _, _ = select.select(list(table), [], [], timeout)
        except InterruptedError:
            return
        for fd in readable:
            server, is_listener = table[fd]
            if is_listener:
                if server.accept():
                    self.waiting_for_attach = False
            else:
                server.service()


def default_ports(core_names: Iterable[str], first: int = 3333) -> dict[str, int]:
    """One port per core from ``first``, in the order a7, io0, io1, then any others."""
    names = list(core_names)
    order = [n for n in ("a7", "io0", "io1") if n in names] + \
        [n for n in names if n not in ("a7", "io0", "io1")]
    return {name: first + i for i, name in enumerate(order)}

