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
  exact faulting address and access type, and a moment to find the instructions the model
  must see (the timer writes Unicorn drops, ...) in each newly fetched code page
  (``a7_sites.py``, ``a7_watch.py``).
* **Exceptions.** IRQ/FIQ from the GIC (routed by SCR.IRQ/FIQ), SVC, undefined
  instructions, prefetch and data aborts (MMU faults, bus errors, firewall refusals) are
  entered by the model with the architectural LR/SPSR/CPSR, DFSR/DFAR/IFSR/IFAR and vector
  (VBAR, or 0xFFFF0000 with SCTLR.V).
* **Time.** Runs are counted by the shared engine (``engine/``); an early stop (SVC, SMC,
  abort, a cut MMIO access, WFI) continues in the same slice with exactly the instructions
  left. WFI sleeps until the GIC signals. The generic timer counts virtual time.

The worlds and the Monitor's state are in ``a7_world.py``, the emulated Secure-PL1
instructions in ``a7_monitor.py``.
"""

import logging
from typing import TYPE_CHECKING, Any

from unicorn import (
    UC_ERR_FETCH_PROT,
    UC_ERR_FETCH_UNMAPPED,
    UC_ERR_INSN_INVALID,
    UC_ERR_READ_PROT,
    UC_ERR_READ_UNMAPPED,
    UC_ERR_WRITE_PROT,
    UC_ERR_WRITE_UNMAPPED,
    UC_MEM_FETCH,
    UC_MEM_FETCH_PROT,
    UC_MEM_FETCH_UNMAPPED,
    UC_MEM_WRITE,
    UC_MEM_WRITE_PROT,
    UC_MEM_WRITE_UNMAPPED,
    UC_PROT_ALL,
    UC_PROT_EXEC,
    UC_PROT_READ,
    UC_PROT_WRITE,
    Uc,
    UcError,
)
from unicorn import arm_const as uc_arm

from ..board import CoreSpec
from ..bus import AddressMap, Mapping
from ..clock import Clock
from ..engine import NS_PER_S, DebugHooks, Engine
from ..engine.tlb import grant
from ..peripherals.registers import PeripheralContext
from . import a7_mmu as mmu
from .a7_aborts import Aborts
from .a7_counter_poll import CounterPolls, CounterSkip
from .a7_debug import CortexA7Debug
from .a7_monitor import SecureInstructions
from .a7_snapshot import A7Snapshots
from .a7_watch import WatchedInstructions
from .a7_world import (
    CPSR_A,
    CPSR_F,
    CPSR_I,
    CPSR_IT,
    CPSR_J,
    CPSR_T,
    FAULT_WINDOW_BASE,
    FAULT_WINDOW_END,
    GIC_BASE,
    GPR,
    INTR_BKPT,
    INTR_DABT,
    INTR_PABT,
    INTR_SMC,
    INTR_SWI,
    MODE_FIQ,
    MODE_IRQ,
    MODE_MASK,
    MODE_SVC,
    MODE_USR,
    PAGE_MASK,
    RESET_CPSR,
    SCR_FIQ,
    SCR_IRQ,
    SCR_SCD,
    SCTLR,
    VEC_FIQ,
    VEC_IRQ,
    VEC_SVC,
    MonitorState,
    Stop,
    World,
    is_wfe_or_yield,
    is_wfi,
)
from .core import Core, CoreState
from .generic_timer import GenericTimers, copy_shared_state
from .gic import Gic

if TYPE_CHECKING:
    from .a7_access import AccessDecoder

log = logging.getLogger("sphere_emu.cpu.a7")


class CortexA7(A7Snapshots, CortexA7Debug, WatchedInstructions, Aborts, Core):
    """The A7 core: see the module docstring and docs/cortex-a7.md for the contract."""

    MAX_EXCEPTION_LOOP = 8  # exceptions in a row with no instruction retired: a lockup

    def __init__(self, spec: CoreSpec, clock: Clock, mappings: list[Mapping]) -> None:
        super().__init__(spec.name, spec.frequency_hz, clock)
        self.spec = spec
        self.engine = Engine(self, spec.frequency_hz, clock, redirect_host_clock=True)
        self.gic = Gic(f"{spec.name}-gic", PeripheralContext(
            clock=clock, options={"interrupts": spec.irqs or Gic.INTERRUPTS}))
        self.interrupt_controller = self.gic
        self.timers = GenericTimers(self.gic, clock)
        self.gic.on_signal_change = self._on_signal_change
        self.gic.before_acknowledge = self._sample_timers
        gic_mapping = Mapping(base=GIC_BASE, size=Gic.SIZE, name=f"{spec.name}-gic",
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
        self._secure_instructions = SecureInstructions(self.monitor, (self.secure, self.normal))
        self._decoder: AccessDecoder | None = None  # made when first needed (_decode_access)
        self._code_pages: set[int] = set()  # physical pages fetched from, in either world
        # ... at Unicorn's TLB page (1 KB on the A7 too): data sharing a 4 KB page with code
        # stays on the store fast path (engine/tlb.py).
        self._code_page_shift = self.secure.uc.ctl_get_page_size().bit_length() - 1
        self._stop: Stop | None = None
        self._in_emu = False  # inside emu_start and able to cut after an MMIO access
        self._left = 0
        self._run_budget = 0
        self._run_begin = 0
        self._complete_cut = False
        self._run_serial = 0
        self._approach: tuple[World, int, int] | None = None  # stop before a watched site
        self._site_ahead = 0  # a block hook's site: the count has not reached it yet
        self.fast_forward = True  # Machine sets it (set_fast_forward)
        self.counter_polls = CounterPolls(spec.frequency_hz)  # busy-waits on CNTPCT/CNTVCT
        self._counter_skip: CounterSkip | None = None
        self.engine.host_clock_source = self._host_clock_read
        self._exception_streak = 0
        self._debug = DebugHooks((self.secure.uc, self.normal.uc), self._on_breakpoint,
                                 self._on_watch)
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
    def bus_maps(self) -> list[AddressMap]:
        return [self.secure.map, self.normal.map]

    @property
    def physical_map(self) -> AddressMap:
        """The Secure World's view: every mapping, for bus masters such as Pluton."""
        return self.secure.map

    def reset(self) -> None:
        for world in (self.secure, self.normal):
            world.uc.context_restore(world.reset_context)
            world.flush_tlb()
            world.vfp_denied = False
            self.set_vfp_access(world, False)  # CPACR.cp10/cp11 reset to no access
        self.world = self.secure
        self.counter_polls.forget()
        self.monitor = self._secure_instructions.state = MonitorState()
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
        self.engine.run_slice(instructions, self)
        self._sample_timers()

    def stop_soon(self) -> None:
        self.engine.request_stop()

    # -- the engine's CpuModel -----------------------------------------------------------
    def next_run(self, left: int) -> int:
        self._left = left
        if self._complete_cut:
            return 1
        self._take_interrupt()
        if not self.runnable:
            return 0
        budget = self._budget_to_next_timer(left)
        approach, self._approach = self._approach, None
        if approach is not None:  # stop right before the watched site a block hook saw
            world, block, steps = approach
            if world is self.world and world.pc() == block:
                budget = min(budget, steps)
        return budget

    def run_once(self, count: int) -> bool:
        if self._complete_cut:
            self._complete_cut = False
            used, more = self._run_once(1)
            more = more or (used == 1 and self.runnable)  # the slice goes on
        else:
            used, more = self._run_once(count)
            if count < self._left and used == count:
                more = True  # stopped at a timer deadline, not at the slice's end
        self.engine.charge(used)
        if self._timer_due():
            self.timers.refresh(self.engine.now_ns())
        return more

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
        if self.engine.cut.pending:  # a cut whose access never came
            self.engine.cut.cancel()
        self._run_budget = budget
        self._run_begin = begin & ~1
        self._run_serial += 1
        self._before_run(world)
        self._in_emu = True
        try:
            begun, errno = self.engine.execute(uc, world.counter, begin, budget)
        finally:
            self._in_emu = False
        error = UcError(errno) if errno is not None else None
        exact = begun is not None
        started = min(begun, budget + 1) if begun is not None else budget
        if started > budget and error is None and self._stop is None:
            self._exception_streak = 0
            return budget, False  # the whole budget ran
        retired = min(started, budget)
        more = exact
        stop = self._stop
        if stop is not None and stop.kind == "debug":
            return max(retired - 1, 0), False
        if stop is not None and stop.kind == "replay":  # run the stopped instruction alone
            self._complete_cut = True
            return max(retired - 1, 0), more and self.runnable
        if stop is not None and stop.kind == "approach":  # next_run stops before the site
            return retired, more and self.runnable
        if stop is not None and stop.kind == "before":  # the site runs again next
            return max(retired - 1, 0), more and self.runnable
        if stop is not None and stop.kind == "skip":  # after a counter read: skip the poll
            skip, self._counter_skip = self._counter_skip, None
            if skip is not None:
                world.set_gpr(skip.rt, skip.value & 0xFFFFFFFF)
                world.set_gpr(skip.rt2, skip.value >> 32)
                return started - 1 + skip.instructions, more and self.runnable
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
        cut = self.engine.cut
        if cut.pending:
            if cut.settle(world.pc()):
                self._complete_cut = True  # abandoned: replayed before anything else
                return max(retired - 1, 0)
            return retired  # inside a Thumb IT block Unicorn finished it: nothing to replay
        signalled = self.gic.irq_signal or self.gic.fiq_signal
        if not signalled and world.last_was(is_wfi):
            self.state = CoreState.SLEEPING
        return retired

    def _on_stop(self, world: World, stop: Stop, retired: int) -> int:
        cpsr = world.cpsr()
        pc = world.pc()
        if stop.kind == "svc":
            world.enter_exception(MODE_SVC, VEC_SVC, lr=pc)
            return retired
        if stop.kind == "smc":
            smc_at = pc - 4
            if cpsr & MODE_MASK == MODE_USR or (not world.secure and self.monitor.scr & SCR_SCD):
                world.undefined(smc_at, bool(cpsr & CPSR_T))
            elif world.secure:
                self._resume_normal_world()
            else:
                self._monitor_entry(VEC_SVC, resume=pc, pass_arguments=True)
            return retired
        # The faulting instruction did not retire (a "udef" site's was never begun).
        used = retired if stop.kind == "udef" else max(retired - 1, 0)
        self._count_exception(world, pc, {"dabt": "alignment fault", "pabt": "prefetch abort",
                                          "bkpt": "breakpoint (BKPT)", "bus": "data abort",
                                          "intr": f"exception {stop.intno}",
                                          "udef": "undefined instruction"}[stop.kind],
                              stop.address if stop.kind == "bus" else None)
        if stop.kind == "dabt":  # translation is ours, so Unicorn's own aborts are alignment
            self._alignment_abort(world, pc)
        elif stop.kind == "pabt":
            self._prefetch_abort(world, pc, mmu.FS_EXTERNAL, pc)
        elif stop.kind == "bkpt":
            self._prefetch_abort(world, pc, mmu.FS_DEBUG, pc)
        elif stop.kind == "bus":
            self._external_data_abort(world, pc, stop.address, stop.write)
        elif stop.kind in ("intr", "udef"):
            world.undefined(pc, bool(cpsr & CPSR_T))
        return used

    def _on_error(self, world: World, error: UcError, retired: int, begin: int) -> int:
        pc = world.pc()
        thumb = bool(world.cpsr() & CPSR_T)
        code = error.errno
        if code == UC_ERR_INSN_INVALID:
            # WFE and YIELD end the run with PC already past them; treat them as hints.
            resumed_here = begin & ~1 == pc and retired <= 1
            if not resumed_here and world.last_was(is_wfe_or_yield):
                return retired
            used = max(retired - 1, 0)
            if world.secure and self._secure_instructions.emulate(world, pc, thumb):
                self.refresh_normal_vfp_access()  # NSACR may have changed
                return used + 1
            self._count_exception(world, pc, "undefined instruction")
            world.undefined(pc, thumb)
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
            self._stop = Stop(kind, intno=intno)
        uc.emu_stop()

    def _on_invalid_access(self, uc: Uc, access: int, address: int, _size: int, _value: int,
                           _data: object) -> bool:
        if self._stop is None:
            self._stop = Stop("unmapped", address=address,
                               write=access in (UC_MEM_WRITE_UNMAPPED, UC_MEM_WRITE_PROT),
                               fetch=access in (UC_MEM_FETCH_UNMAPPED, UC_MEM_FETCH_PROT))
        return False

    def _bus_error(self, address: int, is_write: bool) -> None:
        if self._stop is None:
            self._stop = Stop("bus", address=address, write=is_write)

    def _signalled(self) -> bool:
        return self.gic.irq_signal or self.gic.fiq_signal

    def _on_signal_change(self) -> None:
        signalled = self.gic.irq_signal or self.gic.fiq_signal
        if signalled and self.state is CoreState.SLEEPING:
            self.state = CoreState.RUNNING
        # Inside an MMIO access: end the run right after it, to take the interrupt or (masked)
        # to arm the unmask hooks.
        if signalled and self._in_emu and (self._deliverable()
                                           or self.world.unmask_hooks is None):
            self.engine.cut.request(self.world.pc())

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
                world.enter_exception(mode, vector, lr=pc + 4, mask_fiq=mode == MODE_FIQ)
                return

    # -- exception entry -----------------------------------------------------------------
    def _count_exception(self, world: World, pc: int, what: str, address: int | None = None
                         ) -> None:
        self._exception_streak += 1
        if self._exception_streak > self.MAX_EXCEPTION_LOOP:
            at = f", address {address:#010x}," if address is not None else ""
            self.halt(f"lockup: {what} at PC {pc:#010x}{at} keeps recurring with no "
                      f"instruction retired ({world.name} world, vector base "
                      f"{world.vector_base():#010x})")

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
                perms = ((UC_PROT_READ if read else 0) | (UC_PROT_WRITE if write else 0)
                         | (UC_PROT_EXEC if execute else 0))
                # Execute only on pages fetched from, so stores elsewhere stay fast (tlb.py).
                entry.perms = grant(kind, perms, desc.pa >> self._code_page_shift,
                                    self._code_pages)
                if kind == UC_MEM_FETCH:
                    self._hook_sites(world, va, desc.pa, not user)
                else:
                    world.drop_restored_itstate()
                return True
        entry.paddr = world.fault_page(va) | (va & PAGE_MASK)
        entry.perms = UC_PROT_ALL
        return True

    # -- worlds --------------------------------------------------------------------------
    def _switch_to(self, world: World) -> None:
        leaving = self.world
        self.timers.sample(leaving.uc, leaving.secure, self._counter_now_ns())
        copy_shared_state(leaving.uc, world.uc)
        self.world = world

    def _copy_arguments(self, src: World, dst: World) -> None:
        for reg in GPR[:4]:
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

    # -- time ----------------------------------------------------------------------------
    def _host_clock_read(self) -> int:
        """The host clock during a run (the native counter reads): the exact time, and a
        look at a counter-polling loop to skip (``a7_counter_poll.py``)."""
        engine = self.engine
        world = self.world
        if self.fast_forward and self._stop is None and engine.emulating and \
                world.counter.available and not self._site_ahead:
            started = world.counter.started()
            skip = self.counter_polls.observe(world, world.pc(), engine.used + started,
                                               engine.slice_start_ns,
                                               self._run_budget - started, world.gpr)
            if skip is not None:
                self._counter_skip = skip
                self._stop = Stop("skip")
                world.uc.emu_stop()
        return engine.now_ns()

    def _counter_now_ns(self) -> int:
        """Virtual time of the instruction executing now (slice start outside runs)."""
        return self.engine.now_ns(self._site_ahead)

    def local_time_ns(self) -> int:
        return self.engine.now_ns()

    def _ns_to_instructions(self, ns: int) -> int:
        return -(-ns * self.frequency_hz // NS_PER_S)

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
