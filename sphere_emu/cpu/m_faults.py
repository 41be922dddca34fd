"""Cortex-M4 faults: which handler a fault reaches (its own, HardFault or lockup), what the
fault status registers record, and the lockup report the reset block passes on."""

from unicorn import (
    UC_ERR_FETCH_PROT,
    UC_ERR_FETCH_UNMAPPED,
    UC_ERR_INSN_INVALID,
    UC_ERR_READ_PROT,
    UC_ERR_READ_UNMAPPED,
    UC_ERR_WRITE_PROT,
    UC_ERR_WRITE_UNMAPPED,
    UcError,
)
from unicorn import arm_const as A

from ..reset import Lockup
from .m_exceptions import XPSR_T
from .nvic import (
    BUSFAULT,
    FIXED_PRIORITY,
    HARDFAULT,
    MEMMANAGE,
    USAGEFAULT,
    exception_name,
)
from .scs import (
    BFARVALID,
    FAULT_TEXT,
    HFSR_FORCED,
    IBUSERR,
    IMPRECISERR,
    INVSTATE,
    PRECISERR,
    UNDEFINSTR,
)

# Thumb hint encodings Unicorn stops on
WFE, YIELD = 0xBF20, 0xBF10

_DATA_ERRORS = (UC_ERR_READ_UNMAPPED, UC_ERR_READ_PROT, UC_ERR_WRITE_UNMAPPED, UC_ERR_WRITE_PROT)
_FETCH_ERRORS = (UC_ERR_FETCH_UNMAPPED, UC_ERR_FETCH_PROT)


class FaultHandling:
    """Mixin of CortexM4: synchronous faults, their escalation and lockup."""
    def _fault(self, fault: int, return_address: int, *, cfsr: int = 0, hfsr: int = 0,
               address: int | None = None) -> None:
        """A synchronous fault of the instruction at ``return_address``: record and take it."""
        self.scs.record_fault(cfsr, hfsr, address if cfsr & PRECISERR else None)
        target = self._fault_target(fault, self._execution_priority())
        if target is None:
            current = self.ipsr()
            where = f" in {exception_name(current)}" if current else ""
            self._lockup(f"{_describe(fault, cfsr | hfsr)}{where}", address, return_address)
            return
        self._taken_fault_pc = return_address
        self._enter(target, return_address)

    def _fault_target(self, fault: int, priority: int) -> int | None:
        """The fault's own handler if it can preempt, else HardFault (FORCED), else lockup."""
        nvic = self.nvic
        if fault != HARDFAULT and nvic.enabled(fault) and nvic.group_priority(fault) < priority:
            return fault
        if priority <= FIXED_PRIORITY[HARDFAULT]:
            return None
        if fault != HARDFAULT:
            self.scs.record_fault(hfsr=HFSR_FORCED)
        return HARDFAULT

    def _derived_fault(self, sp: int, exc_return: int, priority: int, status: int, xpsr: int,
                       control: int) -> None:
        """A bus error while stacking or unstacking: taken over the frame in place (at
        ``sp``, returned from with ``exc_return``)."""
        target = self._fault_target(BUSFAULT, priority)
        if target is None:
            self._lockup(_describe(BUSFAULT, status), sp)
            return
        self._dispatch(target, sp, exc_return, xpsr, control)

    def _lockup(self, what: str, address: int | None = None, pc: int | None = None) -> None:
        if pc is None:
            pc = self._reg(A.UC_ARM_REG_PC).read()
        where = f" address={address:#010x}" if address is not None else ""
        self.halt(f"lockup: {what} at pc={pc:#010x}{where}")
        if self.engine.emulating:
            self.uc.emu_stop()
        if self.lockup_listeners:
            report = self._lockup_report(pc)
            for listener in self.lockup_listeners:
                listener(report)

    def _lockup_report(self, pc: int) -> Lockup:
        """The halted core as a debugger would read it: locked up in a fault handler, the
        faulting instruction is the return address that fault stacked."""
        in_fault_handler = self.ipsr() in (HARDFAULT, MEMMANAGE, BUSFAULT, USAGEFAULT)
        fault_pc = self._taken_fault_pc if in_fault_handler else None
        regs = self.scs.regs
        cfsr = regs["CFSR"]
        far = regs["BFAR"] if cfsr & BFARVALID else 0  # no MPU: MMFAR is never valid
        return Lockup(pc, pc if fault_pc is None else fault_pc, cfsr, regs["HFSR"], far)

    def _cpu_error(self, error: int) -> None:
        """Unicorn refused an instruction or an access: the matching architectural fault."""
        pc = self._reg(A.UC_ARM_REG_PC).read()
        address, self._fault_address = self._fault_address, None
        if error in _DATA_ERRORS:
            self._fault(BUSFAULT, pc, cfsr=PRECISERR, address=address)
        elif error in _FETCH_ERRORS:
            self._fault(BUSFAULT, pc, cfsr=IBUSERR, address=pc)
        elif error == UC_ERR_INSN_INVALID:
            self._invalid_instruction(pc)
        else:
            self._lockup(f"emulator error: {UcError(error)}")

    def _invalid_instruction(self, pc: int) -> None:
        if not self._reg(A.UC_ARM_REG_XPSR).read() & XPSR_T:
            self._fault(USAGEFAULT, pc, cfsr=INVSTATE)
        elif any(self._follows_hint(pc, hint) for hint in (WFE, YIELD)) and self._decodes(pc):
            self._slice_given_up = True  # WFE/YIELD: Unicorn stops after them; see docs
        else:
            self._fault(USAGEFAULT, pc, cfsr=UNDEFINSTR)

    def _decodes(self, pc: int) -> bool:
        """A valid instruction (not UDF) at ``pc``: so the stop was after a WFE, not at an
        undefined instruction that happens to follow a WFE-like halfword."""
        try:
            code = bytes(self.uc.mem_read(pc, 4))
        except UcError:
            return False
        insn = next(self._capstone().disasm(code, pc, 1), None)
        return insn is not None and insn.mnemonic != "udf"

    def _data_bus_error(self) -> None:
        """An MMIO access hit nothing, was refused, or was unprivileged in the SCS."""
        (address, access_pc), self._bus_error = self._bus_error, None
        pc = self._reg(A.UC_ARM_REG_PC).read()
        if pc == access_pc:
            self._fault(BUSFAULT, pc, cfsr=PRECISERR, address=address)
        else:  # Unicorn completed an IT block past the access: reported as imprecise
            self._fault(BUSFAULT, pc, cfsr=IMPRECISERR)


def _describe(fault: int, status: int) -> str:
    causes = [text for bit, text in FAULT_TEXT.items() if status & bit]
    return f"{exception_name(fault)} ({', '.join(causes) or 'fault'})"
