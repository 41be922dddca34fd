"""Reset lines: how a block holds a core in reset or releases it, without knowing the core.

A peripheral owns ``ResetLine`` outputs (like ``IrqLine`` for interrupts) and only drives
them. The machine connects a line to the core a board file names with
``reset_by: BLOCK.LINE``. Releasing passes the address the core starts from: for an
M-profile core the vector table (SP and PC are loaded from it).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Lockup:
    """What a core that stopped for good shows its reset block: where it stopped and the
    fault state a debugger reading the halted core would find (Cortex-M: the stacked return
    address of the exception it was in, CFSR, HFSR and the valid fault address)."""

    pc: int
    fault_pc: int
    cfsr: int = 0
    hfsr: int = 0
    fault_address: int = 0


class ResetTarget(Protocol):
    def hold(self) -> None:
        """Enter reset and stay there."""

    def release(self, entry: int, debug_halt: bool = False) -> None:
        """Leave reset and start from ``entry`` (with ``debug_halt``: stopped there for a
        debugger, before the first instruction)."""

    def map_window(self, base: int, memory: str | None, offset: int) -> None:
        """Show ``memory`` from ``offset`` at the core's window at ``base`` (read-only), or
        the window's own memory again when ``memory`` is None."""


class ResetLine:
    """A reset output of a block, and the core's way back: ``lockup`` is what the core
    reports through it when it stops for good (the block decides what to do with it)."""

    def __init__(self, name: str, on_lockup: Callable[[Lockup], None] | None = None) -> None:
        self.name = name
        self._targets: list[ResetTarget] = []
        self._on_lockup = on_lockup

    def lockup(self, report: Lockup) -> None:
        if self._on_lockup is not None:
            self._on_lockup(report)

    def connect(self, target: ResetTarget) -> None:
        self._targets.append(target)

    def release(self, entry: int, debug_halt: bool = False) -> None:
        for target in self._targets:
            target.release(entry, debug_halt)

    def hold(self) -> None:
        for target in self._targets:
            target.hold()

    def map_window(self, base: int, memory: str | None, offset: int) -> None:
        for target in self._targets:
            target.map_window(base, memory, offset)
