"""Cortex-M exceptions: which one to take, entry (stacking, vector fetch), EXC_RETURN,
tail-chaining.

A mixin of ``CortexM4``. The NVIC (``nvic.py``) holds what is pending and active; this
decides with the core's masks what preempts, before each counted run. Entry pushes the
basic or extended (FP) frame on the current stack with the 8-byte alignment CCR.STKALIGN
asks for, then starts the handler from the vector table at VTOR. Return (Unicorn reports
EXC_RETURN as an interrupt and does not unstack) checks the EXC_RETURN value and the active
set, tail-chains into a pending exception that can preempt, or unstacks and resumes;
SLEEPONEXIT sleeps on the way out. A stacking or unstacking bus error becomes the derived
BusFault, as on hardware.

Entry and return run on every interrupt, so they read and write the core's registers in
one C call each way (``RegisterGroup``), move the frame with one ``struct`` call straight
in the memory's host buffer, and call as few Python functions as the checks allow (issue
16: a Python call costs about as much here as a register access through ctypes).
"""

import mmap
import struct
from collections.abc import Callable

from unicorn import Uc
from unicorn import arm_const as A

from ..bus import AddressMap, Mapping
from ..engine import Register, RegisterGroup
from .core import RUNNING, CoreState
from .m_debug import CONTROL_FP_ACTIVE, CONTROL_FPCA, CONTROL_NPRIV, CONTROL_SPSEL, XPSR_IPSR
from .nvic import HARDFAULT, NMI, SVCALL, USAGEFAULT, Nvic, exception_name
from .scs import (
    HFSR_FORCED,
    HFSR_VECTTBL,
    INVPC,
    NONBASETHRDENA,
    SLEEPONEXIT,
    STKALIGN,
    STKERR,
    UNSTKERR,
)

XPSR_T = 1 << 24
XPSR_ALIGN = 1 << 9  # in a stacked xPSR: the frame was padded to 8 bytes
XPSR_IT = (0x3 << 25) | (0x3F << 10)
EXC_RETURN_BASE = 0xFFFFFFE1
EXC_RETURN_THREAD, EXC_RETURN_PSP, EXC_RETURN_BASIC_FRAME = 8, 4, 0x10
EXC_RETURN_HANDLER = EXC_RETURN_BASE  # back to Handler mode (an FP frame)
EXC_RETURN_HANDLER_BASIC = EXC_RETURN_BASE | EXC_RETURN_BASIC_FRAME
EXC_RETURN_THREAD_EXTENDED = EXC_RETURN_BASE | EXC_RETURN_THREAD
EXC_RETURN_THREAD_BASIC = EXC_RETURN_THREAD_EXTENDED | EXC_RETURN_BASIC_FRAME
BASIC_FRAME, EXTENDED_FRAME = 0x20, 0x68
# The EXC_RETURN and frame size of an entry, by CONTROL.FPCA and .SPSEL of the context left
# and bit 0 for Handler mode (where SPSEL is not used: the main stack).
_ENTRY_CONTROL = CONTROL_FPCA | CONTROL_SPSEL
_ENTRIES = {
    control | handler: (
        (EXC_RETURN_BASE if handler else EXC_RETURN_BASE | EXC_RETURN_THREAD
         | (EXC_RETURN_PSP if control & CONTROL_SPSEL else 0))
        | (0 if control & CONTROL_FPCA else EXC_RETURN_BASIC_FRAME),
        EXTENDED_FRAME if control & CONTROL_FPCA else BASIC_FRAME)
    for control in (0, CONTROL_SPSEL, CONTROL_FPCA, CONTROL_FPCA | CONTROL_SPSEL)
    for handler in (0, 1)}
# The valid EXC_RETURN values: (to Thread mode, on the process stack, frame size).
_EXC_RETURNS = {
    EXC_RETURN_HANDLER: (False, False, EXTENDED_FRAME),
    EXC_RETURN_THREAD_EXTENDED: (True, False, EXTENDED_FRAME),
    EXC_RETURN_THREAD_EXTENDED | EXC_RETURN_PSP: (True, True, EXTENDED_FRAME),
    EXC_RETURN_HANDLER_BASIC: (False, False, BASIC_FRAME),
    EXC_RETURN_THREAD_BASIC: (True, False, BASIC_FRAME),
    EXC_RETURN_THREAD_BASIC | EXC_RETURN_PSP: (True, True, BASIC_FRAME),
}

