"""The GPIO counter of a GPIO group ("GPIOIF", group + 0x100): an event counter on the
group's first pad, enough for MediaTek's driver to count edges.

Modelled: the event counter (DYNAMIC_CTRL0 bit0 enable, bit16 software reset to RST_VAL),
counting the edges STATIC_CTRL3 bits 17:16 select (0 rising, 1 falling, 2 both — our
reading of the field, the public record names it only), saturating at HIGH_LIMIT when that
is nonzero and then setting INT_STS bit1 (high limit); the counter interrupt is INT_STS &
INT_EN; writing 1 to INT_STS_CLR clears those status bits. The counter follows its pad only
while counting, so an unused counter costs nothing per edge.

Stored only (no behaviour): deglitch (STATIC_CTRL0-2), capture counters and FIFOs, the
quadrature/direction modes, debug registers.
"""

from collections.abc import Callable
from typing import Any

from ..pins import Pin
from .registers import RO, Register

EVENT_EN, CAPTURE_EN = 1 << 0, 1 << 1
EVENT_SW_RST, CAPTURE_SW_RST = 1 << 16, 1 << 17
EDGE_SHIFT, EDGE_MASK = 16, 0x3 << 16
HIGH_LIMIT_STS = 1 << 1
RISING, FALLING, BOTH = 0, 1, 2


class GpioCounter:
    def __init__(self, block: Any, pad: Pin) -> None:
        self.block = block
        self.pad = pad
        self.value = 0
        self._unwatch: Callable[[], None] | None = None
        self._level = 0

    def registers(self) -> list[Register]:
        return [
            Register("STATIC_CTRL{}", 0x100, count=4),
            Register("DYNAMIC_CTRL0", 0x110, write=self._write_dynamic),
            Register("RST_VAL", 0x120),
            Register("LOW_LIMIT", 0x124),
            Register("HIGH_LIMIT", 0x128),
            Register("INT_EN", 0x130),
            Register("INT_STS_CLR", 0x134, write=self._write_clear),
            Register("INT_STS", 0x138, access=RO),
            Register("CAP_FIFO_STS", 0x140, access=RO),
            Register("CAP_VALUE_0", 0x144, access=RO),
            Register("CAP_VALUE_1", 0x148, access=RO),
            Register("COUNTER_VALUE", 0x14C, access=RO, read=lambda: self.value),
            Register("DBG_CTRL", 0x150),
            Register("DBG_OUT", 0x154, access=RO),
        ]

    @property
    def interrupt(self) -> bool:
        regs = self.block.regs
        return bool(regs["INT_STS"] & regs["INT_EN"])

    def reset(self) -> None:
        self.value = 0
        self._follow(False)

    def _write_dynamic(self, value: int) -> None:
        regs = self.block.regs
        if value & EVENT_SW_RST:
            self.value = regs["RST_VAL"]
        regs["DYNAMIC_CTRL0"] = value & ~(EVENT_SW_RST | CAPTURE_SW_RST)
        self._follow(bool(value & EVENT_EN) and not value & EVENT_SW_RST)

    def _write_clear(self, value: int) -> None:
        regs = self.block.regs
        regs["INT_STS_CLR"] = value
        regs["INT_STS"] &= ~value

    def snapshot(self) -> dict[str, Any]:
        return {"value": self.value, "level": self._level, "following": self._unwatch is not None}

    def restore(self, state: dict[str, Any]) -> None:
        self._follow(False)
        self.value, self._level = state["value"], state["level"]
        if state["following"]:
            self._unwatch = self.pad.watch(self._edge, restoring=True)

    def _follow(self, on: bool) -> None:
        if on and self._unwatch is None:
            self._level = self.pad.level_at(self.block.access_time())
            self._unwatch = self.pad.watch(self._edge)
        elif not on and self._unwatch is not None:
            self._unwatch()
            self._unwatch = None

    def _edge(self, _pad: Pin, _time_ns: int, level: int) -> None:
        rising = level > self._level
        self._level = level
        edge = (self.block.regs["STATIC_CTRL3"] & EDGE_MASK) >> EDGE_SHIFT
        if edge == BOTH or (edge == RISING) == rising:
            high = self.block.regs["HIGH_LIMIT"]
            if high and self.value >= high:
                return
            self.value = (self.value + 1) & 0xFFFFFFFF
            if high and self.value == high:
                self.block.regs["INT_STS"] |= HIGH_LIMIT_STS
                self.block.update()
