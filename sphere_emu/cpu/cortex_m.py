"""The Cortex-M4F IO core: the architecture Unicorn lacks, on the shared run engine.

Unicorn's Cortex-M executes Thumb-2, VFP, MRS/MSR, CPS and banks the stack pointer, but it has
no NVIC, no SysTick and takes no exceptions (``docs/cortex-m.md``). The NVIC state lives in
``nvic.py``, its registers and the SCB in ``scs.py``, SysTick in ``systick.py``; counted runs,
exact time, the access cut and the debug tables in ``engine/``. Which exception to take,
entry and return (stacking, EXC_RETURN, tail-chaining) are in ``m_exceptions.py``, faults
with escalation and lockup in ``m_faults.py``, the debugger interface in ``m_debug.py``;
this module runs the core and routes what Unicorn reports to them.

Exceptions are taken at instruction boundaries the model controls: before each counted run,
inside Unicorn's interrupt hook (SVC, exception return, coprocessor faults), and after a
register write that made one deliverable (the engine ends the run after that access).
"""

import logging
import struct
from typing import Any

from unicorn import (
    UC_ARCH_ARM,
    UC_HOOK_CODE,
    UC_HOOK_MEM_INVALID,
    UC_MODE_MCLASS,
    UC_MODE_THUMB,
    Uc,
    UcError,
)
from unicorn import arm_const as A

from ..board import CoreSpec
from ..bus import AddressMap, Mapping
from ..clock import Clock
from ..engine import (
    DebugHooks,
    Engine,
    Register,
    RegisterGroup,
    RetiredCounter,
    end_runs_by_count,
)
from ..engine.busywait import BusyWaits
from ..engine.hooks import hook_interrupts
from ..engine.native import NativeCounter, NativeLibrary
from ..engine.native.accesses import AccessLocator
from ..engine.tlb import IdentityTlb, unmapped_ranges
from ..peripherals.registers import BusAccess, PeripheralContext
from .core import HALTED, RUNNING, SLEEPING, Core, CoreState, DebugStop
from .dwt import DWT_BASE, DWT_SIZE, DataWatchpointTrace
from .m_debug import (
    CONTROL_NPRIV,
    CORE_REGS,
    XPSR_IPSR,
    XPSR_WRITE,
    CortexMDebug,
)
from .m_exceptions import S_XPSR, XPSR_T, ExceptionEntry
from .m_faults import FaultHandling
from .m_snapshot import M4Snapshots
from .nvic import (
    HARDFAULT,
    SYSTICK,
    USAGEFAULT,
    Nvic,
)
from .scs import (
    DIVBYZERO,
    HFSR_DEBUGEVT,
    INVSTATE,
    NOCP,
    SCS_BASE,
    SCS_SIZE,
    UNALIGNED,
    SystemControlSpace,
)
from .systick import SysTick
from .thumb import unmask_sites

log = logging.getLogger("sphere_emu.cpu.cortex_m")

# CONTROL, xPSR, EXC_RETURN
# Thumb hint encodings Unicorn stops on
WFI = 0xBF30
WIDE_HINT = 0xF3AF  # first halfword of wfi.w / wfe.w / yield.w; the second is 0x800n

UNTIL_NEVER = 0xFFFFFFFF  # odd, so never a Thumb instruction address

_FRAME_REGS = (A.UC_ARM_REG_R0, A.UC_ARM_REG_R1, A.UC_ARM_REG_R2, A.UC_ARM_REG_R3,
               A.UC_ARM_REG_R12, A.UC_ARM_REG_LR)  # as stacked, before the return address
# The core's state as exception entry and return need it, in one C call (``_state``);
# m_exceptions.S_* name the positions.
_STATE_REGS = (*_FRAME_REGS, A.UC_ARM_REG_XPSR, A.UC_ARM_REG_CONTROL, A.UC_ARM_REG_SP,
               A.UC_ARM_REG_PC, A.UC_ARM_REG_MSP, A.UC_ARM_REG_PSP, A.UC_ARM_REG_PRIMASK,
               A.UC_ARM_REG_BASEPRI, A.UC_ARM_REG_FAULTMASK)
