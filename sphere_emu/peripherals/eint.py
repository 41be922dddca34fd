"""The IO core's IRQ-config block (0x21000000, one per IO core): external interrupts EINT0-23
from pads GPIO0-23 to NVIC lines 20-43, with debounce, polarity and edge/level sense.

Register offsets are MediaTek's (``nvic.h``; Codethink's struct is one word short from
0x360 on: correction C5). Per line n:

- DBNC_CON[n]: CNT (bits 3:0), PRESCALER (6:4), DUAL (7: both edges), POL (8), EN (9:
  debounce). POL = 1 means low level / falling edge, as MediaTek's OS-HAL programs it (its
  define names and Codethink's comment say the opposite: conflict K2, we follow the driver
  that runs).
- IRQ_SENS: bit (20 + n) 1 = level, 0 = edge.
- CFG_IRQ_DIS: bit (20 + n) masks the line before the NVIC.

Debounce is modelled in virtual time: with EN, a pad change counts only once the pad has
held the new level for CNT ticks of 8 kHz >> PRESCALER (CNT x 125 us x 2^PRESCALER), so the
interrupt comes exactly one debounce time after the last bounce, and shorter glitches never
reach the NVIC. An edge-sensed line pulses the NVIC input (pending until taken); a
level-sensed one holds it while the debounced pad is at the active level.

A line follows its pad from the first write of its DBNC_CON (both vendor drivers write it
when they register an EINT), so unused lines cost nothing per pad edge. WIC, test and
soft-reset registers are stored without behaviour.
"""

from collections.abc import Callable
from typing import Any

from ..clock import Event
from ..pins import Pin
from ..snapshot import capture
from .registers import RO, Field, Peripheral, PeripheralContext, Register

LINES = 24
FIRST_NVIC = 20
CNT = Field("CNT", 0, 4)
PRESCALER = Field("PRESCALER", 4, 3)
DUAL = Field("DUAL", 7)
POL = Field("POL", 8)
EN = Field("EN", 9)
DEBOUNCE_TICK_NS = 125_000  # one tick of the 8 kHz debounce clock


class Mt3620IrqConfig(Peripheral):
    TYPE = "mt3620-irq-config"
    IRQS = tuple(f"eint{n}" for n in range(LINES))
    SIZE = 0x10000

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.pads: list[Pin] = [ctx.pins.pins[n] for n in range(LINES)]
        self.debounced = [0] * LINES  # each pad's level as the EINT logic has accepted it
        self._watching: list[Callable[[], None] | None] = [None] * LINES
        self._pending: list[Event | None] = [None] * LINES
        super().__init__(name, ctx)

    def registers(self) -> list[Register]:
        return [
            Register("DBNC_CON{}", 0x000, count=LINES, writable=0x3FF,
                     fields=(CNT, PRESCALER, DUAL, POL, EN), write=self._write_dbnc),
            Register("DBNC_CON_TEMP{}", 0x060, count=8),
            Register("IRQ_SENS{}", 0x200, count=4),
            Register("WIC_SWPEND_CR{}", 0x304, count=4),
            Register("WIC_SWEN_CR{}", 0x324, count=4),
            Register("WIC_SW_CON", 0x340, writable=0xF),
            Register("WIC_SW_CLR", 0x344, writable=0x1),
            Register("WIC_PEND_STA{}", 0x364, count=4, access=RO),
            Register("WIC_EN_STA{}", 0x384, count=4, access=RO),
            Register("WIC_WAKEUP_STA", 0x3A0, access=RO),
            Register("CFG_IRQ_DIS{}", 0x600, count=4),
            Register("CFG_WIC_DIS{}", 0x620, count=4),
            Register("CFG_IRQ_TEST{}", 0x700, count=4),
            Register("IRQ_TEST_CTL", 0x720, writable=0x1),
            Register("CFG_SOFT_RST", 0x900),
        ]

    # -- configuration ---------------------------------------------------------------
    def _write_dbnc(self, n: int, value: int) -> None:
        self.regs[f"DBNC_CON{n}"] = value & 0x3FF
        if self._watching[n] is None:
            self.debounced[n] = self.pads[n].level
            self._watch(n)

    def _watch(self, n: int, *, restoring: bool = False) -> None:
        self._watching[n] = self.pads[n].watch(
            lambda pad, time_ns, level: self._pad_changed(n, time_ns, level),
            restoring=restoring)

    def _bit(self, bank: str, n: int) -> bool:
        irq = FIRST_NVIC + n
        return bool(self.regs[f"{bank}{irq // 32}"] >> (irq % 32) & 1)

    def debounce_ns(self, n: int) -> int:
        con = self.regs[f"DBNC_CON{n}"]
        if not EN.get(con):
            return 0
        return CNT.get(con) * (DEBOUNCE_TICK_NS << PRESCALER.get(con))

    # -- the pads --------------------------------------------------------------------
    def _pad_changed(self, n: int, time_ns: int, level: int) -> None:
        pending = self._pending[n]
        if pending is not None:
            pending.cancel()
            self._pending[n] = None
        delay = self.debounce_ns(n)
        if not delay:
            self._accept(n, time_ns, level)
        elif level != self.debounced[n]:
            self._pending[n] = self.clock.schedule_at(time_ns + delay, self._settled, n,
                                                      time_ns + delay, level)

    def _settled(self, n: int, time_ns: int, level: int) -> None:
        self._pending[n] = None
        self._accept(n, time_ns, level)

    def _accept(self, n: int, time_ns: int, level: int) -> None:
        before = self.debounced[n]
        if level == before:
            return
        self.debounced[n] = level
        if self._bit("IRQ_SENS", n):
            self.update()
            return
        con = self.regs[f"DBNC_CON{n}"]
        falling = level < before
        if (DUAL.get(con) or falling == bool(POL.get(con))) and not self._bit("CFG_IRQ_DIS", n):
            self.irqs[f"eint{n}"].pulse()

    def update(self) -> None:
        for n in range(LINES):
            if self._watching[n] is None or not self._bit("IRQ_SENS", n):
                continue
            active = 0 if POL.get(self.regs[f"DBNC_CON{n}"]) else 1
            self.irqs[f"eint{n}"].set(self.debounced[n] == active
                                      and not self._bit("CFG_IRQ_DIS", n))

    def reset(self) -> None:
        super().reset()
        if getattr(self, "pads", None):
            for n in range(LINES):
                unwatch, self._watching[n] = self._watching[n], None
                if unwatch is not None:
                    unwatch()
                if self._pending[n] is not None:
                    self._pending[n].cancel()
                    self._pending[n] = None
                self.irqs[f"eint{n}"].set(False)

    # -- snapshots -----------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        return {**super().snapshot(), **capture(self, ("debounced", "_pending")),
                "watching": [w is not None for w in self._watching]}

    def restore(self, state: dict[str, Any]) -> None:
        state = dict(state)
        watching = state.pop("watching")
        for n, unwatch in enumerate(self._watching):
            if unwatch is not None:
                unwatch()
            self._watching[n] = None
            if watching[n]:
                self._watch(n, restoring=True)
        super().restore(state)
