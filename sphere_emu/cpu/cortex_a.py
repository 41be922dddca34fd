"""The Cortex-A7 (HLOS core): ARMv7-A with TrustZone on two Unicorn instances.

Unicorn's Cortex-A7 model runs ARM/Thumb code, banks registers per mode, executes exception
returns and VFP/NEON. It has no EL3 (SCR, MVBAR and the ``*_mon`` banked registers are
undefined; SMC only stops the emulation), takes no exception itself (SVC, SMC and faults
stop it with an interrupt number or an error, without DFSR/DFAR) and has no interrupt
controller. This class supplies the rest; ``docs/cortex-a7.md`` is the contract:

* **Worlds.** One ``Uc`` per world over the same RAM. The Secure instance sees every
  mapping, the Non-secure one only those not marked ``secure_only``; each world has its own
  CP15 state, registers and VFP bank. The model plays Monitor mode: ``smc`` in the Normal
  World enters the Secure World at MVBAR+0x08 with r0-r3 copied across; ``smc`` in the
  Secure World resumes the Normal World at LR_mon with CPSR = SPSR_mon (r0-r3 copied back
  after a call). SCR, SDER, NSACR writes, MVBAR and LR/SP/SPSR_mon are emulated for Secure
  PL1 code; elsewhere they are undefined, as on hardware.
* **MMU.** Unicorn runs in its virtual-TLB mode and the model serves each TLB miss from the
  guest's own short-descriptor tables (``a7_mmu.py``): a miss is rare, and it gives the
  exact faulting address and access type, and a moment to hook the timer writes Unicorn
  drops in each newly fetched code page (``generic_timer.py``).
* **Exceptions.** IRQ/FIQ from the GIC (routed by SCR.IRQ/FIQ), SVC, undefined
  instructions, prefetch and data aborts (MMU faults, bus errors, firewall refusals) are
  entered by the model with the architectural LR/SPSR/CPSR, DFSR/DFAR/IFSR/IFAR and vector
  (VBAR, or 0xFFFF0000 with SCTLR.V).
* **Time.** Runs are counted; an early stop (SVC, SMC, abort, a cut MMIO access, WFI)
  continues in the same slice with exactly the instructions left (``uc_counter.py``). WFI
  sleeps until the GIC signals. The generic timer counts virtual time.
"""

import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from unicorn import (
    UC_ARCH_ARM,
    UC_CTL_IO_WRITE,
    UC_CTL_TLB_FLUSH,
    UC_ERR_FETCH_PROT,
    UC_ERR_FETCH_UNMAPPED,
    UC_ERR_INSN_INVALID,
    UC_ERR_READ_PROT,
    UC_ERR_READ_UNMAPPED,
    UC_ERR_WRITE_PROT,
    UC_ERR_WRITE_UNMAPPED,
    UC_HOOK_CODE,
    UC_HOOK_INTR,
    UC_HOOK_MEM_FETCH_INVALID,
    UC_HOOK_MEM_READ,
    UC_HOOK_MEM_READ_INVALID,
    UC_HOOK_MEM_WRITE,
    UC_HOOK_MEM_WRITE_INVALID,
    UC_HOOK_TLB_FILL,
    UC_MEM_FETCH,
    UC_MEM_FETCH_PROT,
    UC_MEM_FETCH_UNMAPPED,
    UC_MEM_WRITE,
    UC_MEM_WRITE_PROT,
    UC_MEM_WRITE_UNMAPPED,
    UC_MODE_ARM,
    UC_PROT_ALL,
    UC_PROT_EXEC,
    UC_PROT_READ,
    UC_PROT_WRITE,
    UC_TLB_VIRTUAL,
    Uc,
    UcError,
)
from unicorn import arm_const as uc_arm

from ..board import CoreSpec
from ..bus import AddressMap, Mapping
from ..clock import Clock
from ..peripherals.registers import BusAccess, PeripheralContext
from . import a7_mmu as mmu
from .core import Core, CoreState, DebugStop
from .generic_timer import (
    CTL_ISTATUS,
    PHYSICAL,
    VIRTUAL,
    GenericTimers,
    condition_passed,
    copy_shared_state,
    decode_timer_write,
    host_clock_redirect,
    it_condition,
    read_comparator,
    timer_write_sites,
)
from .gic import Gic, gic_class
from .uc_counter import RetiredCounter

log = logging.getLogger("sphere_emu.cpu.a7")

# CPSR
MODE_MASK = 0x1F
MODE_USR, MODE_FIQ, MODE_IRQ, MODE_SVC = 0x10, 0x11, 0x12, 0x13
MODE_MON, MODE_ABT, MODE_UND, MODE_SYS = 0x16, 0x17, 0x1B, 0x1F
CPSR_T, CPSR_F, CPSR_I, CPSR_A, CPSR_E = 1 << 5, 1 << 6, 1 << 7, 1 << 8, 1 << 9
CPSR_IT = (0x3F << 10) | (3 << 25)
CPSR_J = 1 << 24
RESET_CPSR = MODE_SVC | CPSR_A | CPSR_I | CPSR_F

# Vector offsets
VEC_UNDEF, VEC_SVC, VEC_PABT, VEC_DABT, VEC_IRQ, VEC_FIQ = 0x04, 0x08, 0x0C, 0x10, 0x18, 0x1C

# SCR bits
SCR_NS, SCR_IRQ, SCR_FIQ, SCR_EA, SCR_SCD = 1 << 0, 1 << 1, 1 << 2, 1 << 3, 1 << 7
SCR_WRITABLE = 0x3FF

# Unicorn interrupt numbers (QEMU's EXCP_*)
INTR_UDEF, INTR_SWI, INTR_PABT, INTR_DABT, INTR_BKPT, INTR_SMC = 1, 2, 3, 4, 7, 13

# CP15 registers as (opc1, crn, crm, opc2)
SCTLR, TTBR0, TTBR1, TTBCR, DACR = (0, 1, 0, 0), (0, 2, 0, 0), (0, 2, 0, 1), (0, 2, 0, 2), \
    (0, 3, 0, 0)