_XPSR_KEPT = ~(XPSR_IT | XPSR_IPSR | XPSR_T)  # what a handler inherits of the xPSR it preempts
_BASIC = struct.Struct("<8I")  # R0-R3, R12, LR, return address, xPSR
_FP = struct.Struct("<8Q2I")  # S0-S15 as D0-D7, FPSCR, reserved
_FP_RESTORE = struct.Struct("<8QI")
_WORD = struct.Struct("<I")

# Where the core's state tuple (``_state``, one C call) keeps each register.
S_XPSR, S_CONTROL, S_SP, S_PC, S_MSP, S_PSP = 6, 7, 8, 9, 10, 11
S_PRIMASK, S_BASEPRI, S_FAULTMASK = 12, 13, 14
S_MASKS = S_PRIMASK
# The state an exception return reads (``_return_regs``): the same registers from xPSR on.
R_XPSR, R_CONTROL, R_SP, R_PC, R_MSP, R_PSP, R_PRIMASK, R_BASEPRI, R_FAULTMASK = range(9)
R_MASKS = R_PRIMASK


class ExceptionEntry:
    uc: Uc
    state: CoreState
    nvic: Nvic
    _map: AddressMap
    _reg: Callable[[int], Register]
    _state_regs: RegisterGroup
    _privileged_state: RegisterGroup
    _fp_context: RegisterGroup
    _handler_entry: RegisterGroup
    _unstack_msp: RegisterGroup
    _unstack_psp: RegisterGroup
    _last_ram: Mapping | None
    _vector_memory: Mapping | None

    # -- what to take --------------------------------------------------------------------
    def _state(self) -> tuple[int, ...]:
        """R0-R3, R12, LR, xPSR, CONTROL, SP, PC, MSP, PSP, PRIMASK, BASEPRI, FAULTMASK
        (``S_*``): one C call unless Thread mode is unprivileged, where Unicorn hides the
        last five."""
        state = self._state_regs.read()
        if not state[S_XPSR] & XPSR_IPSR and state[S_CONTROL] & CONTROL_NPRIV:
            borrowed = self._borrow_privilege()
            state = state[:S_MSP] + self._privileged_state.read()
            self._return_privilege(borrowed)
        return state

    def _masks(self) -> tuple[int, int, int]:
        """PRIMASK, BASEPRI, FAULTMASK."""
        primask, basepri, faultmask = self._state()[S_MASKS:]
        return primask, basepri, faultmask

    def _execution_priority(self) -> int:
        return self.nvic.execution_priority(*self._masks())

    def _deliverable(self) -> int | None:
        if not self.nvic.pending:
            return None
        return self.nvic.deliverable(self._execution_priority())

    def _wake_condition(self) -> bool:
        """WFI wakes for an exception that could preempt if PRIMASK/FAULTMASK were clear."""
        nvic = self.nvic
        if not nvic.pending:
            return False
        _, basepri, _ = self._masks()
        return nvic.deliverable(nvic.execution_priority(basepri=basepri)) is not None

    def _take_pending(self) -> int | None:
        """Before a run: enter every exception that can preempt (a higher one may preempt
        the handler just entered). Returns where the run is to begin if a handler was
        entered (its vector, bit 0 the Thumb state: the PC and xPSR just written), so the
        run need not read them back; None if the registers are to be read."""
        nvic = self.nvic
        begin = None
        while nvic.pending and self.state is RUNNING:
            state = self._state_regs.read()
            if not state[S_XPSR] & XPSR_IPSR and state[S_CONTROL] & CONTROL_NPRIV:
                state = self._state()  # unprivileged Thread mode: the masks were hidden
            exc = nvic.preempting(state[S_PRIMASK], state[S_BASEPRI], state[S_FAULTMASK])
            if exc is None:
                break
            begin = self._enter(exc, state[S_PC], state)
        return begin

    def _svc(self, return_address: int) -> None:
        """SVC (Unicorn has already stepped past it): SVCall, or HardFault if it cannot run."""
        priority = self._execution_priority()
        if self.nvic.group_priority(SVCALL) < priority:
            self._enter(SVCALL, return_address)
            return
        target = self._fault_target(HARDFAULT, priority)
        if target is None:
            self._lockup(f"SVC in {exception_name(self.ipsr())}", None, return_address - 2)
            return
        self.scs.record_fault(hfsr=HFSR_FORCED)
        self._enter(HARDFAULT, return_address - 2)

    # -- exception entry -----------------------------------------------------------------
    def _enter(self, exc: int, return_address: int, state: tuple[int, ...] | None = None
               ) -> int | None:
        """Push R0-R3, R12, LR, the return address and xPSR (and S0-S15, FPSCR when the
        context uses the FPU) on the current stack and start the handler of ``exc``.
        ``state`` is the core's register state read just before (``_state``), if the
        caller has it. A stack that is not writable RAM leaves ``exc`` pending and takes
        the derived BusFault instead; the stack pointer moves either way. Returns the
        handler's address as ``_dispatch`` does (None after a stacking fault)."""
        if state is None:
            state = self._state()
        xpsr, control, sp = state[S_XPSR], state[S_CONTROL], state[S_SP]
        exc_return, size = _ENTRIES[control & _ENTRY_CONTROL | (1 if xpsr & XPSR_IPSR else 0)]
        if sp & 4 and self.scs.ccr & STKALIGN.mask:
            frameptr = (sp - size - 4) & ~3
            stacked_xpsr = xpsr | XPSR_ALIGN
        else:
            frameptr = (sp - size) & ~3
            stacked_xpsr = xpsr & ~XPSR_ALIGN
        at = self._ram(frameptr, size, True)
        if at is None:
            self._reg(A.UC_ARM_REG_SP).write(frameptr)
            self.scs.record_fault(cfsr=STKERR)
            self._derived_fault(frameptr, exc_return, self._execution_priority(), STKERR,
                                xpsr, control)
            return None
        buffer, offset = at
        _BASIC.pack_into(buffer, offset, *state[:S_XPSR], return_address & ~1, stacked_xpsr)
        if size == EXTENDED_FRAME:  # lazy stacking is not modelled: saved at once
            *doubles, fpscr = self._fp_context.read()
            _FP.pack_into(buffer, offset + BASIC_FRAME, *doubles, fpscr, 0)
            self.scs.regs["FPCAR"] = frameptr + BASIC_FRAME
        return self._dispatch(exc, frameptr, exc_return, xpsr, control)

    def _dispatch(self, exc: int, sp: int, exc_return: int, xpsr: int, control: int
                  ) -> int | None:
        """Start the handler of ``exc`` over a frame stacked at ``sp`` (entry, tail-chain,
        derived fault); ``xpsr`` and ``control`` are the values of the context being left.
        Returns the vector (the handler's address, bit 0 its Thumb state); None on lockup.

        The vector table's memory is remembered apart from ``_ram``'s (the stack's), so a
        table in flash and a stack in TCM do not displace each other."""
        address = self.scs.regs["VTOR"] + 4 * exc
        m = self._vector_memory
        if m is None or address < m.base or address + 4 > m.base + m.size:
            m = self._map.find(address)
            if m is not None and address + 4 <= m.end:
                self._vector_memory = m
            else:
                m = None
        if m is None or m.memory is None:
            if exc in (HARDFAULT, NMI):
                self._lockup(f"vector fetch for {exception_name(exc)} failed", address)
                return None
            self.scs.record_fault(hfsr=HFSR_VECTTBL)
            return self._dispatch(HARDFAULT, sp, exc_return, xpsr, control)
        handler = _WORD.unpack_from(m.memory.buffer, m.offset + address - m.base)[0]
        # The stack pointer of the context being left first, then IPSR: Handler mode
        # banks SP to MSP and allows the CONTROL write, which clears SPSEL and FPCA (the
        # handler has no FP context until it uses the FPU).
        self._handler_entry.write((sp, xpsr & _XPSR_KEPT | (handler & 1) << 24 | exc,
                                   control & CONTROL_NPRIV, exc_return, handler))
        self.nvic.activate(exc)
        return handler

    # -- exception return ----------------------------------------------------------------
    def _exception_return(self, state: tuple[int, ...]) -> None:
        """A handler branched to EXC_RETURN (the PC in ``state``: xPSR, CONTROL, SP, PC,
        MSP, PSP, PRIMASK, BASEPRI, FAULTMASK as ``R_*`` name them, read in the interrupt
        hook): tail-chain, or unstack and resume."""
        nvic = self.nvic
        active = nvic.active
        exc_return = state[R_PC] | 1
        xpsr = state[R_XPSR]
        current = xpsr & XPSR_IPSR
        kind = _EXC_RETURNS.get(exc_return)
        if kind is None or current not in active:
            self._fault(USAGEFAULT, exc_return, cfsr=INVPC)
            return
        to_thread, use_psp, size = kind
        if len(active) > 1:  # another handler is active below this one
            if to_thread and not self.scs.ccr & NONBASETHRDENA.mask:
                self._fault(USAGEFAULT, exc_return, cfsr=INVPC)
                return
        elif not to_thread:
            self._fault(USAGEFAULT, exc_return, cfsr=INVPC)
            return
        sp, control = state[R_SP], state[R_CONTROL]
        nvic.deactivate(current)  # ``active`` now holds the others
        if nvic.pending:
            # Handler mode: the masks in ``state`` are the real ones.
            chained = nvic.preempting(state[R_PRIMASK], state[R_BASEPRI], state[R_FAULTMASK])
            if chained is not None:
                self._dispatch(chained, sp, exc_return, xpsr, control)
                return
        frameptr = state[R_PSP] if use_psp else state[R_MSP]
        at = self._ram(frameptr, size)
        if at is None:
            self.scs.record_fault(cfsr=UNSTKERR)
            self._derived_fault(sp, exc_return, nvic.execution_priority(*state[R_MASKS:]),
                                UNSTKERR, xpsr, control)
            return
        buffer, offset = at
        r0, r1, r2, r3, r12, lr, pc, xpsr = _BASIC.unpack_from(buffer, offset)
        stacked = xpsr & XPSR_IPSR
        if stacked if to_thread else not stacked or stacked not in active:
            nvic.activate(current)
            self._fault(USAGEFAULT, exc_return, cfsr=INVPC)
            return
        new_sp = frameptr + size
        if xpsr & XPSR_ALIGN:
            xpsr &= ~XPSR_ALIGN
            if self.scs.ccr & STKALIGN.mask:
                new_sp += 4
        control = control & CONTROL_NPRIV | (CONTROL_SPSEL if use_psp else 0)
        if size == EXTENDED_FRAME:
            control |= CONTROL_FP_ACTIVE
            self._fp_context.write(_FP_RESTORE.unpack_from(buffer, offset + BASIC_FRAME))
        # CONTROL and the stack pointer while still in Handler mode (no stack switch yet),
        # then xPSR: IPSR changes mode and banks SP, then the return address.
        (self._unstack_psp if use_psp else self._unstack_msp).write(
            (control, new_sp, r0, r1, r2, r3, r12, lr, xpsr, pc & ~1 | xpsr >> 24 & 1))
        if to_thread and self.scs.regs["SCR"] & SLEEPONEXIT.mask and not self._wake_condition():
            self.state = CoreState.SLEEPING
            self.uc.emu_stop()

    # -- memory the model reads and writes for the core ----------------------------------
    def _ram(self, address: int, size: int, write: bool = False) -> tuple[mmap.mmap, int] | None:
        """The host buffer and offset behind ``size`` bytes of RAM (or ROM, to read) at
        ``address``; None elsewhere: stacks and vector tables never live in registers. The
        mapping found last is tried first (a handler's stack sits in one); its memory,
        offset and kind are read afresh (a window may be retargeted)."""
        m = self._last_ram
        if m is None or address < m.base or address + size > m.base + m.size:
            m = self._map.find(address)
            if m is None or address + size > m.end:
                return None
            self._last_ram = m
        memory = m.memory
        if memory is None or (write and m.kind != "ram"):
            return None
        return memory.buffer, m.offset + address - m.base

    def _read_words(self, address: int, count: int) -> tuple[int, ...] | None:
        at = self._ram(address, 4 * count)
        return None if at is None else struct.unpack_from(f"<{count}I", *at)
