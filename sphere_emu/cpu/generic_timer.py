"""The A7's ARM generic timer, in virtual time.

Unicorn's Cortex-A7 implements the timer registers (CNTPCT, CNTVCT, CNTP_*, CNTV_*,
CNTFRQ) natively, with three defects: its counter is the host's monotonic clock (QEMU's
``qemu_clock_get_ns`` calls ``get_clock()``, i.e. ``clock_gettime``), its timers never
fire, and writes to CNTP_CTL, CNTV_CTL and the CVAL registers are dropped (Unicorn
compiles the bodies of ``gt_ctl_write`` and ``gt_cval_write`` out; TVAL writes work).
Three things make the timer work, deterministically:

* ``a7_sites.py`` finds the MCR/MCRR instructions that write CTL or CVAL (and the MRCs
  that read CTL) in a code page when it is first fetched through the TLB; the core
  (``a7_watch.py``) acts right before each one executes and ``decode_timer_write`` tells it
  what a write stores, which it does with a raw register write before the no-op native
  instruction. Before a CTL read it brings ISTATUS up to the exact time of the read.

* The run engine points libunicorn's ``clock_gettime`` at virtual time while an A7
  instance runs (``engine/host_clock.py``). Counter reads, TVAL reads and TVAL writes
  inside the guest then see the virtual time of the very instruction that reads them.
* ``GenericTimers`` reads each comparator's CTL/CVAL at slice boundaries, when the GIC
  acknowledges an interrupt and at each CTL read or write, drives the timer PPIs from them
  and schedules a clock event for the next expiry, so a sleeping core wakes at the right
  virtual instant.

The counter ticks every ``COUNTER_PERIOD_NS`` (QEMU's fixed 62.5 MHz), and CNTFRQ resets to
that rate. CNTVOFF is zero (the A7 model has no Hyp mode), so CNTVCT equals CNTPCT.
"""

from dataclasses import dataclass

from unicorn import Uc

from ..clock import Clock, Event
from ..engine import CoprocessorRegister
from ..irq import InterruptController

COUNTER_PERIOD_NS = 16
CNTFRQ_HZ = 1_000_000_000 // COUNTER_PERIOD_NS

CTL_ENABLE = 1 << 0
CTL_IMASK = 1 << 1
CTL_ISTATUS = 1 << 2

# Unicorn's A7 has no EL3, so it runs in the Non-secure state of QEMU's model and the
# guest's MRC/MCR reach the Non-secure copies of banked registers: access those.
_NS_BANK = 0

# GIC PPI numbers of the A7 timers (the usual Cortex-A7 MPCore assignment).
PPI_VIRTUAL = 27
PPI_SECURE_PHYSICAL = 29
PPI_NONSECURE_PHYSICAL = 30


# --------------------------------------------------------------------------------------
# Coprocessor access to one world's Unicorn instance


@dataclass(frozen=True)
class _Comparator:
    ctl: tuple[int, int, int, int]  # (opc1, crn, crm, opc2) of the 32-bit CTL register
    cval_opc1: int  # MRRC p15, <opc1>, Rt, Rt2, c14


PHYSICAL = _Comparator(ctl=(0, 14, 2, 1), cval_opc1=2)
VIRTUAL = _Comparator(ctl=(0, 14, 3, 1), cval_opc1=3)
_CNTFRQ = (0, 14, 0, 0)
_CNTKCTL = (0, 14, 1, 0)


def _read32(uc: Uc, reg: tuple[int, int, int, int]) -> int:
    opc1, crn, crm, opc2 = reg
    return uc.cpr_read(15, opc1, crn, crm, opc2, _NS_BANK, False)


def _write32(uc: Uc, reg: tuple[int, int, int, int], value: int) -> None:
    opc1, crn, crm, opc2 = reg
    uc.cpr_write(15, opc1, crn, crm, opc2, _NS_BANK, False, value)