DFSR, IFSR, DFAR, IFAR, VBAR = (0, 5, 0, 0), (0, 5, 0, 1), (0, 6, 0, 0), (0, 6, 0, 2), \
    (0, 12, 0, 0)
NSACR = (0, 1, 1, 2)

# Unicorn's A7 has no EL3, so it runs in the Non-secure state of QEMU's model and the
# guest's MRC/MCR reach the Non-secure copies of banked registers: access those.
_NS_BANK = 0

GIC_BASE = 0x2C000000  # our choice: CBAR reads 0 on Unicorn's A7 and no public record gives it
UNTIL = 0xFFFFFFFF  # never an instruction address: runs end by count or by a stop
# A translation that faults is given a page in this (never mapped) physical range, so the
# access ends in an unmapped-memory stop that the model turns into the abort. Keeping the
# fault out of Unicorn's TLB-fill path avoids its own, incomplete, exception delivery.
FAULT_WINDOW_BASE = 0xE0000000
FAULT_WINDOW_PAGES = 0x10000
FAULT_WINDOW_END = FAULT_WINDOW_BASE + (FAULT_WINDOW_PAGES << 12)
PAGE_MASK = 0xFFF

_GPR = [getattr(uc_arm, f"UC_ARM_REG_R{i}") for i in range(13)] + [
    uc_arm.UC_ARM_REG_SP, uc_arm.UC_ARM_REG_LR, uc_arm.UC_ARM_REG_PC]
_REGISTERS: dict[str, int] = {
    **{f"r{i}": _GPR[i] for i in range(13)},
    "sp": uc_arm.UC_ARM_REG_SP, "lr": uc_arm.UC_ARM_REG_LR, "pc": uc_arm.UC_ARM_REG_PC,
    "cpsr": uc_arm.UC_ARM_REG_CPSR,
    **{f"d{i}": getattr(uc_arm, f"UC_ARM_REG_D{i}") for i in range(32)},
    "fpscr": uc_arm.UC_ARM_REG_FPSCR,
}
_CS_NAMES = {"sb": 9, "sl": 10, "fp": 11, "ip": 12, "sp": 13, "lr": 14, "pc": 15,
             **{f"r{i}": i for i in range(13)}}


@dataclass
class MonitorState:
    """What Monitor mode would hold on hardware; the model is the Monitor."""

    scr: int = 0
    sder: int = 0
    mvbar: int = 0
    lr_mon: int = 0  # where the Normal World resumes (exact address: no +4 to undo)
    spsr_mon: int = RESET_CPSR  # the Normal World's CPSR on resume
    sp_mon: int = 0
    # Whether the Secure World was last entered by a call (SMC, or not yet entered: the boot
    # hand-over) rather than an interrupt or abort: only a call's return carries r0-r3 back.
    in_call: bool = True


class World:
    """One security state: its Unicorn instance and its view of the bus."""

    def __init__(self, core: "CortexA7", secure: bool, mappings: list[Mapping]) -> None:
        self.secure = secure
        self.name = "secure" if secure else "normal"
        self.uc = Uc(UC_ARCH_ARM, UC_MODE_ARM)
        self.uc.ctl_set_cpu_model(uc_arm.UC_CPU_ARM_CORTEX_A7)
        self.uc.ctl_set_tlb_mode(UC_TLB_VIRTUAL)  # the model's walker serves TLB misses
        self.map = AddressMap(core.name)
        for m in mappings:
            self.map.add(m)
        uc = self.uc
        self.map.access = BusAccess(
            core.name, secure=secure,
            privileged=lambda: uc.reg_read(uc_arm.UC_ARM_REG_CPSR) & MODE_MASK != MODE_USR)
        self.map.on_bus_error = core._bus_error
        self.map.install(uc)
        uc.hook_add(UC_HOOK_INTR, core._on_interrupt)
        uc.hook_add(UC_HOOK_MEM_READ_INVALID | UC_HOOK_MEM_WRITE_INVALID
                    | UC_HOOK_MEM_FETCH_INVALID, core._on_invalid_access)
        uc.hook_add(UC_HOOK_TLB_FILL,
                    lambda _uc, va, kind, entry, _d: core._tlb_fill(self, va, kind, entry))
        self.fault_pages: dict[int, int] = {}  # fault-window page -> the faulting VA page
        self._next_fault_page = 0
        self.timer_sites: dict[int, int] = {}  # VA of a timer CTL/CVAL write -> its hook
        self.counter = RetiredCounter(uc)
        self.reset_context = uc.context_save()

    def cp15(self, reg: tuple[int, int, int, int]) -> int:
        opc1, crn, crm, opc2 = reg
        return self.uc.cpr_read(15, opc1, crn, crm, opc2, _NS_BANK, False)

    def set_cp15(self, reg: tuple[int, int, int, int], value: int) -> None:
        opc1, crn, crm, opc2 = reg
        self.uc.cpr_write(15, opc1, crn, crm, opc2, _NS_BANK, False, value & 0xFFFFFFFF)

    def cpsr(self) -> int:
        return self.uc.reg_read(uc_arm.UC_ARM_REG_CPSR)

    def pc(self) -> int:
        return self.uc.reg_read(uc_arm.UC_ARM_REG_PC)

    def set_pc(self, pc: int, thumb: bool) -> None:
        self.uc.reg_write(uc_arm.UC_ARM_REG_PC, (pc & ~1) | int(thumb))

    def mmu_registers(self) -> mmu.MmuRegisters:
        return mmu.MmuRegisters(self.cp15(SCTLR), self.cp15(TTBR0), self.cp15(TTBR1),
                                self.cp15(TTBCR), self.cp15(DACR))

    def fault_page(self, va: int) -> int:
        """A fault-window page standing for the faulting VA page ``va``."""
        if self._next_fault_page == FAULT_WINDOW_PAGES:
            self._next_fault_page = 0  # wrapping: no stale window page may survive in the TLB
            self.fault_pages.clear()
            self.flush_tlb()
        page = FAULT_WINDOW_BASE + (self._next_fault_page << 12)
        self._next_fault_page += 1
        self.fault_pages[page] = va & ~PAGE_MASK
        return page

    def faulting_va(self, pa: int) -> int | None:
        page = self.fault_pages.get(pa & ~PAGE_MASK)
        return None if page is None else page | (pa & PAGE_MASK)

    def flush_tlb(self) -> None:
        self.uc.ctl(UC_CTL_TLB_FLUSH, UC_CTL_IO_WRITE)

    def physical_page(self, pa: int) -> bytes | None:
        m = self.map.find(pa & ~PAGE_MASK)
        if m is None or m.memory is None or (pa & ~PAGE_MASK) + 0x1000 > m.end:
            return None
        return m.memory.read(m.offset + (pa & ~PAGE_MASK) - m.base, 0x1000)

    def read_physical_word(self, address: int) -> int | None:
        m = self.map.find(address)
        if m is None or m.memory is None or address + 4 > m.end:
            return None
        return int.from_bytes(m.memory.read(m.offset + address - m.base, 4), "little")


