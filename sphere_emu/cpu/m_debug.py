"""The Cortex-M4 core's debugger interface: registers by name, breakpoints, watchpoints,
single steps (used by the GDB server through ``Core``).

A mixin of ``CortexM4``: it uses the core's Unicorn instance, its engine's debug tables
and its run loop (``_execute``). Unicorn hides MSP/PSP and the masks from unprivileged
Thread mode, so those accesses borrow Handler mode for a moment.
"""

from unicorn import Uc
from unicorn import arm_const as A

from ..engine import DebugHooks, Register
from .core import CoreState, DebugStop

CONTROL_NPRIV, CONTROL_SPSEL, CONTROL_FPCA = 1, 2, 4
# Unicorn keeps FPCA together with v8-M's SFPA (bit 3): FPCA alone still makes the next FP
# instruction start a new FP context (FPSCR from FPDSCR), so both are written.
CONTROL_FP_ACTIVE = CONTROL_FPCA | 8
XPSR_IPSR = 0x1FF
XPSR_WRITE = A.UC_ARM_REG_XPSR_NZCVQG  # flags, GE, IT, T and IPSR in one write
CORE_REGS = {**{f"r{i}": A.UC_ARM_REG_R0 + i for i in range(13)},
              "sp": A.UC_ARM_REG_SP, "lr": A.UC_ARM_REG_LR, "pc": A.UC_ARM_REG_PC}
FP_REGS = {**{f"s{i}": A.UC_ARM_REG_S0 + i for i in range(32)}, "fpscr": A.UC_ARM_REG_FPSCR}
PRIVILEGED_REGS = {"msp": A.UC_ARM_REG_MSP, "psp": A.UC_ARM_REG_PSP,
                    "primask": A.UC_ARM_REG_PRIMASK, "basepri": A.UC_ARM_REG_BASEPRI,
                    "faultmask": A.UC_ARM_REG_FAULTMASK}


class CortexMDebug:
    uc: Uc
    _debug: DebugHooks
    _ipsr: Register
    _control: Register

    # -- privileged register access ------------------------------------------------------
    def _borrow_privilege(self) -> bool:
        """Unicorn hides MSP/PSP and the masks from unprivileged Thread mode (reads give 0,
        writes are ignored), so borrow Handler mode for the access. Writing IPSR banks the
        stack pointer as hardware would, which makes the detour invisible."""
        borrow = not self.ipsr() and bool(self._control.read() & CONTROL_NPRIV)
        if borrow:
            self._ipsr.write(1)
        return borrow

    def _return_privilege(self, borrowed: bool) -> None:
        if borrowed:
            self._ipsr.write(0)

    # -- debugger ------------------------------------------------------------------------
    def register_names(self) -> list[str]:
        return [*CORE_REGS, "xpsr", *PRIVILEGED_REGS, "control", *FP_REGS]

    def read_register(self, name: str) -> int:
        uc = self.uc
        if name in CORE_REGS:
            return uc.reg_read(CORE_REGS[name])
        if name in FP_REGS:
            return uc.reg_read(FP_REGS[name])
        if name == "xpsr":
            return uc.reg_read(A.UC_ARM_REG_XPSR)
        if name == "control":
            return uc.reg_read(A.UC_ARM_REG_CONTROL) & 7
        if name in PRIVILEGED_REGS:
            borrowed = self._borrow_privilege()
            try:
                return uc.reg_read(PRIVILEGED_REGS[name])
            finally:
                self._return_privilege(borrowed)
        raise KeyError(name)

    def write_register(self, name: str, value: int) -> None:
        uc = self.uc
        value &= 0xFFFFFFFF
        if name == "pc":  # keep the Thumb state: GDB writes even addresses
            thumb = uc.reg_read(A.UC_ARM_REG_XPSR) >> 24 & 1
            uc.reg_write(A.UC_ARM_REG_PC, (value & ~1) | thumb)
        elif name in CORE_REGS:
            uc.reg_write(CORE_REGS[name], value)
        elif name in FP_REGS:
            uc.reg_write(FP_REGS[name], value)
        elif name == "xpsr":
            uc.reg_write(XPSR_WRITE, value)
        elif name == "control":
            self._write_control(value & 7)
        elif name in PRIVILEGED_REGS:
            borrowed = self._borrow_privilege()
            uc.reg_write(PRIVILEGED_REGS[name], value)
            self._return_privilege(borrowed)
        else:
            raise KeyError(name)

    def _write_control(self, value: int) -> None:
        """As MSR CONTROL from privileged code: in Thread mode SPSEL switches stacks."""
        uc = self.uc
        if value & CONTROL_FPCA:
            value |= CONTROL_FP_ACTIVE
        if self.ipsr():
            uc.reg_write(A.UC_ARM_REG_CONTROL, value)
            return
        uc.reg_write(A.UC_ARM_REG_IPSR, 1)
        uc.reg_write(A.UC_ARM_REG_CONTROL, value & ~CONTROL_NPRIV)
        uc.reg_write(A.UC_ARM_REG_IPSR, 0)
        uc.reg_write(A.UC_ARM_REG_CONTROL, value)

    def add_breakpoint(self, address: int) -> None:
        self._debug.add_breakpoint(address)

    def remove_breakpoint(self, address: int) -> None:
        self._debug.remove_breakpoint(address)

    def add_watchpoint(self, address: int, size: int, kind: str) -> None:
        self._debug.add_watchpoint(address, size, kind)

    def remove_watchpoint(self, address: int, size: int, kind: str) -> None:
        self._debug.remove_watchpoint(address, size, kind)

    def _on_breakpoint(self, uc: Uc, address: int) -> None:
        if address == self._step_over:  # resuming from this very breakpoint
            self._step_over = None
            return
        self.debug_stop = DebugStop("breakpoint", address)
        self._resume_over = address
        uc.emu_stop()

    def _on_watch(self, _uc: Uc, address: int, kind: str) -> None:
        if self._watch_hit is None and not self._watch_suppressed:
            self._watch_hit = (address, kind)
            self.uc.emu_stop()

    def _finish_watched_access(self) -> None:
        """Report a watchpoint after the access, as GDB expects.

        ``emu_stop`` from a memory hook lets the access happen but leaves the PC on the
        instruction, so it runs once more, unwatched; the repeat stores the same value.
        """
        address, kind = self._watch_hit
        self._watch_hit = None
        self._watch_suppressed = True
        self._resume_over = self.uc.reg_read(A.UC_ARM_REG_PC)
        try:
            self._execute(1)
        finally:
            self._watch_suppressed = False
        if self.debug_stop is None:
            self.debug_stop = DebugStop("watchpoint", address, kind)

    def step(self) -> None:
        if self.state in (CoreState.HALTED, CoreState.HELD):
            return
        self.debug_stop = None
        if self.state is CoreState.SLEEPING:
            if not self._wake_condition():
                self.debug_stop = DebugStop("step", self.uc.reg_read(A.UC_ARM_REG_PC))
                return
            self.state = CoreState.RUNNING
        self._take_pending()
        if self.state is CoreState.RUNNING:
            self._resume_over = self.uc.reg_read(A.UC_ARM_REG_PC)
            self._execute(1)
        if self.debug_stop is None and self.state is not CoreState.HALTED:
            self.debug_stop = DebugStop("step", self.uc.reg_read(A.UC_ARM_REG_PC))