_FP_CONTEXT_REGS = (*range(A.UC_ARM_REG_D0, A.UC_ARM_REG_D0 + 8), A.UC_ARM_REG_FPSCR)
_PRIVILEGED_STATE = (A.UC_ARM_REG_MSP, A.UC_ARM_REG_PSP, A.UC_ARM_REG_PRIMASK,
                     A.UC_ARM_REG_BASEPRI, A.UC_ARM_REG_FAULTMASK)
_CS_ALIASES = {"sb": "r9", "sl": "r10", "fp": "r11", "ip": "r12"}  # capstone's names

# QEMU exception numbers Unicorn passes to UC_HOOK_INTR
_INTR_SVC, _INTR_BKPT, _INTR_EXC_RETURN = 2, 7, 8
_INTR_USAGE_FAULTS = {17: NOCP, 18: INVSTATE, 22: UNALIGNED, 23: DIVBYZERO}


class CortexM4(M4Snapshots, CortexMDebug, FaultHandling, ExceptionEntry, Core):
    """An MT3620 IO core: ARMv7E-M with the single-precision FPU (Cortex-M4F)."""

    def __init__(self, spec: CoreSpec, clock: Clock, mappings: list[Mapping]) -> None:
        super().__init__(spec.name, spec.frequency_hz, clock)
        uc = self.uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
        uc.ctl_set_cpu_model(A.UC_CPU_ARM_CORTEX_M4)
        self.engine = Engine(self, spec.frequency_hz, clock)
        self._counter: RetiredCounter | NativeCounter = RetiredCounter(uc)
        self._native: NativeCounter | None = None  # the --fast mode's block counter
        end_runs_by_count(uc)
        self.nvic = Nvic(spec.irqs, spec.priority_bits)
        self.nvic.on_change = self._exception_state_changed
        self.interrupt_controller = self.nvic
        self.systick = SysTick(clock, spec.frequency_hz, lambda: self.nvic.set_pending(SYSTICK),
                               self.engine.now_ns)
        scs_context = PeripheralContext(clock=clock)
        self.scs = SystemControlSpace(f"{spec.name}-scs", self, scs_context)
        self.scs.now_ns = self.engine.now_ns
        self._map = AddressMap(spec.name)
        for m in mappings:
            self._map.add(m)
        self._map.add(Mapping(SCS_BASE, SCS_SIZE, "scs", "peripheral", peripheral=self.scs))
        self.dwt = DataWatchpointTrace(f"{spec.name}-dwt", self, spec.frequency_hz,
                                       self.engine.now_ns, PeripheralContext(clock=clock))
        self.scs.on_demcr = self.dwt.retime
        self._map.add(Mapping(DWT_BASE, DWT_SIZE, "dwt", "peripheral", peripheral=self.dwt))
        self._map.access = BusAccess(spec.name, privileged=self.privileged)
        self._map.on_bus_error = self._on_bus_error
        self._map.cut = self.engine.cut
        self._map.install(uc)
        hook_interrupts(uc, self._on_intr)
        self._unmask_sites: set[int] = set()  # CPSIE/MSR-to-mask instructions fetched so far
        self._unmask_hooks: list[int] = []
        self._unmask_armed = False
        self._tlb = IdentityTlb(uc, self._mapping_kind, on_code_page=self._hook_unmask_sites)
        for begin, end in unmapped_ranges((m.base, m.end) for m in self._map.mappings):
            uc.hook_add(UC_HOOK_MEM_INVALID, self._on_invalid_memory, begin=begin, end=end)
        # Memory the firewall may hide later (a shared window) needs the hook too, for BFAR.
        self._map.watch_invalid = lambda begin, end: uc.hook_add(
            UC_HOOK_MEM_INVALID, self._on_invalid_memory, begin=begin, end=end - 1)
        self._state_regs = RegisterGroup(uc, _STATE_REGS)
        self._return_regs = RegisterGroup(uc, _STATE_REGS[S_XPSR:])  # m_exceptions.R_*
        self._privileged_state = RegisterGroup(uc, _PRIVILEGED_STATE)
        self._fp_context = RegisterGroup(uc, _FP_CONTEXT_REGS)
        self._run_start = RegisterGroup(uc, (A.UC_ARM_REG_PC, A.UC_ARM_REG_XPSR))
        self._registers: dict[int, Register] = {}
        self._pc = Register(uc, A.UC_ARM_REG_PC)
        self._ipsr = Register(uc, A.UC_ARM_REG_IPSR)
        self._control = Register(uc, A.UC_ARM_REG_CONTROL)
        self._handler_entry = RegisterGroup(uc, (A.UC_ARM_REG_SP, XPSR_WRITE,
                                                 A.UC_ARM_REG_CONTROL, A.UC_ARM_REG_LR,
                                                 A.UC_ARM_REG_PC))
        self._unstack_msp, self._unstack_psp = (
            RegisterGroup(uc, (A.UC_ARM_REG_CONTROL, sp, *_FRAME_REGS, XPSR_WRITE,
                               A.UC_ARM_REG_PC))
            for sp in (A.UC_ARM_REG_MSP, A.UC_ARM_REG_PSP))
        self._decoder: Any = None  # capstone, made when first needed (_capstone)
        self._cs_registers: dict[int, Register] = {}  # capstone id -> the core register
        self._busywaits = BusyWaits(spec.frequency_hz, self._decode, self._pc.read,
                                    self._capstone_register, self.engine.cut, self._code)
        self.engine.busywaits = self._busywaits
        self._map.on_time_source_read = self.engine.time_source_read
        self.halt_on_bkpt = False  # set while a debugger is attached: BKPT stops, no HardFault
        self._debug = DebugHooks((uc,), self._on_breakpoint, self._on_watch)
        self._boot_vector_table = 0
        self._last_ram: Mapping | None = None  # where _ram found memory last
        self._vector_memory: Mapping | None = None  # where _vector found the table last
        self._clear_run_state()
        self.state = CoreState.HELD if spec.reset == "held" else CoreState.RUNNING
        if self.state is CoreState.RUNNING:
            self.reset()

    @property
    def address_map(self) -> AddressMap:
        return self._map

    def use_native_counter(self, library: NativeLibrary) -> bool:
        """The ``--fast`` mode: count instructions per block in C (``engine/native``)
        instead of Unicorn's per-instruction count. Register accesses are timed at their
        own instruction, found from the registers (``engine/native/accesses.py``), but see
        their block's start as the PC: a busy-wait is still skipped when its load starts the
        block (the usual ``ldr; cmp; b`` shape; others never qualify), and the PC of a cut
        or refused access is taken from where the run stopped."""
        self._native = NativeCounter(self.uc, library)
        self._native.locate_accesses(AccessLocator(self._decode, self._capstone_register))
        self._map.on_access = self._native.access
        self.engine.carries_overshoot = True
        self._counter = self._native
        self.uc.ctl_flush_tb()  # blocks translated so far lack the block hook
        return True

    def set_fast_forward(self, enabled: bool) -> None:
        self._busywaits.enabled = enabled

    def _clear_run_state(self) -> None:
        self.engine.cut.cancel()
        self._busywaits.forget()
        self._taken_fault_pc: int | None = None  # the last fault taken (for lockup reports)
        self._counter.clear()  # a reset or a restore may follow new code
        self._bus_error: tuple[int, int] | None = None  # data address, pc of the access
        self._fault_address: int | None = None  # from Unicorn's invalid-memory hook
        self._unmask_stop = False  # stopped before an unmasking instruction: run it alone
        self._step_next = False
        self._run_count = 0
        self._watch_hit: tuple[int, str] | None = None
        self._watch_suppressed = False
        self._reset_requested = False
        self._slice_given_up = False
        self._resume_over: int | None = None  # breakpoint the core last stopped on
        self._step_over: int | None = None
        self._run_begin: int | None = None  # set by next_run for the run right after it

    # -- lifecycle -----------------------------------------------------------------------
    def start_at(self, entry: int) -> None:
        self._boot_vector_table = entry
        self.state = CoreState.RUNNING
        self.reset()

    def reset(self) -> None:
        """Reset as on power-up, then fetch SP and PC from the boot vector table.

        Memory keeps its contents (hardware does not reload the program).
        """
        held = self.state is CoreState.HELD
        self.nvic.reset()
        self.systick.reset()
        self.scs.reset()
        self.dwt.reset()
        self.scs.regs["VTOR"] = self._boot_vector_table
        self._clear_run_state()
        self.debug_stop = None
        self.halt_reason = None
        uc = self.uc
        uc.reg_write(XPSR_WRITE, XPSR_T | 1)  # Handler mode, so every write below is allowed
        uc.reg_write(A.UC_ARM_REG_CONTROL, 0)
        for reg in (A.UC_ARM_REG_PRIMASK, A.UC_ARM_REG_BASEPRI, A.UC_ARM_REG_FAULTMASK,
                    A.UC_ARM_REG_PSP, A.UC_ARM_REG_FPSCR, *CORE_REGS.values()):
            uc.reg_write(reg, 0)
        for i in range(16):
            uc.reg_write(A.UC_ARM_REG_D0 + i, 0)
        uc.reg_write(A.UC_ARM_REG_LR, 0xFFFFFFFF)
        uc.reg_write(XPSR_WRITE, XPSR_T)  # back to Thread mode on the main stack
        if held:
            self.state = CoreState.HELD
            return
        vectors = self._read_words(self._boot_vector_table, 2)
        if vectors is None:
            self._lockup("vector table unreadable", self._boot_vector_table, 0)
            return
        self.state = CoreState.RUNNING
        uc.reg_write(A.UC_ARM_REG_MSP, vectors[0] & ~3)
        uc.reg_write(A.UC_ARM_REG_PC, vectors[1])

    def request_reset(self) -> None:
        """AIRCR.SYSRESETREQ: reset once the current instruction is done."""
        self._reset_requested = True
        if self.engine.emulating:
            self.uc.emu_stop()

    def stop_soon(self) -> None:
        self.engine.request_stop()

    # -- running (the engine's CpuModel) --------------------------------------------------
    def run(self, instructions: int) -> None:
        self._slice_given_up = False
        self.engine.run_slice(instructions, self)

    def next_run(self, left: int) -> int:
        if self._slice_given_up:
            return 0
        begin = self._take_pending()
        if not self.runnable:
            return 0
        self._run_begin = begin  # the handler just entered: where the next run begins
        if self._step_next:
            self._step_next = False
            return 1
        return left

    def run_once(self, count: int) -> bool:
        self._execute(count)
        return True

    def local_time_ns(self) -> int:
        """Virtual time at the instruction executing now (the engine's exact time)."""
        return self.engine.now_ns()

    def _hook_unmask_sites(self, page: int) -> None:
        """Note the CPSIE and MSR-to-mask instructions of a page the first time it is fetched.

        Unicorn cannot report those instructions. A code hook, even on one address, makes
        Unicorn call out on every instruction it translates afterwards (about half the
        counted speed), so the sites are hooked only while an exception waits behind a mask
        (``_arm_unmask_hooks``).
        """
        size = self._tlb.page_size
        try:  # with the next halfword: a 32-bit MSR may start in the page's last one
            code = bytes(self.uc.mem_read(page, size + 2))
        except UcError:
            try:
                code = bytes(self.uc.mem_read(page, size))
            except UcError:
                return
        sites = [page + offset for offset in unmask_sites(code) if offset < size]
        self._unmask_sites.update(sites)
        if self._unmask_armed:  # the page is about to be translated: hooked in time
            self._unmask_hooks.extend(self._hook_site(site) for site in sites)

    def _hook_site(self, site: int) -> int:
        return self.uc.hook_add(UC_HOOK_CODE, self._on_unmask_site, begin=site, end=site)

    def _arm_unmask_hooks(self) -> None:
        """Hooks on the unmask sites while an exception waits (behind a mask, or behind the
        active handler's priority, which a mask may replace when the handler returns).

        Unicorn decides at translation whether code calls its hooks, so every change
        drops the translations (rare: an interrupt arriving inside a masked stretch)."""
        wanted = bool(self.nvic.pending)
        if wanted == self._unmask_armed:
            return
        self._unmask_armed = wanted
        if wanted:
            self._unmask_hooks = [self._hook_site(site) for site in sorted(self._unmask_sites)]
        else:
            for hook in self._unmask_hooks:
                self.uc.hook_del(hook)
            self._unmask_hooks = []
        self.uc.ctl_flush_tb()

    def _on_unmask_site(self, uc: Uc, _address: int, _size: int, _data: object) -> None:
        """Before a possible unmask with an exception waiting: end the run, run it alone."""
        if self._run_count > 1 and self._masked_pending():
            self._unmask_stop = True
            uc.emu_stop()

    def _masked_pending(self) -> bool:
        nvic = self.nvic
        return bool(nvic.pending) and nvic.deliverable(nvic.execution_priority()) is not None

    def _execute(self, count: int) -> None:
        """One counted Unicorn run, then whatever ended it."""
        engine = self.engine
        begin, self._run_begin = self._run_begin, None
        if begin is None:
            pc, xpsr = self._run_start.read()
            begin = pc | (xpsr >> 24 & 1)
        else:
            pc = begin & ~1
        if engine.cut.pending:  # a stop that never came: nothing to replay
            engine.cut.cancel()
            self._busywaits.pending = None
        if self._resume_over == pc:
            self._step_over = pc
        self._resume_over = None
        self._bus_error = self._watch_hit = self._fault_address = None
        self._unmask_stop = False
        self._run_count = count
        self._arm_unmask_hooks()
        try:
            started, error = engine.execute(self.uc, self._counter, begin, count)
        finally:
            self._step_over = None
        if self._native is not None:
            self._exact_access_pc()
        counted = started is not None
        if started is None:
            started = count  # without the counter an early stop costs the run
        # An instruction abandoned by a cut retires when it runs again, not now.
        abandoned = counted and error is None and (self._unmask_stop or (
            engine.cut.pending and not self._reset_requested
            and self._bus_error is None and self._watch_hit is None
            and self.debug_stop is None and self.state is not HALTED
            and self._pc.read() == engine.cut.pc))
        engine.charge(max(1, min(count, started)) - abandoned)
        if self._reset_requested:
            self.reset()
        elif self.state is HALTED or self.debug_stop is not None:
            pass
        elif self._watch_hit is not None:
            self._finish_watched_access()
        elif error is not None:
            self._cpu_error(error)
        elif self._bus_error is not None:
            self._data_bus_error()
        elif engine.cut.pending:
            self._finish_stopped_access()
        elif self._unmask_stop:
            self._step_next = True
        elif counted and started <= count:
            self._stopped_early()

    def _exact_access_pc(self) -> None:
        """Block counting (``--fast``): an access saw its block's start as the PC; the
        instruction that made it is where the run stopped (Unicorn restores the PC)."""
        if self.engine.cut.pending or self._bus_error is not None:
            pc = self._pc.read()
            if self.engine.cut.pending:
                self.engine.cut.pc = pc
            if self._bus_error is not None:
                self._bus_error = (self._bus_error[0], pc)

    def _stopped_early(self) -> None:
        """The run ended with nothing recorded and count to spare: Unicorn halted on WFI."""
        if self._follows_hint(self._reg(A.UC_ARM_REG_PC).read(), WFI) and \
                not self._wake_condition():
            self.state = CoreState.SLEEPING

    def _follows_hint(self, pc: int, hint: int) -> bool:
        """Whether the instruction before ``pc`` is the hint (16- or 32-bit encoding)."""
        try:
            before = bytes(self.uc.mem_read(pc - 4, 4))
        except UcError:
            return False
        first, second = struct.unpack("<HH", before)
        return second == hint or (first, second) == (WIDE_HINT, 0x8000 | (hint >> 4 & 0xF))

    # -- what the bus and the SCS tell the core ------------------------------------------
    def privileged(self) -> bool:
        """Handler mode, or Thread mode with CONTROL.nPRIV clear."""
        return not self._reg(A.UC_ARM_REG_CONTROL).read() & CONTROL_NPRIV or bool(self.ipsr())

    def _on_bus_error(self, address: int, _is_write: bool) -> None:
        if self._bus_error is None:
            self._bus_error = (address, self._reg(A.UC_ARM_REG_PC).read())

    def scs_refused(self, offset: int, is_write: bool) -> int:
        """An unprivileged access to the SCS is a bus error, like a refused bus access."""
        self._on_bus_error(SCS_BASE + offset, is_write)
        self.uc.emu_stop()
        return 0

    def ppb_refused(self, address: int, is_write: bool) -> int:
        """An unprivileged access to the DWT is a bus error, like a refused bus access."""
        self._on_bus_error(address, is_write)
        self.uc.emu_stop()
        return 0

    def demcr(self) -> int:
        return self.scs.regs["DEMCR"]

    def _reg(self, reg: int) -> Register:
        """A core register read and written through the C API (engine/regs.py)."""
        register = self._registers.get(reg)
        if register is None:
            register = self._registers[reg] = Register(self.uc, reg)
        return register

    def _code(self, address: int, size: int) -> bytes | None:
        try:
            return bytes(self.uc.mem_read(address, size))
        except UcError:
            return None

    def _decode(self, begin: int, end: int) -> list[Any] | None:
        """Instructions in [begin, end) with operand details (for busy-wait loops)."""
        try:
            code = bytes(self.uc.mem_read(begin, end - begin))
        except UcError:
            return None
        return list(self._capstone().disasm(code, begin))

    def _capstone(self) -> Any:
        """A Thumb (M-class) disassembler with operand details, made on first use:
        importing capstone is a tenth of a bare run's start-up, and most runs never
        decode anything."""
        if self._decoder is None:
            from capstone import CS_ARCH_ARM, CS_MODE_MCLASS, CS_MODE_THUMB, Cs
            self._decoder = Cs(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS)
            self._decoder.detail = True
        return self._decoder

    def _capstone_register(self, reg: int) -> int:
        register = self._cs_registers.get(reg)
        if register is None:
            name = self._capstone().reg_name(reg) or ""
            uc_reg = CORE_REGS.get(_CS_ALIASES.get(name, name))
            if uc_reg is None:
                return 0
            register = self._cs_registers[reg] = Register(self.uc, uc_reg)
        return register.read()

    def _mapping_kind(self, address: int) -> str | None:
        m = self._map.find(address)
        return None if m is None else m.kind

    def _on_invalid_memory(self, _uc: Uc, _access: int, address: int, _size: int, _value: int,
                           _data: object) -> bool:
        self._fault_address = address
        return False

    def _exception_state_changed(self) -> None:
        """Something was pended, enabled or reprioritised."""
        if self.engine.emulating:
            cut = self.engine.cut
            # A newly waiting exception ends the run too: the unmask sites get their hooks.
            if not cut.pending and (self._deliverable() is not None or (
                    not self._unmask_armed and self.nvic.pending)):
                cut.request(self._pc.read())
        elif self.state is SLEEPING and self._wake_condition():
            self.state = RUNNING

    def _finish_stopped_access(self) -> None:
        """A register access made an exception deliverable and the bus stopped the run.

        Unicorn abandoned the instruction that made the access; it runs once more (the bus
        answers it from its record) so the exception returns to the instruction after it.
        Inside an IT block Unicorn instead finishes the block, and the PC has moved on.
        """
        pc = self._pc.read()
        engine = self.engine
        skip = self._busywaits.take()
        if engine.cut.settle(pc):
            if skip is not None:  # a busy-wait's iterations, charged without running them
                engine.charge(skip.instructions)
                engine.cut.record = (False, skip.address, skip.value)
            self._resume_over = pc  # a breakpoint there has already fired
            self._execute(1)

    # -- exception priority --------------------------------------------------------------
    def ipsr(self) -> int:
        return self._ipsr.read() & XPSR_IPSR

    # -- Unicorn hooks -------------------------------------------------------------------
    def _on_intr(self, intno: int) -> None:
        if self._native is not None:
            self._native.exception_at(self._pc.read())
        if intno == _INTR_EXC_RETURN:  # Handler mode: nothing hidden from _return_regs
            self._exception_return(self._return_regs.read())
        elif intno == _INTR_SVC:
            self._svc(self._pc.read())
        elif intno == _INTR_BKPT:
            pc = self._pc.read()
            if self.halt_on_bkpt:
                self.debug_stop = DebugStop("breakpoint", pc)
                self.uc.emu_stop()
            else:
                self._fault(HARDFAULT, pc, hfsr=HFSR_DEBUGEVT)
        elif intno in _INTR_USAGE_FAULTS:
            self._fault(USAGEFAULT, self._pc.read(), cfsr=_INTR_USAGE_FAULTS[intno])
        else:
            self._lockup(f"unexpected CPU exception {intno}")
