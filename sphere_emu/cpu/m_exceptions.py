"""Cortex-M exception entry and return: stacking, vector fetch, EXC_RETURN, tail-chaining.

A mixin of ``CortexM4``. Entry pushes the basic or extended (FP) frame on the current
stack with the 8-byte alignment CCR.STKALIGN asks for, then starts the handler from the
vector table at VTOR. Return (Unicorn reports EXC_RETURN as an interrupt and does not
unstack) checks the EXC_RETURN value and the active set, tail-chains into a pending
exception that can preempt, or unstacks and resumes; SLEEPONEXIT sleeps on the way out.
A stacking or unstacking bus error becomes the derived BusFault, as on hardware.
"""

import mmap
import struct
from collections.abc import Callable
from typing import NamedTuple

from unicorn import arm_const as A

from ..engine import Register, RegisterGroup
from .core import CoreState
from .m_debug import CONTROL_FP_ACTIVE, CONTROL_FPCA, CONTROL_NPRIV, CONTROL_SPSEL, XPSR_IPSR
from .nvic import HARDFAULT, NMI, USAGEFAULT, exception_name
from .scs import (
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
BASIC_FRAME, EXTENDED_FRAME = 0x20, 0x68

# Where the core's state tuple (``CortexM4._state``, one C call) keeps each register.
S_XPSR, S_CONTROL, S_SP, S_PC, S_MSP, S_PSP, S_MASKS = 6, 7, 8, 9, 10, 11, 12


class Frame(NamedTuple):
    """The context an exception entry stacked: where, and the EXC_RETURN that unstacks it."""

    sp: int
    exc_return: int


class ExceptionEntry:
    _reg: Callable[[int], Register]
    _ram: Callable[..., tuple[mmap.mmap, int] | None]
    _state: Callable[[], tuple[int, ...]]
    _handler_entry: RegisterGroup

    # -- exception entry -----------------------------------------------------------------
    def _enter(self, exc: int, return_address: int, state: tuple[int, ...] | None = None
               ) -> None:
        """Stack the current context and start the handler of ``exc``. ``state`` is the
        core's register state read just before (``_state``), if the caller has it."""
        if state is None:
            state = self._state()
        frame, stacked = self._push_frame(return_address, state)
        if stacked:
            self._dispatch(exc, frame, state[S_XPSR], state[S_CONTROL])
        else:  # the exception stays pending; the bus error is taken instead
            self._reg(A.UC_ARM_REG_SP).write(frame.sp)  # the stack pointer moves either way
            self.scs.record_fault(cfsr=STKERR)
            self._derived_fault(frame, self._execution_priority(), STKERR,
                                state[S_XPSR], state[S_CONTROL])

    def _push_frame(self, return_address: int, state: tuple[int, ...]) -> tuple[Frame, bool]:
        """Push R0-R3, R12, LR, the return address and xPSR (and S0-S15, FPSCR when the
        context uses the FPU) on the current stack; False if the stack is not writable RAM.
        The caller moves the stack pointer (``_dispatch``), as hardware does either way."""
        r0, r1, r2, r3, r12, lr, xpsr, control, sp = state[:9]
        extended = bool(control & CONTROL_FPCA)
        exc_return = EXC_RETURN_BASE | (0 if extended else EXC_RETURN_BASIC_FRAME)
        if not xpsr & XPSR_IPSR:
            exc_return |= EXC_RETURN_THREAD | (EXC_RETURN_PSP if control & CONTROL_SPSEL else 0)
        size = EXTENDED_FRAME if extended else BASIC_FRAME
        pad = 4 if sp & 4 and self.scs.ccr & STKALIGN.mask else 0
        frameptr = (sp - size - pad) & ~3
        stacked_xpsr = (xpsr & ~XPSR_ALIGN) | (XPSR_ALIGN if pad else 0)
        frame = Frame(frameptr, exc_return)
        at = self._ram(frameptr, size, write=True)
        if at is None:
            return frame, False
        buffer, offset = at
        struct.pack_into("<8I", buffer, offset, r0, r1, r2, r3, r12, lr, return_address & ~1,
                         stacked_xpsr)
        if extended:  # lazy stacking is not modelled: the FP context is saved at once
            *doubles, fpscr = self._fp_context.read()
            struct.pack_into("<8Q2I", buffer, offset + BASIC_FRAME, *doubles, fpscr, 0)
            self.scs.regs["FPCAR"] = frameptr + BASIC_FRAME
        return frame, True

    def _dispatch(self, exc: int, frame: Frame, xpsr: int, control: int) -> None:
        """Start the handler of ``exc`` over a stacked frame (entry, tail-chain, derived);
        ``xpsr`` and ``control`` are the values of the context being left."""
        vector = self._read_words(self.scs.vtor + 4 * exc, 1)
        if vector is None:
            if exc in (HARDFAULT, NMI):
                self._lockup(f"vector fetch for {exception_name(exc)} failed",
                             self.scs.vtor + 4 * exc)
                return
            self.scs.record_fault(hfsr=HFSR_VECTTBL)
            self._dispatch(HARDFAULT, frame, xpsr, control)
            return
        handler = vector[0]
        xpsr &= ~(XPSR_IT | XPSR_IPSR | XPSR_T)
        # The stack pointer of the context being left first, then IPSR: Handler mode
        # banks SP to MSP and allows the CONTROL write, which clears SPSEL and FPCA (the
        # handler has no FP context until it uses the FPU).
        self._handler_entry.write((frame.sp, xpsr | (XPSR_T if handler & 1 else 0) | exc,
                                   control & CONTROL_NPRIV, frame.exc_return, handler))
        self.nvic.activate(exc)

    # -- exception return ----------------------------------------------------------------
    def _exception_return(self, state: tuple[int, ...]) -> None:
        """A handler branched to EXC_RETURN (the PC in ``state``, read in the interrupt
        hook): tail-chain, or unstack and resume."""
        uc = self.uc
        nvic = self.nvic
        exc_return = state[S_PC] | 1
        xpsr, control = state[S_XPSR], state[S_CONTROL]
        current = xpsr & XPSR_IPSR
        to_thread = bool(exc_return & EXC_RETURN_THREAD)
        others = nvic.active - {current}
        if (exc_return & 0xFFFFFFE0 != 0xFFFFFFE0 or exc_return & 0xF not in (0x1, 0x9, 0xD)
                or current not in nvic.active or (not to_thread and not others)
                or (to_thread and others and not self.scs.ccr & NONBASETHRDENA.mask)):
            self._fault(USAGEFAULT, exc_return, cfsr=INVPC)
            return
        frame = Frame(state[S_SP], exc_return)
        nvic.deactivate(current)
        # Handler mode: the masks in ``state`` are the real ones.
        priority = nvic.execution_priority(*state[S_MASKS:])
        chained = nvic.deliverable(priority)
        if chained is not None:
            self._dispatch(chained, frame, xpsr, control)
            return
        use_psp = to_thread and bool(exc_return & EXC_RETURN_PSP)
        extended = not exc_return & EXC_RETURN_BASIC_FRAME
        frameptr = state[S_PSP] if use_psp else state[S_MSP]
        size = EXTENDED_FRAME if extended else BASIC_FRAME
        at = self._ram(frameptr, size)
        if at is None:
            self.scs.record_fault(cfsr=UNSTKERR)
            self._derived_fault(frame, priority, UNSTKERR, xpsr, control)
            return
        buffer, offset = at
        r0, r1, r2, r3, r12, lr, pc, xpsr = struct.unpack_from("<8I", buffer, offset)
        if bool(xpsr & XPSR_IPSR) == to_thread or (not to_thread and
                                                   xpsr & XPSR_IPSR not in others):
            nvic.activate(current)
            self._fault(USAGEFAULT, exc_return, cfsr=INVPC)
            return
        new_sp = frameptr + size + (4 if xpsr & XPSR_ALIGN and self.scs.ccr & STKALIGN.mask
                                    else 0)
        control &= CONTROL_NPRIV
        control |= (CONTROL_SPSEL if use_psp else 0) | (CONTROL_FP_ACTIVE if extended else 0)
        if extended:
            self._fp_context.write(struct.unpack_from("<8QI", buffer, offset + BASIC_FRAME))
        # CONTROL and the stack pointer while still in Handler mode (no stack switch yet),
        # then xPSR: IPSR changes mode and banks SP, then the return address.
        self._unstack[A.UC_ARM_REG_PSP if use_psp else A.UC_ARM_REG_MSP].write(
            (control, new_sp, r0, r1, r2, r3, r12, lr, xpsr & ~XPSR_ALIGN,
             (pc & ~1) | (xpsr >> 24 & 1)))
        if to_thread and self.scs.regs["SCR"] & SLEEPONEXIT.mask and not self._wake_condition():
            self.state = CoreState.SLEEPING
            uc.emu_stop()
