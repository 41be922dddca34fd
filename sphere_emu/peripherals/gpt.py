"""MT3620 general-purpose timers (GPT0-GPT4) of an IO core, counting in virtual time.

No counter is ever stepped. Each is a ``Counter``: the value it had at an anchor time and a
rate; a read computes the value at the current virtual time (the reading core's exact time
within a time slice: see ``Peripheral.now_ns``). Expiries and compare matches are clock
events, cancelled and rescheduled whenever the guest reconfigures the timer.

- GPT0, GPT1: count down from ICNT at ~1 kHz (32768/33 Hz) or 32.768 kHz; reaching 0 sets
  their GPT_ISR bit; the shared ``gpt01`` line is high while (ISR & IER) != 0. One-shot mode
  stops at 0; repeat mode reloads ICNT (period = ICNT ticks).
- GPT2: free-running up-counter at ~1 kHz or 32.768 kHz; writing GPT2_CNT sets the count.
- GPT3: counts up from GPT3_INIT at 26 MHz / (OSC_CNT_1US + 1); each time the count reaches
  GPT3_EXPIRE it pulses ``gpt3``.
- GPT4: counts up from GPT4_INIT at HCLK (SPEED=1) or HCLK/2 (SPEED=0); no interrupt.

Where the public record is silent the choices are documented in docs/peripherals.md (GPT).
"""

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..clock import Event
from ..units import parse_frequency_hz
from .registers import RO, W1C, Field, Peripheral, PeripheralContext, Register

NS_PER_S = 1_000_000_000
MASK32 = 0xFFFFFFFF

HIGH_SPEED_HZ = Fraction(32768)
LOW_SPEED_HZ = Fraction(32768, 33)  # "1 kHz": 992.97 Hz
REF_CLOCK_HZ = 26_000_000  # GPT3's source
DEFAULT_HCLK_HZ = 197_600_000  # GPT4's source: the IO core clock

# Fields (each is also its bits' named constant: ``EN.mask``).
EN, REPEAT, SPEED, RESTART = Field("EN", 0), Field("REPEAT", 1), Field("SPEED", 2), Field(
    "RESTART", 3)  # GPT0/1_CTRL
SPEED_2_4 = Field("SPEED", 1)  # GPT2/4_CTRL
OSC_CNT = Field("OSC_CNT_1US", 16, 6, reset=0x19)  # GPT3_CTRL: 26 MHz / 26 = 1 MHz