@dataclass
class _Stop:
    """Why a run ended before its count, as the hooks saw it."""

    kind: str  # "svc" | "smc" | "dabt" | "pabt" | "bkpt" | "bus" | "unmapped" | "intr" | "debug"
    address: int = 0
    write: bool = False
    fetch: bool = False
    intno: int = 0


class CortexA7(Core):
    """The A7 core: see the module docstring and docs/cortex-a7.md for the contract."""

    MAX_EXCEPTION_LOOP = 8  # exceptions in a row with no instruction retired: a lockup

    def __init__(self, spec: CoreSpec, clock: Clock, mappings: list[Mapping]) -> None:
        super().__init__(spec.name, spec.frequency_hz, clock)
        self.spec = spec
        gic_type = gic_class(spec.irqs or Gic.INTERRUPTS)
        self.gic: Gic = gic_type(f"{spec.name}-gic", PeripheralContext(clock=clock))
        self.interrupt_controller = self.gic
        self.timers = GenericTimers(self.gic, clock)
        self.gic.on_signal_change = self._on_signal_change
        self.gic.before_acknowledge = self._sample_timers
        gic_mapping = Mapping(base=GIC_BASE, size=gic_type.SIZE, name=f"{spec.name}-gic",
                              kind="peripheral", peripheral=self.gic)
        self.secure = World(self, True, [*mappings, gic_mapping])
        self.normal = World(self, False, [m for m in mappings if not m.secure_only]
                            + [gic_mapping])
        for m in mappings:
            if m.base < FAULT_WINDOW_END and m.end > FAULT_WINDOW_BASE:
                raise ValueError(f"{spec.name}: {m.name} overlaps the A7 model's fault window "
                                 f"[{FAULT_WINDOW_BASE:#010x}, {FAULT_WINDOW_END:#010x})")
        self.world = self.secure
        self.monitor = MonitorState()
        self._decoder = mmu.AccessDecoder()
        self._stop: _Stop | None = None
        self._in_run = False
        self._emulating = False  # inside emu_start
        self._in_emu = False  # inside emu_start and able to cut after an MMIO access
        self._slice_start_ns = 0
        self._retired_in_slice = 0
        self._run_budget = 0
        self._run_begin = 0
        self._complete_cut = False
        self._cut_requested = False
        self._cut_pc = 0
        self._exception_streak = 0
        self._breakpoints: dict[int, list[Any]] = {}
        self._watchpoints: dict[tuple[int, int, str], list[Any]] = {}
        self._skip_breakpoint: int | None = None
        self._skip_watchpoint: int | None = None  # PC of an access a watchpoint stopped before
        self.reset()
        if spec.reset == "held":
            self.state = CoreState.HELD

    # -- Core interface ------------------------------------------------------------------
    @property
    def address_map(self) -> AddressMap:
        return self.world.map

    @property
    def physical_map(self) -> AddressMap:
        """The Secure World's view: every mapping, for bus masters such as Pluton."""
        return self.secure.map

    def reset(self) -> None:
        for world in (self.secure, self.normal):
            world.uc.context_restore(world.reset_context)
            world.flush_tlb()
        self.world = self.secure
        self.monitor = MonitorState()
        self.gic.reset()
        self.gic.update()
        for timer in self.timers.timers:
            timer.update(0, 0, self.clock.now_ns)
        self.secure.uc.reg_write(uc_arm.UC_ARM_REG_CPSR, RESET_CPSR)
        self.secure.set_pc(0, False)
        self.state = CoreState.RUNNING
        self.halt_reason = None
        self._exception_streak = 0
        self._complete_cut = False

    def start_at(self, entry: int) -> None:
        self.reset()
        self.secure.set_pc(entry, bool(entry & 1))
        if entry & 1:
            self.secure.uc.reg_write(uc_arm.UC_ARM_REG_CPSR, RESET_CPSR | CPSR_T)
            self.secure.set_pc(entry, True)

    def run(self, instructions: int) -> None:
        if not self.runnable:
            return
        left = instructions
        self._in_run = True
        self._slice_start_ns = self.clock.now_ns
        self._retired_in_slice = 0
        try:
            while left > 0 and self.runnable:
                if self._complete_cut:
                    self._complete_cut = False
                    used, more = self._run_once(1)
                    more = more or (used == 1 and self.runnable)  # the slice goes on
                else:
                    self._take_interrupt()
                    if not self.runnable:
                        break
                    budget = self._budget_to_next_timer(left)
                    used, more = self._run_once(budget)
                    if budget < left and used == budget:
                        more = True  # stopped at a timer deadline, not at the slice's end
                left -= used
                self._retired_in_slice += used
                if self._timer_due():
                    self.timers.refresh(self._counter_now_ns())
                if not more:
                    break
        finally:
            self._in_run = False
        self.instructions_retired += instructions - max(left, 0)
        self._sample_timers()

    # -- one counted run -----------------------------------------------------------------
    def _run_once(self, budget: int) -> tuple[int, bool]:
        """Run up to ``budget`` instructions; returns (instructions used, carry on?)."""
        world = self.world
        uc = world.uc
        pc = world.pc()
        begin = pc | int(bool(world.cpsr() & CPSR_T))
        if self._skip_breakpoint is not None and self._skip_breakpoint != pc:
            self._skip_breakpoint = None
        if self._skip_watchpoint is not None and self._skip_watchpoint != pc:
            self._skip_watchpoint = None
        self._stop = None
        self._cut_requested = False
        self._run_budget = budget
        self._run_begin = begin & ~1
        error: UcError | None = None
        host_clock = host_clock_redirect()  # found on the first A7 run, not at machine build
        redirect = (host_clock.active(self._counter_now_ns) if host_clock
                    else contextlib.nullcontext())
        self._in_emu = self._emulating = True
        try:
            with redirect:
                uc.emu_start(begin, UNTIL, count=budget)
        except UcError as err:
            error = err
        finally:
            self._in_emu = self._emulating = False
        exact = world.counter.available
        started = min(world.counter.started(), budget + 1) if exact else budget
        if started > budget and error is None and self._stop is None:
            self._exception_streak = 0
            return budget, False  # the whole budget ran
        retired = min(started, budget)
        more = exact
        stop = self._stop
        if stop is not None and stop.kind == "debug":
            return max(retired - 1, 0), False
        if error is not None:
            used = self._on_error(world, error, retired, begin)
        elif stop is None:
            used = self._on_plain_stop(world, retired)
            more = more and self.state is CoreState.RUNNING
        else:
            used = self._on_stop(world, stop, retired)
        if used > 0:
            self._exception_streak = 0
        return (used if exact else budget), more and self.runnable

    def _on_plain_stop(self, world: World, retired: int) -> int:
        """The run stopped by itself: WFI, or an MMIO access that cut the slice."""
        if self._cut_requested:
            if world.pc() == self._cut_pc:
                self._complete_cut = True  # abandoned: replayed before anything else
                return max(retired - 1, 0)
            # Inside a Thumb IT block Unicorn finishes the block instead: nothing to replay.
            world.map.cancel_stop_after_access()
            return retired
        signalled = self.gic.irq_signal or self.gic.fiq_signal
        if not signalled and self._last_was(world, _is_wfi):
            self.state = CoreState.SLEEPING
        return retired

    def _on_stop(self, world: World, stop: _Stop, retired: int) -> int:
        cpsr = world.cpsr()
        pc = world.pc()
        if stop.kind == "svc":
            self._exception(world, MODE_SVC, VEC_SVC, lr=pc)
            return retired
        if stop.kind == "smc":
            smc_at = pc - 4
            if cpsr & MODE_MASK == MODE_USR or (not world.secure and self.monitor.scr & SCR_SCD):
                self._undefined(world, smc_at, bool(cpsr & CPSR_T))
            elif world.secure:
                self._resume_normal_world()
            else:
                self._monitor_entry(VEC_SVC, resume=pc, pass_arguments=True)
            return retired
        used = max(retired - 1, 0)  # the faulting instruction did not retire
        self._count_exception(world, pc, {"dabt": "alignment fault", "pabt": "prefetch abort",
                                          "bkpt": "breakpoint (BKPT)", "bus": "data abort",
                                          "intr": f"exception {stop.intno}"}[stop.kind],
                              stop.address if stop.kind == "bus" else None)
        if stop.kind == "dabt":  # translation is ours, so Unicorn's own aborts are alignment
            self._alignment_abort(world, pc)
        elif stop.kind == "pabt":
            self._prefetch_abort(world, pc, mmu.FS_EXTERNAL, pc)
        elif stop.kind == "bkpt":
            self._prefetch_abort(world, pc, mmu.FS_DEBUG, pc)
        elif stop.kind == "bus":
            self._external_data_abort(world, pc, stop.address, stop.write)
        elif stop.kind == "intr":
            self._undefined(world, pc, bool(cpsr & CPSR_T))
        return used

    def _on_error(self, world: World, error: UcError, retired: int, begin: int) -> int:
        pc = world.pc()
        thumb = bool(world.cpsr() & CPSR_T)
        code = error.errno
        if code == UC_ERR_INSN_INVALID:
            # WFE and YIELD end the run with PC already past them; treat them as hints.
            resumed_here = begin & ~1 == pc and retired <= 1
            if not resumed_here and self._last_was(world, _is_wfe_or_yield):
                return retired
            used = max(retired - 1, 0)
            if world.secure and self._emulate_secure_instruction(world, pc, thumb):
                return used + 1
            self._count_exception(world, pc, "undefined instruction")
            self._undefined(world, pc, thumb)
            return used
        stop = self._stop
        fetch = code in (UC_ERR_FETCH_UNMAPPED, UC_ERR_FETCH_PROT)
        write = code in (UC_ERR_WRITE_UNMAPPED, UC_ERR_WRITE_PROT)
        if fetch or write or code in (UC_ERR_READ_UNMAPPED, UC_ERR_READ_PROT):
            address = stop.address if stop is not None else pc
            self._count_exception(world, pc, "prefetch abort" if fetch else "data abort",
                                  world.faulting_va(address) or address)
            va = world.faulting_va(address)
            if va is not None:
                self._translation_abort(world, pc, va, fetch, write)
            elif fetch:
                self._prefetch_abort(world, pc, mmu.FS_EXTERNAL, pc, external=True)
            else:
                self._external_data_abort(world, pc, address, write)
            return max(retired - 1, 0)
        self.halt(f"emulation error '{error}' at PC {pc:#010x} "
                  f"({world.name} world)")
        return retired

    # -- hooks ---------------------------------------------------------------------------
    def _on_interrupt(self, uc: Uc, intno: int, _data: object) -> None:
        kind = {INTR_SWI: "svc", INTR_SMC: "smc", INTR_DABT: "dabt", INTR_PABT: "pabt",
                INTR_BKPT: "bkpt"}.get(intno, "intr")
        if self._stop is None:
            self._stop = _Stop(kind, intno=intno)
        uc.emu_stop()

    def _on_invalid_access(self, uc: Uc, access: int, address: int, _size: int, _value: int,
                           _data: object) -> bool:
        if self._stop is None:
            self._stop = _Stop("unmapped", address=address,
                               write=access in (UC_MEM_WRITE_UNMAPPED, UC_MEM_WRITE_PROT),
                               fetch=access in (UC_MEM_FETCH_UNMAPPED, UC_MEM_FETCH_PROT))
        return False

    def _bus_error(self, address: int, is_write: bool) -> None:
        if self._stop is None:
            self._stop = _Stop("bus", address=address, write=is_write)

    def _on_signal_change(self) -> None:
        signalled = self.gic.irq_signal or self.gic.fiq_signal
        if signalled and self.state is CoreState.SLEEPING:
            self.state = CoreState.RUNNING
        if signalled and self._in_emu and self._deliverable():
            self._cut_requested = True
            self._cut_pc = self.world.pc()  # precise inside an MMIO access
            self.world.map.stop_after_access()

    # -- interrupts ----------------------------------------------------------------------
    def _deliverable(self) -> bool:
        cpsr = self.world.cpsr()
        to_monitor = not self.world.secure
        if self.gic.fiq_signal and ((to_monitor and self.monitor.scr & SCR_FIQ)
                                    or not cpsr & CPSR_F):
            return True
        return self.gic.irq_signal and ((to_monitor and bool(self.monitor.scr & SCR_IRQ))
                                        or not cpsr & CPSR_I)

    def _take_interrupt(self) -> None:
        gic = self.gic
        if not (gic.irq_signal or gic.fiq_signal):
            return
        world = self.world
        cpsr = world.cpsr()
        pc = world.pc()
        for signal, route, mask, mode, vector in (
                (gic.fiq_signal, SCR_FIQ, CPSR_F, MODE_FIQ, VEC_FIQ),
                (gic.irq_signal, SCR_IRQ, CPSR_I, MODE_IRQ, VEC_IRQ)):
            if not signal:
                continue
            if not world.secure and self.monitor.scr & route:
                self._monitor_entry(vector, resume=pc, pass_arguments=False)
                return
            if not cpsr & mask:
                self._exception(world, mode, vector, lr=pc + 4, mask_fiq=mode == MODE_FIQ)
                return

    # -- exception entry -----------------------------------------------------------------
    def _vector_base(self, world: World) -> int:
        return 0xFFFF0000 if world.cp15(SCTLR) & mmu.SCTLR_V else world.cp15(VBAR) & ~0x1F

    def _exception(self, world: World, mode: int, vector: int, lr: int,
                   mask_fiq: bool = False) -> None:
        uc = world.uc
        old = world.cpsr()
        sctlr = world.cp15(SCTLR)
        new = (old & ~(MODE_MASK | CPSR_T | CPSR_IT | CPSR_J)) | mode | CPSR_I
        if mode in (MODE_ABT, MODE_IRQ, MODE_FIQ):
            new |= CPSR_A
        if mask_fiq:
            new |= CPSR_F
        thumb = bool(sctlr & mmu.SCTLR_TE)
        if thumb:
            new |= CPSR_T
        new = new | CPSR_E if sctlr & mmu.SCTLR_EE else new & ~CPSR_E
        uc.reg_write(uc_arm.UC_ARM_REG_CPSR, new)
        uc.reg_write(uc_arm.UC_ARM_REG_SPSR, old)
        uc.reg_write(uc_arm.UC_ARM_REG_LR, lr & 0xFFFFFFFF)
        world.set_pc(self._vector_base(world) + vector, thumb)

    def _undefined(self, world: World, pc: int, thumb: bool) -> None:
        self._exception(world, MODE_UND, VEC_UNDEF, lr=pc + (2 if thumb else 4))

    def _count_exception(self, world: World, pc: int, what: str, address: int | None = None
                         ) -> None:
        self._exception_streak += 1
        if self._exception_streak > self.MAX_EXCEPTION_LOOP:
            at = f", address {address:#010x}," if address is not None else ""
            self.halt(f"lockup: {what} at PC {pc:#010x}{at} keeps recurring with no "
                      f"instruction retired ({world.name} world, vector base "
                      f"{self._vector_base(world):#010x})")

    def _data_abort(self, world: World, pc: int, status: int, far: int, write: bool,
                    domain: int = 0, external: bool = False) -> None:
        world.set_cp15(DFSR, mmu.fsr(status, domain, write))
        world.set_cp15(DFAR, far)
        if external and not world.secure and self.monitor.scr & SCR_EA:
            self._monitor_entry(VEC_DABT, resume=pc, pass_arguments=False)
            return
        self._exception(world, MODE_ABT, VEC_DABT, lr=pc + 8)

    def _prefetch_abort(self, world: World, pc: int, status: int, far: int,
                        external: bool = False) -> None:
        world.set_cp15(IFSR, mmu.fsr(status))
        world.set_cp15(IFAR, far)
        if external and not world.secure and self.monitor.scr & SCR_EA:
            self._monitor_entry(VEC_PABT, resume=pc, pass_arguments=False)
            return
        self._exception(world, MODE_ABT, VEC_PABT, lr=pc + 4)

    def _external_data_abort(self, world: World, pc: int, pa: int, write: bool) -> None:
        """A bus error (nothing there, or refused) at physical ``pa``; DFAR is the VA."""
        cpsr = world.cpsr()
        regs = world.mmu_registers()
        access = self._decode_access(world, pc, bool(cpsr & CPSR_T), regs)
        far = pa
        if access is not None:
            write = access.write
            user = cpsr & MODE_MASK == MODE_USR
            for va in access.addresses:
                hit = mmu.translate(regs, va, mmu.Access(write=write, user=user),
                                    world.read_physical_word)
                if isinstance(hit, int) and hit >> 12 == pa >> 12:
                    far = va
                    break
        self._data_abort(world, pc, mmu.FS_EXTERNAL, far, write, external=True)

    def _alignment_abort(self, world: World, pc: int) -> None:
        cpsr = world.cpsr()
        access = self._decode_access(world, pc, bool(cpsr & CPSR_T), world.mmu_registers())
        far = access.addresses[0] if access is not None and access.addresses else 0
        self._data_abort(world, pc, mmu.FS_ALIGNMENT, far, bool(access and access.write))

    def _translation_abort(self, world: World, pc: int, va: int, fetch: bool, write: bool
                           ) -> None:
        """An access reached the fault window: walk again and raise the abort it names."""
        user = world.cpsr() & MODE_MASK == MODE_USR
        result = mmu.translate(world.mmu_registers(), va,
                               mmu.Access(write=write, execute=fetch, user=user),
                               world.read_physical_word)
        if not isinstance(result, mmu.Fault):
            world.flush_tlb()  # the tables changed since the fill: retry with a fresh one
            return
        if fetch:
            self._prefetch_abort(world, pc, result.status, va)
        else:
            self._data_abort(world, pc, result.status, va, write, result.domain)

    # -- the MMU: Unicorn's TLB misses -----------------------------------------------------
    def _tlb_fill(self, world: World, va: int, kind: int, entry: Any) -> bool:
        regs = world.mmu_registers()
        user = world.cpsr() & MODE_MASK == MODE_USR
        desc = mmu.walk(regs, va, world.read_physical_word)
        if isinstance(desc, mmu.Descriptor):
            read, write, execute = mmu.permissions(regs, desc, user)
            allowed = (write if kind == UC_MEM_WRITE else
                       execute if kind == UC_MEM_FETCH else read)
            if allowed:
                entry.paddr = desc.pa
                entry.perms = ((UC_PROT_READ if read else 0) | (UC_PROT_WRITE if write else 0)
                               | (UC_PROT_EXEC if execute else 0))
                if kind == UC_MEM_FETCH:
                    self._hook_timer_writes(world, va, desc.pa)
                return True
        entry.paddr = world.fault_page(va) | (va & PAGE_MASK)
        entry.perms = UC_PROT_ALL
        return True

    def _hook_timer_writes(self, world: World, va: int, pa: int) -> None:
        """Hook the CNTx_CTL/CVAL writes in a code page (Unicorn drops them)."""
        page = world.physical_page(pa)
        if page is None:
            return
        base = va & ~PAGE_MASK
        for offset in timer_write_sites(page):
            site = base + offset
            if site not in world.timer_sites:
                world.timer_sites[site] = world.uc.hook_add(
                    UC_HOOK_CODE, lambda uc, address, _size, _d, w=world:
                    self._on_timer_write(w, address), begin=site, end=site)

    def _on_timer_write(self, world: World, address: int) -> None:
        cpsr = world.cpsr()
        thumb = bool(cpsr & CPSR_T)
        code = self._read_code(world, address)
        write = decode_timer_write(code, thumb) if code is not None else None
        if write is None:
            return  # the page was remapped: not a timer write any more
        if not condition_passed(it_condition(cpsr) if thumb else write.cond, cpsr):
            return
        if cpsr & MODE_MASK == MODE_USR:
            kctl = world.cp15((0, 14, 1, 0))
            if not kctl & (1 << (8 if write.virtual else 9)):
                return  # PL0 access not enabled: the instruction is undefined natively
        comp = VIRTUAL if write.virtual else PHYSICAL
        ctl, cval = read_comparator(world.uc, comp)
        if write.register == "ctl":
            ctl = (ctl & CTL_ISTATUS) | (self._gpr(world, write.rt) & 3)
            world.set_cp15(comp.ctl, ctl)
        else:
            cval = self._gpr(world, write.rt) | self._gpr(world, write.rt2) << 32
            world.uc.cpr_write(15, comp.cval_opc1, 0, 14, 0, _NS_BANK, True, cval)
        self._in_emu = False  # not inside an MMIO access: no cut request, stop here instead
        try:
            self._sample_timers()
        finally:
            self._in_emu = True
        deadline = self.timers.next_deadline_ns()
        run_end = self._slice_start_ns + (self._retired_in_slice + self._run_budget) \
            * 1_000_000_000 // self.frequency_hz
        early = deadline is not None and deadline < run_end
        if address != self._run_begin and (self._deliverable() or early):
            world.uc.emu_stop()  # it runs again first thing next run: the write is idempotent

    def _decode_access(self, world: World, pc: int, thumb: bool, regs: mmu.MmuRegisters
                       ) -> mmu.DataAccess | None:
        code = self._read_code(world, pc, regs)
        if code is None:
            return None

        def register(reg_id: int) -> int:
            name = self._decoder_name(reg_id, thumb)
            index = _CS_NAMES.get(name)
            return world.uc.reg_read(_GPR[index]) if index is not None else 0

        return self._decoder.decode(code, pc, thumb, register)

    def _decoder_name(self, reg_id: int, thumb: bool) -> str:
        return self._decoder._cs[thumb].reg_name(reg_id) or ""

    def _read_code(self, world: World, pc: int, regs: mmu.MmuRegisters | None = None
                   ) -> bytes | None:
        regs = regs or world.mmu_registers()
        out = b""
        for half in (pc, pc + 2):
            pa = mmu.translate(regs, half, mmu.Access(), world.read_physical_word)
            if not isinstance(pa, int):
                return None
            word = world.read_physical_word(pa & ~3)
            if word is None:
                return None
            out += ((word >> (8 * (pa & 2))) & 0xFFFF).to_bytes(2, "little")
        return out

    def _last_was(self, world: World, test) -> bool:
        """Whether the instruction just before PC is one ``test`` accepts."""
        thumb = bool(world.cpsr() & CPSR_T)
        pc = world.pc()
        if thumb:
            for back in (2, 4):
                code = self._read_code(world, pc - back)
                if code is not None and test(code, True, back):
                    return True
            return False
        code = self._read_code(world, pc - 4)
        return code is not None and test(code, False, 4)

    # -- worlds --------------------------------------------------------------------------
    def _switch_to(self, world: World) -> None:
        leaving = self.world
        self.timers.sample(leaving.uc, leaving.secure, self._counter_now_ns())
        copy_shared_state(leaving.uc, world.uc)
        self.world = world

    def _copy_arguments(self, src: World, dst: World) -> None:
        for reg in _GPR[:4]:
            dst.uc.reg_write(reg, src.uc.reg_read(reg))

    def _monitor_entry(self, vector: int, resume: int, pass_arguments: bool) -> None:
        """Normal World -> Secure World at MVBAR + ``vector``, as an exception to Monitor."""
        normal, secure = self.normal, self.secure
        self.monitor.lr_mon = resume & 0xFFFFFFFF
        self.monitor.spsr_mon = normal.cpsr()
        self.monitor.in_call = pass_arguments
        if pass_arguments:
            self._copy_arguments(normal, secure)
        self._switch_to(secure)
        sctlr = secure.cp15(SCTLR)
        thumb = bool(sctlr & mmu.SCTLR_TE)
        cpsr = secure.cpsr() & ~(MODE_MASK | CPSR_T | CPSR_IT | CPSR_J)
        cpsr |= MODE_SVC | CPSR_A | CPSR_I | CPSR_F | (CPSR_T if thumb else 0)
        secure.uc.reg_write(uc_arm.UC_ARM_REG_CPSR, cpsr)
        secure.set_pc((self.monitor.mvbar & ~0x1F) + vector, thumb)

    def _resume_normal_world(self) -> None:
        """Secure World ``smc``: back to the Normal World at LR_mon with SPSR_mon."""
        normal = self.normal
        if self.monitor.in_call:
            self._copy_arguments(self.secure, normal)
        self._switch_to(normal)
        spsr = self.monitor.spsr_mon
        normal.uc.reg_write(uc_arm.UC_ARM_REG_CPSR, spsr)
        normal.set_pc(self.monitor.lr_mon, bool(spsr & CPSR_T))

    # -- the instructions Unicorn's A7 lacks ---------------------------------------------
    def _emulate_secure_instruction(self, world: World, pc: int, thumb: bool) -> bool:
        """SCR/SDER/NSACR/MVBAR and *_mon access from Secure PL1; False if not one of them."""
        if world.cpsr() & MODE_MASK == MODE_USR:
            return False
        code = self._read_code(world, pc)
        if code is None:
            return False
        lo, hi = int.from_bytes(code[:2], "little"), int.from_bytes(code[2:], "little")
        word = (lo << 16) | hi if thumb else int.from_bytes(code, "little")
        length = 4
        if thumb and lo >> 11 not in (0b11101, 0b11110, 0b11111):
            return False  # a 16-bit Thumb instruction: none of ours
        if (word & 0x0F000010) == 0x0E000010 and (word >> 8) & 0xF == 15:
            handled = self._emulate_cp15(world, word)
        else:
            handled = self._emulate_banked(world, word, thumb)
        if handled:
            world.set_pc(pc + length, thumb)
        return handled

    def _emulate_cp15(self, world: World, word: int) -> bool:
        opc1, read = (word >> 21) & 7, bool(word & (1 << 20))
        crn, rt, opc2, crm = (word >> 16) & 0xF, (word >> 12) & 0xF, (word >> 5) & 7, word & 0xF
        key = (opc1, crn, crm, opc2)
        mon = self.monitor
        fields = {(0, 1, 1, 0): "scr", (0, 1, 1, 1): "sder", (0, 12, 0, 1): "mvbar"}
        if key in fields:
            name = fields[key]
            if read:
                self._set_gpr(world, rt, getattr(mon, name))
            else:
                value = self._gpr(world, rt)
                value = {"scr": value & SCR_WRITABLE, "sder": value & 3,
                         "mvbar": value & ~0x1F & 0xFFFFFFFF}[name]
                setattr(mon, name, value)
            return True
        if key == NSACR and not read:
            value = self._gpr(world, rt) & 0x000FFFFF
            self.secure.set_cp15(NSACR, value)
            self.normal.set_cp15(NSACR, value)
            return True
        return False

    def _emulate_banked(self, world: World, word: int, thumb: bool) -> bool:
        if thumb:
            hw1, hw2 = word >> 16, word & 0xFFFF
            if (hw1 & 0xFFE0) == 0xF3E0 and (hw2 & 0xF0EF) == 0x8020:  # MRS Rd, <banked>
                r, sysm, reg, to_core = (hw1 >> 4) & 1, ((hw2 >> 4) & 1) << 4 | (hw1 & 0xF), \
                    (hw2 >> 8) & 0xF, True
            elif (hw1 & 0xFFE0) == 0xF380 and (hw2 & 0xF0EF) == 0x8020:  # MSR <banked>, Rn
                r, sysm, reg, to_core = (hw1 >> 4) & 1, ((hw2 >> 4) & 1) << 4 | \
                    ((hw2 >> 8) & 0xF), hw1 & 0xF, False
            else:
                return False
        elif (word & 0x0FB00EFF) == 0x01000200:
            r, sysm, reg, to_core = (word >> 22) & 1, ((word >> 8) & 1) << 4 | \
                ((word >> 16) & 0xF), (word >> 12) & 0xF, True
        elif (word & 0x0FB0FEF0) == 0x0120F200:
            r, sysm, reg, to_core = (word >> 22) & 1, ((word >> 8) & 1) << 4 | \
                ((word >> 16) & 0xF), word & 0xF, False
        else:
            return False
        field = {(0, 0x1C): "lr_mon", (0, 0x1D): "sp_mon", (1, 0x1C): "spsr_mon"}.get((r, sysm))
        if field is None:
            return False
        if to_core:
            self._set_gpr(world, reg, getattr(self.monitor, field))
        else:
            setattr(self.monitor, field, self._gpr(world, reg))
        return True

    def _gpr(self, world: World, index: int) -> int:
        return world.uc.reg_read(_GPR[index])

    def _set_gpr(self, world: World, index: int, value: int) -> None:
        if index == 15:  # MRC to APSR_nzcv
            cpsr = world.cpsr()
            world.uc.reg_write(uc_arm.UC_ARM_REG_CPSR, (cpsr & 0x0FFFFFFF) | (value & 0xF0000000))
        else:
            world.uc.reg_write(_GPR[index], value & 0xFFFFFFFF)

    # -- time ----------------------------------------------------------------------------
    def _counter_now_ns(self) -> int:
        """Virtual time of the instruction executing now (slice start outside runs)."""
        if not self._in_run:
            return self.clock.now_ns
        retired = self._retired_in_slice
        if self._emulating:
            retired += self.world.counter.started()
        return self._slice_start_ns + retired * 1_000_000_000 // self.frequency_hz

    def _ns_to_instructions(self, ns: int) -> int:
        return -(-ns * self.frequency_hz // 1_000_000_000)

    def _budget_to_next_timer(self, left: int) -> int:
        """Run no further than the next timer deadline, so its IRQ is taken on time."""
        deadline = self.timers.next_deadline_ns()
        if deadline is None or not self.world.counter.available:
            return left
        return max(1, min(left, self._ns_to_instructions(deadline - self._counter_now_ns())))

    def _timer_due(self) -> bool:
        deadline = self.timers.next_deadline_ns()
        return deadline is not None and deadline <= self._counter_now_ns()

    def _sample_timers(self) -> None:
        world = self.world
        self.timers.sample(world.uc, world.secure, self._counter_now_ns())

    # -- debugger ------------------------------------------------------------------------
    def register_names(self) -> list[str]:
        return list(_REGISTERS)

    def read_register(self, name: str) -> int:
        return self.world.uc.reg_read(_REGISTERS[name])

    def write_register(self, name: str, value: int) -> None:
        if name == "pc":
            self.world.set_pc(value, bool(self.world.cpsr() & CPSR_T))
        else:
            self.world.uc.reg_write(_REGISTERS[name], value)

    def add_breakpoint(self, address: int) -> None:
        if address in self._breakpoints:
            return
        hooks = []
        for world in (self.secure, self.normal):
            hooks.append(world.uc.hook_add(UC_HOOK_CODE, self._on_breakpoint,
                                           begin=address, end=address))
            world.uc.ctl_remove_cache(address, address + 4)
        self._breakpoints[address] = hooks

    def remove_breakpoint(self, address: int) -> None:
        hooks = self._breakpoints.pop(address, None)
        if hooks is None:
            return
        for world, hook in zip((self.secure, self.normal), hooks, strict=True):
            world.uc.hook_del(hook)
            world.uc.ctl_remove_cache(address, address + 4)

    def _on_breakpoint(self, uc: Uc, address: int, _size: int, _data: object) -> None:
        if self._skip_breakpoint == address:
            self._skip_breakpoint = None
            return
        self.debug_stop = DebugStop("breakpoint", address)
        self._skip_breakpoint = address
        if self._stop is None:
            self._stop = _Stop("debug", address=address)
        uc.emu_stop()

    def add_watchpoint(self, address: int, size: int, kind: str) -> None:
        key = (address, size, kind)
        if key in self._watchpoints:
            return
        types = {"watch": UC_HOOK_MEM_WRITE, "rwatch": UC_HOOK_MEM_READ,
                 "awatch": UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE}[kind]

        def hit(uc: Uc, _access: int, where: int, _size: int, _value: int, _d: object) -> None:
            pc = uc.reg_read(uc_arm.UC_ARM_REG_PC)
            if self._skip_watchpoint == pc:
                self._skip_watchpoint = None  # the access we stopped before: let it happen
                return
            self._skip_watchpoint = pc
            self.debug_stop = DebugStop("watchpoint", where, kind)
            if self._stop is None:
                self._stop = _Stop("debug", address=where)
            uc.emu_stop()

        self._watchpoints[key] = [
            world.uc.hook_add(types, hit, begin=address, end=address + max(size, 1) - 1)
            for world in (self.secure, self.normal)]

    def remove_watchpoint(self, address: int, size: int, kind: str) -> None:
        hooks = self._watchpoints.pop((address, size, kind), None)
        if hooks is None:
            return
        for world, hook in zip((self.secure, self.normal), hooks, strict=True):
            world.uc.hook_del(hook)

    def step(self) -> None:
        self.debug_stop = None
        if self.state is CoreState.SLEEPING:
            self.state = CoreState.RUNNING
        self._skip_breakpoint = self.world.pc()
        self._in_run = True
        self._slice_start_ns = self.clock.now_ns
        self._retired_in_slice = 0
        try:
            if not self._complete_cut:
                self._take_interrupt()
            self._complete_cut = False
            if self.state is CoreState.RUNNING:
                self._run_once(1)
        finally:
            self._in_run = False
        self._sample_timers()
        if self.debug_stop is None:
            self.debug_stop = DebugStop("step", self.world.pc())

    def virtual_to_physical(self, va: int) -> int | None:
        """Where ``va`` lands in the current world's translation regime (for debuggers, which
        see physical memory through ``address_map``); None if it would fault."""
        world = self.world
        pa = mmu.translate(world.mmu_registers(), va, mmu.Access(), world.read_physical_word)
        return pa if isinstance(pa, int) else None

    def describe(self) -> dict[str, Any]:
        """Where the core is, for reports: world, mode, PC."""
        cpsr = self.world.cpsr()
        return {"world": self.world.name, "mode": cpsr & MODE_MASK, "pc": self.world.pc(),
                "cpsr": cpsr}


# --------------------------------------------------------------------------------------
# Hint instructions Unicorn does not report as such


def _is_wfi(code: bytes, thumb: bool, length: int) -> bool:
    if thumb:
        return (code[:2] == b"\x30\xbf") if length == 2 else code == bytes.fromhex("aff30380")
    word = int.from_bytes(code, "little")
    return (word & 0x0FFFFFFF) == 0x0320F003


def _is_wfe_or_yield(code: bytes, thumb: bool, length: int) -> bool:
    if thumb:
        if length == 2:
            return code[:2] in (b"\x20\xbf", b"\x10\xbf")
        return code in (bytes.fromhex("aff30280"), bytes.fromhex("aff30180"))
    word = int.from_bytes(code, "little") & 0x0FFFFFFF
    return word in (0x0320F002, 0x0320F001)
