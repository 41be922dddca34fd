"""Ending a counted run right after the MMIO access in progress, without doing it twice.

When a register access makes an interrupt takeable (an NVIC enable, a GIC write, a timer
line raised by the access), the core must stop before the next instruction. Unicorn's
``emu_stop`` inside an MMIO callback abandons the instruction, which then runs again when
the core resumes. The access has already had its effect, so the repeat is served from a
record instead of touching the peripheral twice (a FIFO read would lose a byte).

Inside a Thumb IT block Unicorn does not abandon the instruction on ``emu_stop``; it
finishes the block and stops after it, so there is nothing to replay: ``settle`` tells the
two cases apart by where the PC ended.
"""

from collections.abc import Callable


class AccessCut:
    """One core's pending cut: set by the core, served by its address maps."""

    def __init__(self, stop: Callable[[], None]) -> None:
        self._stop = stop  # emu_stop of the instance running now
        self.armed = False  # stop after the next access completes
        self.pc: int | None = None  # the instruction whose access was cut
        self.record: tuple[bool, int, int] | None = None  # (write, address, value) to replay

    @property
    def pending(self) -> bool:
        return self.pc is not None

    def request(self, pc: int) -> None:
        """Stop the run after the MMIO access the instruction at ``pc`` is making."""
        if self.pc is None:
            self.pc = pc
            self.armed = True

    def after_access(self, is_write: bool, address: int, value: int) -> None:
        """Called by the bus after an access while ``armed``: record it and stop."""
        self.armed = False
        self.record = (is_write, address, value)
        self._stop()

    def replay(self, is_write: bool, address: int) -> tuple[bool, int]:
        """(True, value) when this access is the repeat of the recorded one."""
        record, self.record = self.record, None
        if record is not None and record[0] == is_write and record[1] == address:
            return True, record[2]
        return False, 0

    def cancel(self) -> None:
        self.armed = False
        self.record = None
        self.pc = None

    def settle(self, pc: int) -> bool:
        """After the run: True if the cut instruction was abandoned at ``pc`` and must run
        once more (its access answered by the record); otherwise the cut is forgotten."""
        stopped_at, self.pc = self.pc, None
        self.armed = False
        if stopped_at is not None and pc == stopped_at:
            return True
        self.record = None
        return False