def read_comparator(uc: Uc, comp: _Comparator) -> tuple[int, int]:
    return _read32(uc, comp.ctl), uc.cpr_read(15, comp.cval_opc1, 0, 14, 0, _NS_BANK, True)


def copy_shared_state(src: Uc, dst: Uc) -> None:
    """Copy the timer state that is one per core, not per world, into the other world."""
    ctl, cval = read_comparator(src, VIRTUAL)
    _write32(dst, VIRTUAL.ctl, ctl)
    dst.cpr_write(15, VIRTUAL.cval_opc1, 0, 14, 0, _NS_BANK, True, cval)
    _write32(dst, _CNTFRQ, _read32(src, _CNTFRQ))
    _write32(dst, _CNTKCTL, _read32(src, _CNTKCTL))


# --------------------------------------------------------------------------------------
# Finding and decoding the writes Unicorn drops


@dataclass(frozen=True)
class TimerWrite:
    """A CTL or CVAL write: ``virtual`` picks CNTV_* over CNTP_*."""

    register: str  # "ctl" | "cval"
    virtual: bool
    rt: int
    rt2: int = 0  # high word of CVAL
    cond: int = 0xE  # ARM condition field; Thumb code uses the IT state instead


def _arm_write(word: int) -> TimerWrite | None:
    cond = word >> 28
    if cond == 0xF:
        return None
    if word & 0x0FFF0FFE == 0x0E0E0F32:  # MCR p15, 0, Rt, c14, c2/c3, 1
        return TimerWrite("ctl", bool(word & 1), (word >> 12) & 0xF, cond=cond)
    if word & 0x0FF00FEF == 0x0C400F2E:  # MCRR p15, 2/3, Rt, Rt2, c14
        return TimerWrite("cval", bool(word & 0x10), (word >> 12) & 0xF, (word >> 16) & 0xF,
                          cond=cond)
    return None


def _thumb_write(hw1: int, hw2: int) -> TimerWrite | None:
    if hw1 == 0xEE0E and hw2 & 0x0FFE == 0x0F32:
        return TimerWrite("ctl", bool(hw2 & 1), hw2 >> 12)
    if hw1 & 0xFFF0 == 0xEC40 and hw2 & 0x0FEF == 0x0F2E:
        return TimerWrite("cval", bool(hw2 & 0x10), hw2 >> 12, hw1 & 0xF)
    return None


def decode_timer_write(code: bytes, thumb: bool) -> TimerWrite | None:
    """What the 4 bytes at PC write to the timer, if they are such an instruction."""
    if len(code) < 4:
        return None
    if thumb:
        return _thumb_write(int.from_bytes(code[:2], "little"), int.from_bytes(code[2:4], "little"))
    return _arm_write(int.from_bytes(code[:4], "little"))


def condition_passed(cond: int, cpsr: int) -> bool:
    """Whether an instruction with condition field ``cond`` executes under ``cpsr``."""
    if cond >= 0xE:
        return True
    n, z, c, v = (bool(cpsr >> bit & 1) for bit in (31, 30, 29, 28))
    base = {0: z, 2: c, 4: n, 6: v, 8: c and not z, 10: n == v, 12: not z and n == v}[cond & 0xE]
    return base if cond % 2 == 0 else not base


def it_condition(cpsr: int) -> int:
    """The condition of the current Thumb instruction from ITSTATE (0xE outside IT blocks)."""
    it = ((cpsr >> 25) & 3) | ((cpsr >> 8) & 0xFC)
    return it >> 4 if it & 0xF else 0xE


# --------------------------------------------------------------------------------------
# Comparators driving PPIs


