"""MT3620 IO-core watchdog (0x21020000, one per IO core).

Every MODE write must carry key 0x22 in bits 15:8 and every LENGTH write key 0x08 in bits
4:0; writes without their key are ignored (and logged). The counter runs while MODE.ENABLE,
expiring LENGTH[15:5] ticks of 1/32 s after the last RESTART (0x1971), enable or LENGTH
write. On expiry in interrupt mode (MODE.IRQ) the watchdog interrupt is pulsed and the
count starts again; in reset mode the core is reset: it restarts from its boot vector table
with memory kept, WDT_STA reads 0x8000 (hardware timeout) afterwards, and the reset is
reported on stderr with the core's name and the virtual time. SWRST (0x1209) resets at once
with WDT_STA 0x4000. The watchdog itself is reset with its core except for WDT_STA.
"""

import logging
from typing import Any, ClassVar

from ..clock import Event
from ..reset import ResetLine
from ..units import format_ns
from .registers import RO, WO, Peripheral, PeripheralContext, Register

log = logging.getLogger("sphere_emu.watchdog")

TICK_NS = 1_000_000_000 // 32
MODE_KEY, LENGTH_KEY, RESTART_KEY, SWRST_KEY = 0x22, 0x08, 0x1971, 0x1209
ENABLE, IRQ_MODE, IRQ_OTHER = 0x01, 0x08, 0x10
STA_HW, STA_SW = 0x8000, 0x4000


class Mt3620Wdt(Peripheral):
    TYPE = "mt3620-wdt"
    STATE = ("_status", "_expiry")
    IRQS = ("irq",)
    RESETS: ClassVar[tuple[str, ...]] = ("core",)
    SIZE = 0x1000

    def registers(self) -> list[Register]:
        return [
            Register("WDT_MODE", 0x30, write=self._write_mode),
            Register("WDT_LENGTH", 0x34, reset=0x7FF << 5, write=self._write_length),
            Register("WDT_RESTART", 0x38, access=WO, write=self._write_restart),
            Register("WDT_STA", 0x3C, access=RO, read=lambda: self._status),
            Register("WDT_INTERVAL", 0x40, access=RO,
                     read=lambda: self.regs["WDT_LENGTH"] >> 5),
            Register("WDT_SWRST", 0x44, access=WO, write=self._write_swrst),
            Register("WDT_SWINT", 0x80),
        ]

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.resets = {line: ResetLine(f"{name}.{line}") for line in self.RESETS}
        self.core_name = name
        self._expiry: Event | None = None
        self._status = 0  # survives the core reset it causes
        super().__init__(name, ctx)

    def attach_core(self, core: Any) -> None:
        self.core_name = core.name

    def reset(self) -> None:
        super().reset()
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None

    # -- counting ----------------------------------------------------------------------
    def _restart(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        if self.regs["WDT_MODE"] & ENABLE:
            ticks = max(1, self.regs["WDT_LENGTH"] >> 5)
            self._expiry = self.clock.schedule_at(self.now_ns() + ticks * TICK_NS, self._expire)

    def _expire(self) -> None:
        self._expiry = None
        if self.regs["WDT_MODE"] & IRQ_MODE:
            self.irqs["irq"].pulse()
            self._restart()
            return
        self._reset_core(STA_HW, "timeout")

    def _reset_core(self, status: int, why: str) -> None:
        log.warning("%s: watchdog %s reset at %s", self.core_name, why,
                    format_ns(self.now_ns()))
        self.reset()
        self._status = status
        self.resets["core"].release(0)

    # -- registers ---------------------------------------------------------------------
    def _write_mode(self, value: int) -> None:
        if (value >> 8) & 0xFF != MODE_KEY:
            self.guest_error(f"WDT_MODE write {value:#x} without key 0x22: ignored")
            return
        self.regs["WDT_MODE"] = value & (ENABLE | IRQ_MODE | IRQ_OTHER)
        self._restart()

    def _write_length(self, value: int) -> None:
        if value & 0x1F != LENGTH_KEY:
            self.guest_error(f"WDT_LENGTH write {value:#x} without key 0x08: ignored")
            return
        self.regs["WDT_LENGTH"] = value & 0xFFE0
        self._restart()

    def _write_restart(self, value: int) -> None:
        if value == RESTART_KEY:
            self._restart()
        else:
            self.guest_error(f"WDT_RESTART write {value:#x} is not the key 0x1971: ignored")

    def _write_swrst(self, value: int) -> None:
        if value == SWRST_KEY:
            self._reset_core(STA_SW, "software")
        else:
            self.guest_error(f"WDT_SWRST write {value:#x} is not the key 0x1209: ignored")
