"""What every core model offers the scheduler, the machine and the debugger."""

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ..bus import AddressMap
from ..clock import Clock
from ..engine.native import NativeLibrary
from ..irq import InterruptController
from ..reset import Lockup
from ..snapshot import SnapshotError


class CoreState(Enum):
    RUNNING = "running"
    SLEEPING = "sleeping"  # WFI/WFE: takes no time slices until an interrupt is pending
    HELD = "held"  # in reset, waiting to be released
    HALTED = "halted"  # locked up or stopped for good; see ``halt_reason``


# The members as plain names for code that runs every slice or interrupt: looking a member
# up on the Enum class costs ~0.1 us each time (Python 3.11), a module global ~0.01 us.
RUNNING, SLEEPING, HELD, HALTED = (CoreState.RUNNING, CoreState.SLEEPING, CoreState.HELD,
                                   CoreState.HALTED)


@dataclass
class DebugStop:
    """Why a core stopped for the debugger (the whole machine pauses with it)."""

    reason: str  # "breakpoint" | "watchpoint" | "step" | "fault" | "interrupt"
    address: int | None = None
    kind: str | None = None  # for watchpoints: "watch" | "rwatch" | "awatch"
    signal: int = 5  # SIGTRAP; guest faults report SIGSEGV/SIGILL/SIGBUS


class Core(ABC):
    """A processor on the virtual clock.

    Subclasses are built as ``Cls(spec: CoreSpec, clock: Clock, mappings: list[Mapping])``:
    they create their Unicorn instance(s), add their private blocks (the M4's System Control
    Space, the A7's GIC CPU interface) and install the mappings.

    The scheduler calls ``run(n)`` with the number of instructions the core may retire in
    the current time slice. The core returns early when it sleeps, halts or stops for the
    debugger. Everything else (exceptions, faults, timers) happens inside the model.
    """

    interrupt_controller: "InterruptController"  # where the board wires peripheral IRQs

    def __init__(self, name: str, frequency_hz: int, clock: Clock) -> None:
        self.name = name
        self.frequency_hz = frequency_hz
        self.clock = clock
        self.state = CoreState.RUNNING
        self.halt_reason: str | None = None
        self.debug_stop: DebugStop | None = None
        # Released in debug mode: stays before its first instruction until a debugger
        # attached to it resumes it (the GDB hub clears this); the other cores run on.
        self.debug_hold = False
        self.instructions_retired = 0  # slices granted and used; the basis of virtual time
        # Told when the core locks up (its reset block's status; the machine wires it).
        self.lockup_listeners: list[Callable[[Lockup], None]] = []

    @property
    @abstractmethod
    def address_map(self) -> AddressMap:
        """The address map the core's current context sees (for the debugger and loaders)."""

    @abstractmethod
    def run(self, instructions: int) -> None:
        """Run for at most ``instructions`` instructions."""

    @abstractmethod
    def reset(self) -> None:
        """Architectural reset: registers to their reset values, vector fetch where relevant."""

    @abstractmethod
    def start_at(self, entry: int) -> None:
        """Release the core to run a loaded program from its entry point.

        For an M-profile core ``entry`` is the vector table (SP and reset vector are read
        from it, as the Azure Sphere RT-app loader does); for the A7 it is the first
        instruction, in Secure SVC mode.
        """

    @property
    def physical_map(self) -> AddressMap:
        """What a bus master sees at this core's physical addresses (the A7: its Secure
        view, whatever world runs); by default the core's own map."""
        return self.address_map

    @property
    def bus_maps(self) -> list[AddressMap]:
        """Every view of the bus this core has (the A7: one per world)."""
        return [self.address_map]

    def local_time_ns(self) -> int:
        """Virtual time at the instruction executing now (cores that count their retired
        instructions inside a slice refine this; otherwise it is the slice's start)."""
        return self.clock.now_ns

    def set_fast_forward(self, enabled: bool) -> None:
        """Turn the exact busy-wait fast-forward (``engine/busywait.py``) on or off; a core
        without one only remembers the setting."""
        self.fast_forward = enabled

    def event_owners(self) -> dict[str, object]:
        """Parts of the core that schedule clock events, by name (for snapshots)."""
        return {}

    def snapshot(self) -> dict[str, Any]:
        """The core's state as plain data, between time slices (``snapshot.py``)."""
        raise SnapshotError(f"{self.name}: this core model cannot be snapshot")

    def restore(self, state: dict[str, Any]) -> None:
        """Back to a ``snapshot`` (of this core or of the same core of another machine)."""
        raise SnapshotError(f"{self.name}: this core model cannot be restored")

    def use_native_counter(self, library: NativeLibrary) -> bool:
        """Run fast: count retired instructions per block with the native library
        (``engine/native``); False if this core model keeps Unicorn's own counting."""
        return False

    @abstractmethod
    def stop_soon(self) -> None:
        """The host is stopping the run (Ctrl-C, a wall-clock limit): end the current time
        slice as soon as possible. Safe from a signal handler inside an engine hook."""

    @property
    def runnable(self) -> bool:
        return self.state is RUNNING and self.debug_stop is None and \
            not self.debug_hold

    def halt(self, reason: str) -> None:
        self.state = CoreState.HALTED
        self.halt_reason = reason

    # -- debugger access ---------------------------------------------------------------
    @abstractmethod
    def register_names(self) -> list[str]:
        """Names ``read_register`` accepts, e.g. r0..r12, sp, lr, pc, xpsr, s0.., fpscr."""

    @abstractmethod
    def read_register(self, name: str) -> int: ...

    @abstractmethod
    def write_register(self, name: str, value: int) -> None: ...

    @abstractmethod
    def add_breakpoint(self, address: int) -> None: ...

    @abstractmethod
    def remove_breakpoint(self, address: int) -> None: ...

    @abstractmethod
    def add_watchpoint(self, address: int, size: int, kind: str) -> None:
        """``kind`` is "watch" (write), "rwatch" (read) or "awatch" (either)."""

    @abstractmethod
    def remove_watchpoint(self, address: int, size: int, kind: str) -> None: ...

    @abstractmethod
    def step(self) -> None:
        """Retire exactly one instruction (taking a pending exception first, as hardware does)."""
