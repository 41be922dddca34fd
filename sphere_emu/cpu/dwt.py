"""The ARMv7-M Data Watchpoint and Trace unit of an IO core, as RTOS ports use it.

The 4 KiB at 0xE0001000. What runtimes need from it (reference §11.2): ThreadX's port does
a read-modify-write of DWT_CTRL to set CYCCNTENA at start-up, FreeRTOS trace and delay
helpers read DWT_CYCCNT, some ports unlock LAR first. So:

- DWT_CTRL reads NUMCOMP = 4 (the Cortex-M4's comparators) with every counter implemented;
  CYCCNTENA is the only control bit with behaviour.
- DWT_CYCCNT counts the core's clock cycles while CYCCNTENA and DEMCR.TRCENA are both set.
  It is never stepped: like SysTick, its value is derived when read from the core's exact
  virtual time (``now``) relative to an anchor, so a counting CYCCNT costs nothing while
  the core runs. One retired instruction is one cycle (the engine's timing model), and the
  clock keeps running while the core sleeps in WFI, so a delay measured with CYCCNT equals
  the virtual time it took. CYCCNT is a time source for the engine's busy-wait
  fast-forward: ``while (DWT_CYCCNT - t0 < n) {}`` is skipped exactly.
- The profiling counters (CPI, exception, sleep, LSU, fold) and PCSR read 0; the
  comparators, masks and functions are stored but never match (no watchpoint or trace
  output is modelled: a debugger's watchpoints go through the GDB stub instead).
- The CoreSight lock (LAR/LSR): LSR reads 0, "software lock not implemented", as on a
  Cortex-M4 seen from its own core; a port that writes the unlock key to LAR is accepted.

Only privileged code may access the DWT; an unprivileged access is a bus error.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..peripherals.registers import RO, WO, BusAccess, Peripheral, PeripheralContext, Register

DWT_BASE, DWT_SIZE = 0xE0001000, 0x1000
NS_PER_S = 1_000_000_000
MASK32 = 0xFFFFFFFF

CTRL_CYCCNTENA = 1 << 0
CTRL_NUMCOMP_4 = 4 << 28
CTRL_WRITABLE = 0x007F1FFF  # the enable bits and counter controls; NUMCOMP/NOxxx are RO
DEMCR_TRCENA = 1 << 24
_CYCCNT = 0x004


class DwtOwner(Protocol):
    """What the DWT asks of its core."""

    def demcr(self) -> int: ...

    def ppb_refused(self, address: int, is_write: bool) -> int: ...


@dataclass
class CycleCounter:
    """CYCCNT: ``value`` at ``since_ns``, counting ``num`` cycles per second (0: stopped).

    The busy-wait fast-forward reads it through the same protocol as a GPT counter
    (``engine/busywait.py``: ``down``, ``num``, ``read``, ``ticks``, ``time_after``).
    """

    value: int = 0
    since_ns: int = 0
    num: int = 0
    down: bool = False

    def ticks(self, now_ns: int) -> int:
        return (now_ns - self.since_ns) * self.num // NS_PER_S

    def read(self, now_ns: int) -> int:
        return (self.value + self.ticks(now_ns)) & MASK32

    def run(self, value: int, now_ns: int, hz: int) -> None:
        self.value, self.since_ns, self.num = value & MASK32, now_ns, hz

    def time_after(self, ticks: int) -> int:
        """The virtual time at which ``ticks`` cycles have elapsed since the anchor."""
        return self.since_ns + -(-ticks * NS_PER_S // self.num)


class DataWatchpointTrace(Peripheral):
    """DWT_CTRL and a lazily derived DWT_CYCCNT of one core (see the module docstring)."""

    TYPE = "armv7m-dwt"
    SIZE = DWT_SIZE
    STATE = ("cycles",)  # the snapshot's CYCCNT anchor (snapshot.py)

    def __init__(self, name: str, core: DwtOwner, frequency_hz: int,
                 now: Callable[[], int], ctx: PeripheralContext) -> None:
        self.core = core
        self.frequency_hz = frequency_hz
        self.now_ns = now
        self.cycles = CycleCounter()
        super().__init__(name, ctx)
        self.now_ns = now  # the base class set the clock's slice-granular time

    def registers(self) -> list[Register]:
        regs = [
            Register("DWT_CTRL", 0x000, reset=CTRL_NUMCOMP_4, writable=CTRL_WRITABLE,
                     write=self._write_ctrl),
            Register("DWT_CYCCNT", _CYCCNT, read=self._read_cyccnt, write=self._write_cyccnt),
            Register("DWT_CPICNT", 0x008, writable=0xFF),
            Register("DWT_EXCCNT", 0x00C, writable=0xFF),
            Register("DWT_SLEEPCNT", 0x010, writable=0xFF),
            Register("DWT_LSUCNT", 0x014, writable=0xFF),
            Register("DWT_FOLDCNT", 0x018, writable=0xFF),
            Register("DWT_PCSR", 0x01C, access=RO),
            Register("DWT_COMP{}", 0x020, count=4, stride=0x10),
            Register("DWT_MASK{}", 0x024, count=4, stride=0x10, writable=0x1F),
            Register("DWT_FUNCTION{}", 0x028, count=4, stride=0x10, writable=0x000F1BEF),
            Register("DWT_LAR", 0xFB0, access=WO),
            Register("DWT_LSR", 0xFB4, access=RO),
        ]
        # CoreSight identification of the ARMv7-M DWT (Cortex-M4 TRM values)
        for i, value in enumerate((0x04, 0x00, 0x00, 0x00, 0x02, 0xB0, 0x3B, 0x00,
                                   0x0D, 0xE0, 0x05, 0xB1)):
            name = f"DWT_PID{(i + 4) % 8}" if i < 8 else f"DWT_CID{i - 8}"
            regs.append(Register(name, 0xFD0 + 4 * i, reset=value, access=RO))
        return regs

    def reset(self) -> None:
        super().reset()
        self.cycles = CycleCounter()

    # -- counting ------------------------------------------------------------------------
    def counting(self) -> bool:
        return bool(self.regs["DWT_CTRL"] & CTRL_CYCCNTENA and self.core.demcr() & DEMCR_TRCENA)

    def retime(self) -> None:
        """Start or stop CYCCNT after CYCCNTENA or DEMCR.TRCENA changed (held value kept)."""
        now = self.now_ns()
        self.cycles.run(self.cycles.read(now), now, self.frequency_hz if self.counting() else 0)

    def _write_ctrl(self, value: int) -> None:
        regs = self.regs
        regs["DWT_CTRL"] = (regs["DWT_CTRL"] & ~CTRL_WRITABLE) | (value & CTRL_WRITABLE)
        self.retime()

    def _read_cyccnt(self) -> int:
        return self.cycles.read(self.now_ns())

    def _write_cyccnt(self, value: int) -> None:
        now = self.now_ns()
        self.cycles.run(value, now, self.cycles.num)

    def time_sources(self) -> dict[int, Any]:
        """CYCCNT, for busy-waits polling it (engine/busywait.py)."""
        return {_CYCCNT: lambda: self.cycles}

    # -- bus side ------------------------------------------------------------------------
    def read(self, offset: int, size: int, access: BusAccess) -> int:
        if not access.privileged:
            return self.core.ppb_refused(DWT_BASE + offset, False)
        return super().read(offset, size, access)

    def write(self, offset: int, size: int, value: int, access: BusAccess) -> None:
        if not access.privileged:
            self.core.ppb_refused(DWT_BASE + offset, True)
            return
        super().write(offset, size, value, access)