@dataclass
class Counter:
    """A counter that is ``value`` at ``since_ns`` and moves ``rate`` ticks per second.

    ``run`` keeps the rate as integers (ticks = elapsed ns * num // den_ns): a counter read
    is on the polling path, where ``Fraction`` arithmetic cost more than the rest of it.
    """

    value: int = 0
    since_ns: int = 0
    rate: Fraction = Fraction(0)  # 0: stopped
    down: bool = False
    num: int = 0
    den_ns: int = 1

    def ticks(self, now_ns: int) -> int:
        return (now_ns - self.since_ns) * self.num // self.den_ns

    def read(self, now_ns: int) -> int:
        t = (now_ns - self.since_ns) * self.num // self.den_ns
        return max(self.value - t, 0) if self.down else (self.value + t) & MASK32

    def run(self, value: int, now_ns: int, rate: Fraction) -> None:
        self.value, self.since_ns, self.rate = value, now_ns, rate
        self.num, self.den_ns = rate.numerator, rate.denominator * NS_PER_S

    def stop(self, now_ns: int) -> None:
        self.run(self.read(now_ns), now_ns, Fraction(0))

    def time_after(self, ticks: int) -> int:
        """The virtual time at which ``ticks`` ticks have elapsed since the anchor."""
        return self.since_ns + -(-ticks * self.den_ns // self.num)


class Mt3620Gpt(Peripheral):
    TYPE = "mt3620-gpt"
    STATE = ("counters", "expired", "_events", "_due_tick", "_match_tick")
    IRQS = ("gpt01", "gpt3")
    OPTIONS = {"hclk": parse_frequency_hz}  # GPT4's clock, default 197.6 MHz

    def registers(self) -> list[Register]:
        return [
            Register("GPT_ISR", 0x00, access=W1C, writable=0x3),
            Register("GPT_IER", 0x04, writable=0x3),
            Register("GPT{}_CTRL", 0x10, count=2, stride=0x10, writable=0xF,
                     write=self._write_ctrl_01),
            Register("GPT{}_ICNT", 0x14, count=2, stride=0x10, write=self._write_icnt_01),
            Register("GPT2_CTRL", 0x30, writable=0x3, write=self._write_gpt2_ctrl),
            Register("GPT2_CNT", 0x34, read=lambda: self.counters[2].read(self.now),
                     write=self._write_gpt2_cnt),
            Register("GPT{}_CNT", 0x40, count=2, access=RO,
                     read=lambda i: self.counters[i].read(self.now)),
            Register("GPT3_CTRL", 0x50, writable=EN.mask, fields=(OSC_CNT,),
                     write=self._write_gpt3_ctrl),
            Register("GPT3_INIT", 0x54),
            Register("GPT3_CNT", 0x58, access=RO, read=lambda: self.counters[3].read(self.now)),
            Register("GPT3_EXPIRE", 0x5C, write=self._write_gpt3_expire),
            Register("GPT4_CTRL", 0x60, writable=0x3, write=self._write_gpt4_ctrl),
            Register("GPT4_INIT", 0x64),
            Register("GPT4_CNT", 0x68, access=RO, read=lambda: self.counters[4].read(self.now)),
        ]

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.hclk_hz: int = ctx.options.get("hclk", DEFAULT_HCLK_HZ)
        self.counters: list[Counter] = []
        self.expired = [False, False]  # GPT0/1 one-shot finished: holds at 0
        self._events: dict[int, Event] = {}  # timer index -> its pending expiry/match
        self._due_tick = [0, 0]  # GPT0/1: ticks after their anchor at which they expire
        self._match_tick = 0  # GPT3: ticks after its anchor at which the count hits EXPIRE
        super().__init__(name, ctx)

    def reset(self) -> None:
        super().reset()
        for event in self._events.values():
            event.cancel()
        self._events.clear()
        self.counters = [Counter(down=True), Counter(down=True), Counter(), Counter(), Counter()]
        self.expired = [False, False]
        self.update()

    def update(self) -> None:
        self.irqs["gpt01"].set(bool(self.regs["GPT_ISR"] & self.regs["GPT_IER"]))

    @property
    def now(self) -> int:
        return self.now_ns()

    def _schedule(self, index: int, ticks: int, callback: Callable[..., None], *args: int
                  ) -> None:
        self._cancel(index)
        self._events[index] = self.clock.schedule_at(
            self.counters[index].time_after(ticks), callback, *args)

    def _cancel(self, index: int) -> None:
        event = self._events.pop(index, None)
        if event is not None:
            event.cancel()

    def _set_rate(self, index: int, rate: Fraction) -> bool:
        """Count on from the current value at ``rate``; False if the rate did not change."""
        counter = self.counters[index]
        if counter.rate == rate:
            return False  # re-anchoring would lose the phase within the current tick
        counter.run(counter.read(self.now), self.now, rate)
        return True

    # -- GPT0 / GPT1: down-counters with an interrupt ----------------------------------
    def _speed_01(self, ctrl: int) -> Fraction:
        return HIGH_SPEED_HZ if ctrl & SPEED.mask else LOW_SPEED_HZ

    def _start_down(self, i: int, count: int) -> None:
        counter = self.counters[i]
        counter.run(count, self.now, self._speed_01(self.regs[f"GPT{i}_CTRL"]))
        self.expired[i] = False
        # A count of 0 still takes one tick: a zero-length period would never let time move.
        self._due_tick[i] = max(count, 1)
        self._schedule(i, self._due_tick[i], self._expire, i)

    def _expire(self, i: int) -> None:
        self._events.pop(i, None)
        self.regs["GPT_ISR"] |= 1 << i
        counter = self.counters[i]
        if self.regs[f"GPT{i}_CTRL"] & REPEAT.mask:
            # Reload against the same anchor, so periods are exact and never drift.
            icnt = self.regs[f"GPT{i}_ICNT"]
            counter.value = self._due_tick[i] + icnt
            self._due_tick[i] += max(icnt, 1)
            self._schedule(i, self._due_tick[i], self._expire, i)
        else:
            counter.run(0, self.now, Fraction(0))
            self.expired[i] = True
        self.update()

    def _write_ctrl_01(self, i: int, value: int) -> None:
        name = f"GPT{i}_CTRL"
        old = self.regs[name]
        was_enabled = bool(old & EN.mask)
        self.regs[name] = value & 0xF
        if not value & EN.mask:
            self._cancel(i)
            self.counters[i].stop(self.now)
        elif value & RESTART.mask or (not was_enabled and self.expired[i]):
            self._start_down(i, self.regs[f"GPT{i}_ICNT"])
        elif self.expired[i]:
            pass  # a finished one-shot stays at 0 until restarted
        elif not was_enabled or (old ^ value) & SPEED.mask:
            # Resume from the held count, or count on from here at the new speed.
            self._start_down(i, self.counters[i].read(self.now))
        # Otherwise it keeps running undisturbed; MODE is looked at when it expires.

    def _write_icnt_01(self, i: int, value: int) -> None:
        self.regs[f"GPT{i}_ICNT"] = value & MASK32
        if not self.regs[f"GPT{i}_CTRL"] & EN.mask:
            self.counters[i].run(value & MASK32, self.now, Fraction(0))
            self.expired[i] = False

    # -- GPT2: free-running up-counter ---------------------------------------------------
    def _gpt2_rate(self) -> Fraction:
        ctrl = self.regs["GPT2_CTRL"]
        if not ctrl & EN.mask:
            return Fraction(0)
        return HIGH_SPEED_HZ if ctrl & SPEED_2_4.mask else LOW_SPEED_HZ

    def _write_gpt2_ctrl(self, value: int) -> None:
        self.regs["GPT2_CTRL"] = value & 0x3
        self._set_rate(2, self._gpt2_rate())

    def _write_gpt2_cnt(self, value: int) -> None:
        self.counters[2].run(value & MASK32, self.now, self._gpt2_rate())

    # -- GPT3: up-counter with a compare match ---------------------------------------------
    def _gpt3_rate(self) -> Fraction:
        return Fraction(REF_CLOCK_HZ, OSC_CNT.get(self.regs["GPT3_CTRL"]) + 1)

    def _schedule_match(self) -> None:
        counter = self.counters[3]
        distance = (self.regs["GPT3_EXPIRE"] - counter.read(self.now)) & MASK32
        self._match_tick = counter.ticks(self.now) + distance
        self._schedule(3, self._match_tick, self._match)

    def _match(self) -> None:
        self._events.pop(3, None)
        self.irqs["gpt3"].pulse()
        self._match_tick += 1 << 32  # the count comes round to EXPIRE again after a wrap
        self._schedule(3, self._match_tick, self._match)

    def _write_gpt3_ctrl(self, value: int) -> None:
        was_enabled = bool(self.regs["GPT3_CTRL"] & EN.mask)
        self.regs["GPT3_CTRL"] = value & (EN.mask | OSC_CNT.mask)
        if not value & EN.mask:
            self._cancel(3)
            self.counters[3].stop(self.now)
        elif not was_enabled:
            self.counters[3].run(self.regs["GPT3_INIT"], self.now, self._gpt3_rate())
            self._schedule_match()
        elif self._set_rate(3, self._gpt3_rate()):
            self._schedule_match()

    def _write_gpt3_expire(self, value: int) -> None:
        self.regs["GPT3_EXPIRE"] = value & MASK32
        if self.regs["GPT3_CTRL"] & EN.mask:
            self._schedule_match()

    # -- GPT4: up-counter on the core clock ---------------------------------------------
    def _write_gpt4_ctrl(self, value: int) -> None:
        was_enabled = bool(self.regs["GPT4_CTRL"] & EN.mask)
        self.regs["GPT4_CTRL"] = value & 0x3
        if not value & EN.mask:
            self.counters[4].stop(self.now)
            return
        rate = Fraction(self.hclk_hz, 1 if value & SPEED_2_4.mask else 2)
        if was_enabled:
            self._set_rate(4, rate)
        else:
            self.counters[4].run(self.regs["GPT4_INIT"], self.now, rate)

    # -- snapshots ---------------------------------------------------------------------
    def time_sources(self) -> dict[int, Any]:
        """The up-counters a busy-wait may poll, by register offset (engine/busywait.py)."""
        return {0x34: lambda: self.counters[2], 0x58: lambda: self.counters[3],
                0x68: lambda: self.counters[4]}