class GenericTimer:
    """One comparator (a world's physical timer, or the virtual timer) and its PPI."""

    STATE = ("ctl", "cval", "level", "_event", "_deadline_ns")

    def __init__(self, name: str, ppi: int, controller: InterruptController, clock: Clock):
        self.name = name
        self.ppi = ppi
        self._controller = controller
        self._clock = clock
        self.ctl = 0
        self.cval = 0
        self.level = False
        self._event: Event | None = None
        self._deadline_ns: int | None = None

    def update(self, ctl: int, cval: int, now_ns: int) -> bool:
        """Take new register values; returns the ISTATUS the guest should read."""
        self.ctl, self.cval = ctl, cval
        return self._recompute(now_ns)

    def _recompute(self, now_ns: int) -> bool:
        enabled = bool(self.ctl & CTL_ENABLE)
        istatus = enabled and now_ns // COUNTER_PERIOD_NS >= self.cval
        self._set_level(istatus and not self.ctl & CTL_IMASK)
        deadline = None
        if enabled and not istatus and not self.ctl & CTL_IMASK:
            deadline = self.cval * COUNTER_PERIOD_NS
        if deadline != self._deadline_ns:
            if self._event is not None:
                self._event.cancel()
                self._event = None
            self._deadline_ns = deadline
            if deadline is not None and deadline < 1 << 63:
                self._event = self._clock.schedule_at(deadline, self._expired)
        return istatus

    @property
    def deadline_ns(self) -> int | None:
        """When the output next rises, if the comparator is armed and not yet expired."""
        return self._deadline_ns

    def refresh(self, now_ns: int) -> None:
        """Recompute the output at ``now_ns`` from the registers last taken."""
        self._recompute(now_ns)

    def _expired(self) -> None:
        self._event = None
        self._deadline_ns = None
        self._recompute(self._clock.now_ns)

    def _set_level(self, level: bool) -> None:
        if level != self.level:
            self.level = level
            self._controller.set_irq_level(self.ppi, level)


class GenericTimers:
    """The A7's three comparators: Secure physical, Non-secure physical and virtual."""

    def __init__(self, controller: InterruptController, clock: Clock) -> None:
        self.secure_physical = GenericTimer("CNTPS", PPI_SECURE_PHYSICAL, controller, clock)
        self.nonsecure_physical = GenericTimer("CNTPNS", PPI_NONSECURE_PHYSICAL, controller,
                                               clock)
        self.virtual = GenericTimer("CNTV", PPI_VIRTUAL, controller, clock)
        self.timers = (self.secure_physical, self.nonsecure_physical, self.virtual)
        # Each world's (CTL, CVAL) of its physical and of the virtual comparator, read at
        # every slice boundary.
        self._registers: dict[Uc, tuple[tuple[CoprocessorRegister, CoprocessorRegister],
                                        ...]] = {}

    def _comparators(self, uc: Uc) -> tuple[tuple[CoprocessorRegister, CoprocessorRegister],
                                             ...]:
        registers = self._registers.get(uc)
        if registers is None:
            registers = self._registers[uc] = tuple(
                (CoprocessorRegister(uc, 15, *comp.ctl, _NS_BANK),
                 CoprocessorRegister(uc, 15, comp.cval_opc1, 0, 14, 0, _NS_BANK, True))
                for comp in (PHYSICAL, VIRTUAL))
        return registers

    def sample(self, uc: Uc, secure: bool, now_ns: int) -> None:
        """Read the running world's comparators after it ran, and refresh ISTATUS in it."""
        physical = self.secure_physical if secure else self.nonsecure_physical
        for timer, (ctl_register, cval_register) in zip((physical, self.virtual),
                                                        self._comparators(uc), strict=True):
            ctl, cval = ctl_register.read(), cval_register.read()
            istatus = timer.update(ctl & ~CTL_ISTATUS, cval, now_ns)
            wanted = (ctl & ~CTL_ISTATUS) | (CTL_ISTATUS if istatus else 0)
            if wanted != ctl:
                ctl_register.write(wanted)  # a raw write: no QEMU timer recalculation

    def next_deadline_ns(self) -> int | None:
        return min((t.deadline_ns for t in self.timers if t.deadline_ns is not None),
                   default=None)

    def refresh(self, now_ns: int) -> None:
        for timer in self.timers:
            timer.refresh(now_ns)
