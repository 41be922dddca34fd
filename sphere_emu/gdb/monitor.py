"""``monitor`` commands (qRcmd): the few things GDB itself cannot ask a core."""

from collections.abc import Callable
from dataclasses import dataclass

from ..cpu.core import Core, CoreState
from ..units import format_ns
from .target import Target, TargetError

# ARMv7-M fault status registers in the System Control Space.
M_FAULT_REGS = (("CFSR", 0xE000ED28), ("HFSR", 0xE000ED2C), ("MMFAR", 0xE000ED34),
                ("BFAR", 0xE000ED38))
CFSR_BITS = {
    0: "IACCVIOL", 1: "DACCVIOL", 3: "MUNSTKERR", 4: "MSTKERR", 5: "MLSPERR", 7: "MMARVALID",
    8: "IBUSERR", 9: "PRECISERR", 10: "IMPRECISERR", 11: "UNSTKERR", 12: "STKERR",
    13: "LSPERR", 15: "BFARVALID", 16: "UNDEFINSTR", 17: "INVSTATE", 18: "INVPC", 19: "NOCP",
    24: "UNALIGNED", 25: "DIVBYZERO",
}
HFSR_BITS = {1: "VECTTBL", 30: "FORCED", 31: "DEBUGEVT"}


@dataclass
class Monitor:
    target: Target

    def __post_init__(self) -> None:
        self._commands: dict[str, tuple[Callable[[list[str]], str], str]] = {
            "help": (self._help, "list these commands"),
            "reset": (self._reset, "reset the core and restart the loaded program; it stays "
                                   "stopped until you continue ('reset halt' is the same)"),
            "halt": (self._halt, "stop the core (it already is while GDB has the prompt) and "
                                 "show where"),
            "fault": (self._fault, "show the fault status registers and why the core halted"),
            "status": (self._status, "show the core's state, PC and the virtual time"),
        }
        if self.target.firewall_table is not None:
            self._commands["firewall"] = (self._firewall, "show who owns each peripheral "
                                          "block and shared memory range (the firewall)")

    def run(self, line: str) -> str:
        words = line.split()
        if not words:
            return self._help([])
        entry = self._commands.get(words[0].lower())
        if entry is None:
            return f"unknown monitor command '{words[0]}'; try 'monitor help'\n"
        return entry[0](words[1:])

    def _help(self, _args: list[str]) -> str:
        width = max(map(len, self._commands))
        return "".join(f"monitor {name:<{width}}  {doc}\n"
                       for name, (_fn, doc) in self._commands.items())

    def _reset(self, args: list[str]) -> str:
        if args and args[0].lower() not in ("halt", "init"):
            return f"monitor reset: unknown mode '{args[0]}' (the core stays stopped after a " \
                   "reset; use 'continue' to run it)\n"
        self.target.reset()
        return (f"{self.target.name}: reset, stopped at pc {self.target.pc:#010x}\n"
                "(GDB shows the old registers until the next stop or "
                "'maintenance flush register-cache')\n")

    def _halt(self, _args: list[str]) -> str:
        return f"{self.target.name}: halted at pc {self.target.pc:#010x}\n"

    def _firewall(self, _args: list[str]) -> str:
        assert self.target.firewall_table is not None
        return self.target.firewall_table()

    def _status(self, _args: list[str]) -> str:
        core = self.target.core
        return (f"{core.name}: {state_text(core)}, pc {self.target.pc:#010x}, "
                f"virtual time {format_ns(core.clock.now_ns)}\n")

    def _fault(self, _args: list[str]) -> str:
        core = self.target.core
        lines = []
        if "xpsr" in self.target.layout.by_name:
            for name, address in M_FAULT_REGS:
                try:
                    value = int.from_bytes(self.target.read_memory(address, 4), "little")
                except TargetError:
                    lines.append(f"{name:<5} unavailable")
                    continue
                bits = {"CFSR": CFSR_BITS, "HFSR": HFSR_BITS}.get(name, {})
                flags = " ".join(label for bit, label in bits.items() if value >> bit & 1)
                lines.append(f"{name:<5} {value:#010x}" + (f"  {flags}" if flags else ""))
        lines.append(f"state {state_text(core)}")
        lines.append(f"halt  {core.halt_reason or '-'}")
        return "".join(f"{core.name}: {line}\n" for line in lines)


def state_text(core: Core) -> str:
    """The core's state as GDB's user sees it: a monitor command runs only while the
    debugger has the machine stopped, so a core that would run is "halted" (all-stop)."""
    if core.state is CoreState.HALTED:
        return f"halted ({core.halt_reason or 'stopped for good'})"
    if core.state is CoreState.HELD:
        return "held in reset"
    if core.state is CoreState.SLEEPING:
        return "halted by the debugger (asleep in WFI/WFE)"
    return "halted by the debugger"
