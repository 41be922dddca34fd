"""Why a core stopped, as GDB's stop-reply packets say it."""

from dataclasses import dataclass

SIGNONE = 0  # "the machine paused": another core's stop, shown by GDB as "Program stopped."
SIGINT = 2
SIGILL = 4
SIGTRAP = 5
SIGBUS = 7
SIGSEGV = 11

WATCH_KINDS = ("watch", "rwatch", "awatch")


@dataclass(frozen=True)
class StopEvent:
    signal: int = SIGTRAP
    reason: str = ""  # "swbreak" | "hwbreak" | one of WATCH_KINDS | ""
    address: int | None = None  # the watched address, for watchpoint stops

    def packet(self, thread: int, reasons: frozenset[str]) -> bytes:
        """The ``T`` reply; ``reasons`` are the stop reasons the client said it understands."""
        out = f"T{self.signal & 0xFF:02x}"
        if self.reason in WATCH_KINDS and self.address is not None:
            out += f"{self.reason}:{self.address:x};"
        elif self.reason and self.reason in reasons:
            out += f"{self.reason}:;"
        return (out + f"thread:{thread:x};").encode()


def signal_for_halt(reason: str) -> int:
    """The signal a locked-up core is reported with: SIGILL for bad instructions."""
    text = reason.lower()
    if any(word in text for word in ("undefined", "invalid instruction", "usage")):
        return SIGILL
    return SIGSEGV
