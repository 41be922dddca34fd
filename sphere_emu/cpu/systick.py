"""The ARMv7-M SysTick timer, in virtual time.

The 24-bit counter is never stepped. Its value is computed from virtual time when it is
read, relative to an anchor (the tick at which it last held a known value), so a counter
at 197.6 MHz costs nothing while the core runs. "Now" is the core's own time (``now``):
within a time slice it counts the instructions the core has retired, so busy-waiting on
SYST_CVR works at instruction resolution. A clock event is kept at the next 1 -> 0
transition only while TICKINT asks for an exception; COUNTFLAG is derived from the same
arithmetic when it is read.

Counting follows the ARMv7-M ARM: each tick decrements the counter; a tick that finds it
at 0 reloads SYST_RVR instead. The transition from 1 to 0 sets COUNTFLAG and, with TICKINT,
pends SysTick; a reload value of 0 stops it there. There is no reference clock
(SYST_CALIB.NOREF), so CLKSOURCE reads as 1 and the counter runs at the core clock.
"""

from collections.abc import Callable

from ..clock import Clock, Event

CSR_ENABLE = 1 << 0
CSR_TICKINT = 1 << 1
CSR_CLKSOURCE = 1 << 2
CSR_COUNTFLAG = 1 << 16
COUNTER_MASK = 0xFFFFFF
CALIB = (1 << 31) | (1 << 30)  # NOREF, SKEW; TENMS = 0 (not known)
NS_PER_S = 1_000_000_000


class SysTick:
    def __init__(self, clock: Clock, frequency_hz: int, fire: Callable[[], None],
                 now: Callable[[], int]) -> None:
        self.clock = clock
        self.frequency_hz = frequency_hz
        self._fire = fire  # pends the SysTick exception
        self._now = now
        self._event: Event | None = None
        self.reset()

    def reset(self) -> None:
        if self._event is not None:
            self._event.cancel()
        self._event = None
        self.enabled = False
        self.tickint = False
        self.reload = 0
        self._anchor_ns = self._now()  # time of tick 0
        self._base_tick = 0  # the counter held ``_base_value`` at this tick
        self._base_value = 0
        self._flag_since = 0  # COUNTFLAG: a 1 -> 0 transition after this tick
        self._flag_latched = False

    # -- registers -----------------------------------------------------------------------
    def read_csr(self) -> int:
        value = self.peek_csr()
        self._flag_latched = False
        self._flag_since = self._now_tick()
        return value

    def peek_csr(self) -> int:
        value = CSR_CLKSOURCE
        value |= CSR_ENABLE if self.enabled else 0
        value |= CSR_TICKINT if self.tickint else 0
        return value | (CSR_COUNTFLAG if self._countflag() else 0)

    def write_csr(self, value: int) -> None:
        enable = bool(value & CSR_ENABLE)
        self.tickint = bool(value & CSR_TICKINT)
        if enable and not self.enabled:
            held = self._base_value
            self._anchor_ns = self._now()
            self._base_tick = self._flag_since = 0
            self._base_value = held
        elif self.enabled and not enable:
            self._rebase(self._value_at(self._now_tick()))
        self.enabled = enable
        self._schedule()

    def read_cvr(self) -> int:
        return self._value_at(self._now_tick()) if self.enabled else self._base_value

    def write_cvr(self, _value: int) -> None:
        """Any write clears the counter and COUNTFLAG; the next tick reloads."""
        self._rebase(0)
        self._flag_latched = False
        self._schedule()

    def write_rvr(self, value: int) -> None:
        if self.enabled:
            self._rebase(self._value_at(self._now_tick()))
        self.reload = value & COUNTER_MASK
        self._schedule()

    # -- counter arithmetic --------------------------------------------------------------
    def _now_tick(self) -> int:
        return (self._now() - self._anchor_ns) * self.frequency_hz // NS_PER_S

    def _tick_time_ns(self, tick: int) -> int:
        return self._anchor_ns + -(-tick * NS_PER_S // self.frequency_hz)

    def _value_at(self, tick: int) -> int:
        elapsed = tick - self._base_tick
        if elapsed <= self._base_value:
            return self._base_value - elapsed
        period = self.reload + 1
        into = (elapsed - self._base_value) % period
        return 0 if into == 0 else period - into

    def _next_zero_after(self, tick: int) -> int | None:
        """The first tick after ``tick`` at which the counter goes from 1 to 0."""
        period = self.reload + 1
        first = self._base_value if self._base_value else (period if self.reload else None)
        if first is None:
            return None
        elapsed = tick - self._base_tick
        if elapsed < first:
            return self._base_tick + first
        if not self.reload:
            return None
        return self._base_tick + first + ((elapsed - first) // period + 1) * period

    def _countflag(self) -> bool:
        if self._flag_latched:
            return True
        if not self.enabled:
            return False
        zero = self._next_zero_after(self._flag_since)
        return zero is not None and zero <= self._now_tick()

    def next_countflag_ns(self) -> int | None:
        """When COUNTFLAG next sets (None: it is set, or stopped: only writes change it)."""
        if self._flag_latched or not self.enabled:
            return None
        zero = self._next_zero_after(self._flag_since)
        return None if zero is None else self._tick_time_ns(zero)

    def _rebase(self, value: int) -> None:
        now = self._now_tick() if self.enabled else self._base_tick
        self._flag_latched = self._countflag()
        self._base_tick = self._flag_since = now
        self._base_value = value

    # -- busy-wait fast-forward (engine/busywait.py) --------------------------------------
    @property
    def down(self) -> bool:
        return True  # SYST_CVR as a time source: a down-counter that reloads at 0

    @property
    def num(self) -> int:
        return self.frequency_hz if self.enabled else 0  # 0: stopped

    def read(self, now_ns: int) -> int:
        """SYST_CVR at virtual time ``now_ns`` (between writes)."""
        return self._value_at(self.ticks(now_ns)) if self.enabled else self._base_value

    def ticks(self, now_ns: int) -> int:
        return (now_ns - self._anchor_ns) * self.frequency_hz // NS_PER_S

    def time_after(self, ticks: int) -> int:
        return self._tick_time_ns(ticks)

    # -- the exception -------------------------------------------------------------------
    def _schedule(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        if not (self.enabled and self.tickint):
            return
        zero = self._next_zero_after(self._now_tick())
        if zero is not None:
            self._event = self.clock.schedule_at(self._tick_time_ns(zero), self._expired)

    def _expired(self) -> None:
        self._event = None
        self._fire()
        self._schedule()
