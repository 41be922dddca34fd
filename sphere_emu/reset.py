"""Reset lines: how a block holds a core in reset or releases it, without knowing the core.

A peripheral owns ``ResetLine`` outputs (like ``IrqLine`` for interrupts) and only drives
them. The machine connects a line to the core a board file names with
``reset_by: BLOCK.LINE``. Releasing passes the address the core starts from: for an
M-profile core the vector table (SP and PC are loaded from it).
"""

from typing import Protocol


class ResetTarget(Protocol):
    def hold(self) -> None:
        """Enter reset and stay there."""

    def release(self, entry: int) -> None:
        """Leave reset and start from ``entry``."""

    def map_window(self, base: int, memory: str | None, offset: int) -> None:
        """Show ``memory`` from ``offset`` at the core's window at ``base`` (read-only), or
        the window's own memory again when ``memory`` is None."""


class ResetLine:
    def __init__(self, name: str) -> None:
        self.name = name
        self._targets: list[ResetTarget] = []

    def connect(self, target: ResetTarget) -> None:
        self._targets.append(target)

    def release(self, entry: int) -> None:
        for target in self._targets:
            target.release(entry)

    def hold(self) -> None:
        for target in self._targets:
            target.hold()

    def map_window(self, base: int, memory: str | None, offset: int) -> None:
        for target in self._targets:
            target.map_window(base, memory, offset)
