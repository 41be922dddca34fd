"""The Cortex-M4F IO core: Unicorn for the instructions, this module for everything else.

Unicorn's Cortex-M executes Thumb-2, VFP, MRS/MSR, CPS and banks the stack pointer, but it has
no NVIC, no SysTick and takes no exceptions (``docs/cortex-m.md``). Here are the parts it lacks:

- ``Nvic``: pending/active/enabled state and priorities of every exception, priority
  grouping, and the execution priority that PRIMASK, FAULTMASK and BASEPRI boost.
- ``SystemControlSpace``: the private 4 KiB at 0xE000E000 (SysTick, NVIC, SCB, FPU
  registers), declared as data in the register framework.
- ``CortexM4``: runs counted Unicorn slices, takes exceptions (stacking, EXC_RETURN,
  tail-chaining, faults with escalation, lockup) and offers the debugger interface.

Exceptions are taken at instruction boundaries the model controls: before each counted run,
inside Unicorn's interrupt hook (SVC, exception return, coprocessor faults), and after a
register write that made one deliverable (the bus ends the run after that access).
"""

import logging
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from capstone import CS_ARCH_ARM, CS_MODE_MCLASS, CS_MODE_THUMB, Cs
from unicorn import (
    UC_ARCH_ARM,
    UC_ERR_FETCH_PROT,
    UC_ERR_FETCH_UNMAPPED,
    UC_ERR_INSN_INVALID,
    UC_ERR_READ_PROT,
    UC_ERR_READ_UNMAPPED,
    UC_ERR_WRITE_PROT,
    UC_ERR_WRITE_UNMAPPED,
    UC_HOOK_CODE,
    UC_HOOK_INTR,
    UC_HOOK_MEM_INVALID,
    UC_HOOK_MEM_READ,
    UC_HOOK_MEM_WRITE,
    UC_MODE_MCLASS,
    UC_MODE_THUMB,
    Uc,
    UcError,
)
from unicorn import arm_const as A

from ..board import CoreSpec
from ..bus import AddressMap, Mapping
from ..clock import Clock
from ..peripherals.registers import RO, W1C, WO, BusAccess, Peripheral, PeripheralContext, Register
from .core import Core, CoreState, DebugStop
from .systick import CALIB, SysTick
from .thumb import straight_run
from .uc_counter import RetiredCounter
from .uc_regs import RegisterGroup

log = logging.getLogger("sphere_emu.cpu.cortex_m")

# Exception numbers
RESET, NMI, HARDFAULT, MEMMANAGE, BUSFAULT, USAGEFAULT = 1, 2, 3, 4, 5, 6
SVCALL, DEBUGMON, PENDSV, SYSTICK = 11, 12, 14, 15
FIRST_IRQ = 16
EXCEPTION_NAMES = {NMI: "NMI", HARDFAULT: "HardFault", MEMMANAGE: "MemManage",
                   BUSFAULT: "BusFault", USAGEFAULT: "UsageFault", SVCALL: "SVCall",
                   DEBUGMON: "DebugMonitor", PENDSV: "PendSV", SYSTICK: "SysTick"}
FIXED_PRIORITY = {RESET: -3, NMI: -2, HARDFAULT: -1}
THREAD_PRIORITY = 256  # below every configurable priority

# CONTROL, xPSR, EXC_RETURN
CONTROL_NPRIV, CONTROL_SPSEL, CONTROL_FPCA = 1, 2, 4
# Unicorn keeps FPCA together with v8-M's SFPA (bit 3): FPCA alone still makes the next FP
# instruction start a new FP context (FPSCR from FPDSCR), so both are written.
CONTROL_FP_ACTIVE = CONTROL_FPCA | 8
XPSR_T = 1 << 24
XPSR_ALIGN = 1 << 9  # in a stacked xPSR: the frame was padded to 8 bytes
XPSR_IPSR = 0x1FF
XPSR_IT = (0x3 << 25) | (0x3F << 10)
EXC_RETURN_BASE = 0xFFFFFFE1
EXC_RETURN_THREAD, EXC_RETURN_PSP, EXC_RETURN_BASIC_FRAME = 8, 4, 0x10
BASIC_FRAME, EXTENDED_FRAME = 0x20, 0x68

# Fault status (CFSR, HFSR)
IBUSERR, PRECISERR, IMPRECISERR, UNSTKERR, STKERR = (1 << 8, 1 << 9, 1 << 10, 1 << 11,
                                                     1 << 12)
BFARVALID = 1 << 15
UNDEFINSTR, INVSTATE, INVPC, NOCP = 1 << 16, 1 << 17, 1 << 18, 1 << 19
UNALIGNED, DIVBYZERO = 1 << 24, 1 << 25
HFSR_VECTTBL, HFSR_FORCED, HFSR_DEBUGEVT = 1 << 1, 1 << 30, 1 << 31
FAULT_TEXT = {IBUSERR: "instruction bus error", PRECISERR: "precise data bus error",
              IMPRECISERR: "imprecise data bus error", UNSTKERR: "bus error on unstacking",
              STKERR: "bus error on stacking", UNDEFINSTR: "undefined instruction",
              INVSTATE: "invalid state", INVPC: "invalid exception return",
              NOCP: "no coprocessor", UNALIGNED: "unaligned access",
              DIVBYZERO: "division by zero", HFSR_DEBUGEVT: "breakpoint, no debugger"}

# SCB registers with behaviour
ICSR_NMIPENDSET, ICSR_PENDSVSET, ICSR_PENDSVCLR = 1 << 31, 1 << 28, 1 << 27
ICSR_PENDSTSET, ICSR_PENDSTCLR, ICSR_ISRPENDING, ICSR_RETTOBASE = (1 << 26, 1 << 25, 1 << 22,
                                                                   1 << 11)
AIRCR_VECTKEY, AIRCR_VECTKEYSTAT = 0x05FA, 0xFA05
AIRCR_SYSRESETREQ, AIRCR_VECTCLRACTIVE, AIRCR_VECTRESET = 1 << 2, 1 << 1, 1 << 0
SCR_SLEEPONEXIT = 1 << 1
CCR_NONBASETHRDENA, CCR_USERSETMPEND, CCR_STKALIGN = 1 << 0, 1 << 1, 1 << 9
SHCSR_ACTIVE = {0: MEMMANAGE, 1: BUSFAULT, 3: USAGEFAULT, 7: SVCALL, 8: DEBUGMON, 10: PENDSV,
                11: SYSTICK}
SHCSR_PENDED = {12: USAGEFAULT, 13: MEMMANAGE, 14: BUSFAULT, 15: SVCALL}
SHCSR_ENABLE = {16: MEMMANAGE, 17: BUSFAULT, 18: USAGEFAULT}

# Thumb hint encodings Unicorn stops on
WFI, WFE, YIELD = 0xBF30, 0xBF20, 0xBF10
WIDE_HINT = 0xF3AF  # first halfword of wfi.w / wfe.w / yield.w; the second is 0x800n

SCS_BASE, SCS_SIZE = 0xE000E000, 0x1000
UNTIL_NEVER = 0xFFFFFFFF  # odd, so never a Thumb instruction address
MASKED_WALK_RUNS = 64  # straight-line runs walked while an exception waits behind a mask
MASKED_POLL_INSTRUCTIONS = 1_000  # then the longest run before looking again
NS_PER_S = 1_000_000_000

_XPSR_WRITE = A.UC_ARM_REG_XPSR_NZCVQG  # flags, GE, IT, T and IPSR in one write
_CORE_REGS = {**{f"r{i}": A.UC_ARM_REG_R0 + i for i in range(13)},
              "sp": A.UC_ARM_REG_SP, "lr": A.UC_ARM_REG_LR, "pc": A.UC_ARM_REG_PC}
_FP_REGS = {**{f"s{i}": A.UC_ARM_REG_S0 + i for i in range(32)}, "fpscr": A.UC_ARM_REG_FPSCR}
_PRIVILEGED_REGS = {"msp": A.UC_ARM_REG_MSP, "psp": A.UC_ARM_REG_PSP,
                    "primask": A.UC_ARM_REG_PRIMASK, "basepri": A.UC_ARM_REG_BASEPRI,
                    "faultmask": A.UC_ARM_REG_FAULTMASK}
_FRAME_REGS = (A.UC_ARM_REG_R0, A.UC_ARM_REG_R1, A.UC_ARM_REG_R2, A.UC_ARM_REG_R3,
               A.UC_ARM_REG_R12, A.UC_ARM_REG_LR)  # as stacked, before the return address
_CONTEXT_REGS = (*_FRAME_REGS, A.UC_ARM_REG_XPSR, A.UC_ARM_REG_CONTROL, A.UC_ARM_REG_SP)
_FP_CONTEXT_REGS = (*range(A.UC_ARM_REG_D0, A.UC_ARM_REG_D0 + 8), A.UC_ARM_REG_FPSCR)
_MASK_REGS = (A.UC_ARM_REG_PRIMASK, A.UC_ARM_REG_BASEPRI, A.UC_ARM_REG_FAULTMASK)
_DATA_ERRORS = (UC_ERR_READ_UNMAPPED, UC_ERR_READ_PROT, UC_ERR_WRITE_UNMAPPED, UC_ERR_WRITE_PROT)
_FETCH_ERRORS = (UC_ERR_FETCH_UNMAPPED, UC_ERR_FETCH_PROT)
_WATCH_HOOKS = {"watch": UC_HOOK_MEM_WRITE, "rwatch": UC_HOOK_MEM_READ,
                "awatch": UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE}

# QEMU exception numbers Unicorn passes to UC_HOOK_INTR
_INTR_SVC, _INTR_BKPT, _INTR_EXC_RETURN = 2, 7, 8
_INTR_USAGE_FAULTS = {17: NOCP, 18: INVSTATE, 22: UNALIGNED, 23: DIVBYZERO}


# ---------------------------------------------------------------------------------------
# NVIC


class Nvic:
    """Exception state of one core: what is pending, active and enabled, and priorities.

    Exception numbers follow the architecture: 2 NMI, 3 HardFault, ..., 15 SysTick, 16 + n
    external interrupt n. External inputs are level-sensitive: a rising level pends the
    interrupt, and a level still high when its handler returns pends it again.
    """

    def __init__(self, irqs: int, priority_bits: int) -> None:
        self.irqs = irqs
        self.count = FIRST_IRQ + irqs
        self.priority_mask = (0xFF << (8 - priority_bits)) & 0xFF
        self.on_change = lambda: None  # an exception may have become deliverable
        self.reset()

    def reset(self) -> None:
        self.pending: set[int] = set()
        self.active: set[int] = set()
        self.irq_enabled = 0  # bit n: external interrupt n
        self.fault_enabled: set[int] = set()  # MemManage/BusFault/UsageFault (SHCSR)
        self.priority = [0] * self.count
        self.prigroup = 0
        self.levels = 0  # bit n: input n is high

    # -- the lines peripherals drive (InterruptController) -------------------------------
    def set_irq_level(self, irq: int, level: bool) -> None:
        if not 0 <= irq < self.irqs:
            log.warning("interrupt input %d does not exist (this NVIC has %d)", irq, self.irqs)
            return
        bit = 1 << irq
        if level and not self.levels & bit:
            self.levels |= bit
            self.set_pending(FIRST_IRQ + irq)
        elif not level:
            self.levels &= ~bit

    # -- state changes -------------------------------------------------------------------
    def set_pending(self, exc: int) -> None:
        self.pending.add(exc)
        self.on_change()

    def clear_pending(self, exc: int) -> None:
        self.pending.discard(exc)
        self._repend_if_high(exc)

    def activate(self, exc: int) -> None:
        self.pending.discard(exc)
        self.active.add(exc)

    def deactivate(self, exc: int) -> None:
        self.active.discard(exc)
        self._repend_if_high(exc)

    def _repend_if_high(self, exc: int) -> None:
        if exc >= FIRST_IRQ and self.levels >> (exc - FIRST_IRQ) & 1 and exc not in self.active:
            self.pending.add(exc)

    def set_enabled(self, exc: int, enabled: bool) -> None:
        if exc >= FIRST_IRQ:
            bit = 1 << (exc - FIRST_IRQ)
            self.irq_enabled = self.irq_enabled | bit if enabled else self.irq_enabled & ~bit
        elif enabled:
            self.fault_enabled.add(exc)
        else:
            self.fault_enabled.discard(exc)
        self.on_change()

    def enabled(self, exc: int) -> bool:
        if exc >= FIRST_IRQ:
            return bool(self.irq_enabled >> (exc - FIRST_IRQ) & 1)
        return exc not in (MEMMANAGE, BUSFAULT, USAGEFAULT) or exc in self.fault_enabled

    def set_priority(self, exc: int, value: int) -> None:
        if exc >= FIRST_IRQ or exc in (MEMMANAGE, BUSFAULT, USAGEFAULT, SVCALL, DEBUGMON,
                                       PENDSV, SYSTICK):
            self.priority[exc] = value & self.priority_mask
            self.on_change()

    def set_prigroup(self, prigroup: int) -> None:
        self.prigroup = prigroup & 7
        self.on_change()

    # -- priorities ----------------------------------------------------------------------
    @property
    def group_mask(self) -> int:
        return (0xFF << (self.prigroup + 1)) & 0xFF

    def group_priority(self, exc: int) -> int:
        """What preemption compares: the priority without its subpriority bits."""
        fixed = FIXED_PRIORITY.get(exc)
        return fixed if fixed is not None else self.priority[exc] & self.group_mask

    def highest_pending(self) -> int | None:
        """The enabled pending exception to take first: group, then subpriority, then number."""
        best, best_key = None, None
        for exc in self.pending:
            if not self.enabled(exc):
                continue
            key = (self.group_priority(exc), FIXED_PRIORITY.get(exc, self.priority[exc]), exc)
            if best_key is None or key < best_key:
                best, best_key = exc, key
        return best

    def execution_priority(self, primask: int = 0, basepri: int = 0, faultmask: int = 0) -> int:
        """The priority an exception must beat (be lower than) to preempt."""
        priority = THREAD_PRIORITY
        for exc in self.active:
            priority = min(priority, self.group_priority(exc))
        basepri &= self.priority_mask
        if basepri:
            priority = min(priority, basepri & self.group_mask)
        if primask & 1:
            priority = min(priority, 0)
        if faultmask & 1:
            priority = min(priority, -1)
        return priority

    def deliverable(self, execution_priority: int) -> int | None:
        exc = self.highest_pending()
        if exc is not None and self.group_priority(exc) < execution_priority:
            return exc
        return None


# ---------------------------------------------------------------------------------------
# System Control Space


def _scs_registers() -> tuple[Register, ...]:
    regs = [
        Register("ICTR", 0x004, access=RO),
        Register("ACTLR", 0x008, writable=0x307),
        Register("SYST_CSR", 0x010),
        Register("SYST_RVR", 0x014),
        Register("SYST_CVR", 0x018),
        Register("SYST_CALIB", 0x01C, reset=CALIB, access=RO),
    ]
    for name, base in (("NVIC_ISER", 0x100), ("NVIC_ICER", 0x180), ("NVIC_ISPR", 0x200),
                       ("NVIC_ICPR", 0x280), ("NVIC_IABR", 0x300)):
        regs += [Register(f"{name}{i}", base + 4 * i) for i in range(16)]
    regs += [Register(f"NVIC_IPR{i}", 0x400 + 4 * i) for i in range(124)]
    regs += [
        Register("CPUID", 0xD00, reset=0x410FC241, access=RO),  # Cortex-M4 r0p1
        Register("ICSR", 0xD04),
        Register("VTOR", 0xD08, writable=0xFFFFFF80),
        Register("AIRCR", 0xD0C),
        Register("SCR", 0xD10, writable=0x16),
        Register("CCR", 0xD14, reset=CCR_STKALIGN, writable=0x31B),
        Register("SHPR1", 0xD18),
        Register("SHPR2", 0xD1C),
        Register("SHPR3", 0xD20),
        Register("SHCSR", 0xD24),
        Register("CFSR", 0xD28, access=W1C),
        Register("HFSR", 0xD2C, access=W1C),
        Register("DFSR", 0xD30, access=W1C),
        Register("MMFAR", 0xD34),
        Register("BFAR", 0xD38),
        Register("AFSR", 0xD3C, access=W1C),
    ]
    # Processor and memory model features of the Cortex-M4 (TRM values)
    for i, (name, value) in enumerate((
            ("ID_PFR0", 0x00000030), ("ID_PFR1", 0x00000200), ("ID_DFR0", 0x00100000),
            ("ID_AFR0", 0), ("ID_MMFR0", 0x00100030), ("ID_MMFR1", 0),
            ("ID_MMFR2", 0x01000000), ("ID_MMFR3", 0), ("ID_ISAR0", 0x01101110),
            ("ID_ISAR1", 0x02111000), ("ID_ISAR2", 0x21112231), ("ID_ISAR3", 0x01111110),
            ("ID_ISAR4", 0x01310132))):
        regs.append(Register(name, 0xD40 + 4 * i, reset=value, access=RO))
    regs += [
        Register("CPACR", 0xD88, writable=0x00F00000),
        Register("MPU_TYPE", 0xD90, access=RO),  # no MPU regions
        Register("MPU_CTRL", 0xD94, writable=0),
        Register("DHCSR", 0xDF0, writable=0),  # no halting debug seen by the guest
        Register("DEMCR", 0xDFC, writable=0x010F07F1),
        Register("STIR", 0xF00, access=WO),
        Register("FPCCR", 0xF34, reset=0xC0000000, writable=0xC000017B),
        Register("FPCAR", 0xF38, writable=0xFFFFFFF8),
        Register("FPDSCR", 0xF3C, writable=0x07C00000),
        Register("MVFR0", 0xF40, reset=0x10110021, access=RO),
        Register("MVFR1", 0xF44, reset=0x11000011, access=RO),
    ]
    for i, value in enumerate((0x04, 0x00, 0x00, 0x00, 0x0C, 0xB0, 0x0B, 0x00,
                               0x0D, 0xE0, 0x05, 0xB1)):
        name = f"PID{(i + 4) % 8}" if i < 8 else f"CID{i - 8}"
        regs.append(Register(name, 0xFD0 + 4 * i, reset=value, access=RO))
    return tuple(regs)


# One bit per interrupt, 16 words each: set-enable, clear-enable, set-pending, clear-pending,
# active. Priority bytes: one per interrupt, and SHPR1-3 for exceptions 4-15.
_BIT_BANKS = (0x100, 0x180, 0x200, 0x280, 0x300)
_IPR_BASE, _IPR_END = 0x400, 0x400 + 496
_SHPR_BASE, _SHPR_END = 0xD18, 0xD24
_STIR = 0xF00


class SystemControlSpace(Peripheral):
    """SysTick, NVIC, SCB and FPU registers of one core (ARMv7-M "System Control Space").

    The per-interrupt arrays (enable/pending/active bits, priority bytes) are declared like
    every register but served from the ``Nvic`` by ``read``/``write``, byte lanes included;
    everything else goes through the framework. Only privileged code may access the SCS
    (except STIR when CCR.USERSETMPEND is set); an unprivileged access is a bus error.
    """

    TYPE = "armv7m-scs"
    REGISTERS = _scs_registers()
    SIZE = SCS_SIZE

    def __init__(self, name: str, core: "CortexM4") -> None:
        self.core = core
        self.nvic = core.nvic
        self.systick = core.systick
        super().__init__(name, PeripheralContext(clock=core.clock))

    def reset(self) -> None:
        super().reset()
        self.regs["ICTR"] = max(0, (self.nvic.irqs + 31) // 32 - 1)

    def update(self) -> None:
        self.nvic.on_change()

    @property
    def ccr(self) -> int:
        return self.regs["CCR"]

    @property
    def vtor(self) -> int:
        return self.regs["VTOR"]

    # -- bus side ------------------------------------------------------------------------
    def read(self, offset: int, size: int, access: BusAccess) -> int:
        if not access.privileged:
            return self.core.scs_refused(offset, False)
        lane = 8 * (offset & 3)
        word = offset & ~3
        if _BIT_BANKS[0] <= word < _BIT_BANKS[-1] + 0x40:
            value = self._read_bits((word - _BIT_BANKS[0]) // 0x80, (word & 0x7F) // 4)
        elif _IPR_BASE <= word < _IPR_END or _SHPR_BASE <= word < _SHPR_END:
            value = sum(self._priority_byte(word + i) << (8 * i) for i in range(4))
        else:
            return super().read(offset, size, access)
        return (value >> lane) & ((1 << (8 * size)) - 1)

    def write(self, offset: int, size: int, value: int, access: BusAccess) -> None:
        if not access.privileged and not (offset == _STIR and self.ccr & CCR_USERSETMPEND):
            self.core.scs_refused(offset, True)
            return
        lane = 8 * (offset & 3)
        word = offset & ~3
        if _BIT_BANKS[0] <= word < _BIT_BANKS[-1] + 0x40:
            self._write_bits((word - _BIT_BANKS[0]) // 0x80, (word & 0x7F) // 4,
                             (value << lane) & 0xFFFFFFFF)
        elif _IPR_BASE <= word < _IPR_END or _SHPR_BASE <= word < _SHPR_END:
            for i in range(size):
                self._set_priority_byte(offset + i, (value >> (8 * i)) & 0xFF)
        else:
            super().write(offset, size, value, access)
            return
        self.update()

    # -- NVIC arrays ---------------------------------------------------------------------
    def _read_bits(self, bank: int, index: int) -> int:
        """Bank 0/1: enabled, 2/3: pending, 4: active - for interrupts 32*index.."""
        nvic = self.nvic
        if bank < 2:
            bits = nvic.irq_enabled
        else:
            states = nvic.pending if bank < 4 else nvic.active
            bits = sum(1 << (exc - FIRST_IRQ) for exc in states if exc >= FIRST_IRQ)
        return (bits >> (32 * index)) & 0xFFFFFFFF & self._implemented(index)

    def _write_bits(self, bank: int, index: int, value: int) -> None:
        nvic = self.nvic
        value &= self._implemented(index)
        for bit in range(32):
            if not value >> bit & 1:
                continue
            exc = FIRST_IRQ + 32 * index + bit
            if bank in (0, 1):
                nvic.set_enabled(exc, bank == 0)
            elif bank == 2:
                nvic.set_pending(exc)
            elif bank == 3:
                nvic.clear_pending(exc)

    def _implemented(self, index: int) -> int:
        return ((1 << max(0, min(32, self.nvic.irqs - 32 * index))) - 1)

    def _exception_at(self, offset: int) -> int | None:
        if _IPR_BASE <= offset < _IPR_END:
            exc = FIRST_IRQ + offset - _IPR_BASE
            return exc if exc < self.nvic.count else None
        return 4 + offset - _SHPR_BASE

    def _priority_byte(self, offset: int) -> int:
        exc = self._exception_at(offset)
        return 0 if exc is None or exc in FIXED_PRIORITY else self.nvic.priority[exc]

    def _set_priority_byte(self, offset: int, value: int) -> None:
        exc = self._exception_at(offset)
        if exc is not None:
            self.nvic.set_priority(exc, value)

    # -- SysTick -------------------------------------------------------------------------
    def read_SYST_CSR(self) -> int:
        return self.systick.read_csr()

    def write_SYST_CSR(self, value: int) -> None:
        self.systick.write_csr(value)

    def read_SYST_RVR(self) -> int:
        return self.systick.reload

    def write_SYST_RVR(self, value: int) -> None:
        self.systick.write_rvr(value)

    def read_SYST_CVR(self) -> int:
        return self.systick.read_cvr()

    def write_SYST_CVR(self, value: int) -> None:
        self.systick.write_cvr(value)

    # -- SCB -----------------------------------------------------------------------------
    def read_ICSR(self) -> int:
        nvic = self.nvic
        active = self.core.ipsr()
        value = active
        pending = nvic.highest_pending()
        value |= (pending or 0) << 12
        if any(exc >= FIRST_IRQ for exc in nvic.pending):
            value |= ICSR_ISRPENDING
        if active and len(nvic.active) <= 1:
            value |= ICSR_RETTOBASE
        for exc, bit in ((NMI, ICSR_NMIPENDSET), (PENDSV, ICSR_PENDSVSET),
                         (SYSTICK, ICSR_PENDSTSET)):
            if exc in nvic.pending:
                value |= bit
        return value

    def write_ICSR(self, value: int) -> None:
        nvic = self.nvic
        for exc, set_bit, clear_bit in ((NMI, ICSR_NMIPENDSET, 0),
                                        (PENDSV, ICSR_PENDSVSET, ICSR_PENDSVCLR),
                                        (SYSTICK, ICSR_PENDSTSET, ICSR_PENDSTCLR)):
            if value & set_bit:
                nvic.set_pending(exc)
            elif value & clear_bit:
                nvic.clear_pending(exc)

    def read_AIRCR(self) -> int:
        return AIRCR_VECTKEYSTAT << 16 | self.nvic.prigroup << 8

    def write_AIRCR(self, value: int) -> None:
        if value >> 16 != AIRCR_VECTKEY:
            self.guest_error(f"AIRCR write {value:#010x} without VECTKEY ignored")
            return
        self.nvic.set_prigroup(value >> 8)
        if value & AIRCR_VECTCLRACTIVE:
            self.nvic.active.clear()
        if value & (AIRCR_SYSRESETREQ | AIRCR_VECTRESET):
            self.core.request_reset()

    def read_SHCSR(self) -> int:
        nvic = self.nvic
        value = 0
        for bits, states in ((SHCSR_ACTIVE, nvic.active), (SHCSR_PENDED, nvic.pending),
                             (SHCSR_ENABLE, nvic.fault_enabled)):
            value |= sum(1 << bit for bit, exc in bits.items() if exc in states)
        return value

    def write_SHCSR(self, value: int) -> None:
        nvic = self.nvic
        for bit, exc in SHCSR_ENABLE.items():
            nvic.set_enabled(exc, bool(value >> bit & 1))
        for bit, exc in SHCSR_ACTIVE.items():
            if value >> bit & 1:
                nvic.active.add(exc)
            else:
                nvic.active.discard(exc)
        for bit, exc in SHCSR_PENDED.items():
            if value >> bit & 1:
                nvic.set_pending(exc)
            else:
                nvic.clear_pending(exc)

    def write_STIR(self, value: int) -> None:
        irq = value & 0x1FF
        if irq < self.nvic.irqs:
            self.nvic.set_pending(FIRST_IRQ + irq)

    # -- fault status, set by the core ---------------------------------------------------
    def record_fault(self, cfsr: int = 0, hfsr: int = 0, bfar: int | None = None) -> None:
        self.regs["CFSR"] |= cfsr
        self.regs["HFSR"] |= hfsr
        if bfar is not None:
            self.regs["BFAR"] = bfar
            self.regs["CFSR"] |= BFARVALID


# ---------------------------------------------------------------------------------------
# The core


@dataclass(frozen=True)
class _Frame:
    """The context an exception entry stacked: where, and the EXC_RETURN that unstacks it."""

    sp: int
    exc_return: int


class CortexM4(Core):
    """An MT3620 IO core: ARMv7E-M with the single-precision FPU (Cortex-M4F)."""

    def __init__(self, spec: CoreSpec, clock: Clock, mappings: list[Mapping]) -> None:
        super().__init__(spec.name, spec.frequency_hz, clock)
        uc = self.uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
        uc.ctl_set_cpu_model(A.UC_CPU_ARM_CORTEX_M4)
        self._in_run = False  # inside run(): local time counts retired instructions
        self._run_start_ns = 0
        self._run_used = 0
        self._counter = RetiredCounter(uc)
        self.nvic = Nvic(spec.irqs, spec.priority_bits)
        self.nvic.on_change = self._exception_state_changed
        self.interrupt_controller = self.nvic
        self.systick = SysTick(clock, spec.frequency_hz, lambda: self.nvic.set_pending(SYSTICK),
                               self.local_time_ns)
        self.scs = SystemControlSpace(f"{spec.name}-scs", self)
        self._map = AddressMap(spec.name)
        for m in mappings:
            self._map.add(m)
        self._map.add(Mapping(SCS_BASE, SCS_SIZE, "scs", "peripheral", peripheral=self.scs))
        self._map.access = BusAccess(spec.name, privileged=self.privileged)
        self._map.on_bus_error = self._on_bus_error
        self._map.install(uc)
        uc.hook_add(UC_HOOK_INTR, self._on_intr)
        uc.hook_add(UC_HOOK_MEM_INVALID, self._on_invalid_memory)
        self._context = RegisterGroup(uc, _CONTEXT_REGS)
        self._fp_context = RegisterGroup(uc, _FP_CONTEXT_REGS)
        self._mask_regs = RegisterGroup(uc, _MASK_REGS)
        self._handler_entry = RegisterGroup(uc, (_XPSR_WRITE, A.UC_ARM_REG_CONTROL,
                                                 A.UC_ARM_REG_LR, A.UC_ARM_REG_PC))
        self._unstack = {sp: RegisterGroup(uc, (A.UC_ARM_REG_CONTROL, sp, *_FRAME_REGS,
                                                _XPSR_WRITE, A.UC_ARM_REG_PC))
                         for sp in (A.UC_ARM_REG_MSP, A.UC_ARM_REG_PSP)}
        self._disassembler = Cs(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS)
        self.halt_on_bkpt = False  # set while a debugger is attached: BKPT stops, no HardFault
        self._breakpoints: dict[int, int] = {}  # address -> hook handle
        self._watchpoints: dict[tuple[int, int, str], int] = {}
        self._boot_vector_table = 0
        self._clear_run_state()
        self.state = CoreState.HELD if spec.reset == "held" else CoreState.RUNNING
        if self.state is CoreState.RUNNING:
            self.reset()

    @property
    def address_map(self) -> AddressMap:
        return self._map

    def _clear_run_state(self) -> None:
        self._in_emu = False
        self._bus_error: tuple[int, int] | None = None  # data address, pc of the access
        self._fault_address: int | None = None  # from Unicorn's invalid-memory hook
        self._access_stop_pc: int | None = None
        self._stopped_to_poll = False
        self._watch_hit: tuple[int, str] | None = None
        self._watch_suppressed = False
        self._reset_requested = False
        self._slice_given_up = False
        self._masked_walk = MASKED_WALK_RUNS
        self._masked_poll = 64
        self._polling_masks = False
        self._resume_over: int | None = None  # breakpoint the core last stopped on
        self._step_over: int | None = None

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
        self.scs.regs["VTOR"] = self._boot_vector_table
        self._clear_run_state()
        self.debug_stop = None
        self.halt_reason = None
        uc = self.uc
        uc.reg_write(_XPSR_WRITE, XPSR_T | 1)  # Handler mode, so every write below is allowed
        uc.reg_write(A.UC_ARM_REG_CONTROL, 0)
        for reg in (A.UC_ARM_REG_PRIMASK, A.UC_ARM_REG_BASEPRI, A.UC_ARM_REG_FAULTMASK,
                    A.UC_ARM_REG_PSP, A.UC_ARM_REG_FPSCR, *_CORE_REGS.values()):
            uc.reg_write(reg, 0)
        for i in range(16):
            uc.reg_write(A.UC_ARM_REG_D0 + i, 0)
        uc.reg_write(A.UC_ARM_REG_LR, 0xFFFFFFFF)
        uc.reg_write(_XPSR_WRITE, XPSR_T)  # back to Thread mode on the main stack
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
        if self._in_emu:
            self.uc.emu_stop()

    # -- running -------------------------------------------------------------------------
    def run(self, instructions: int) -> None:
        self._slice_given_up = False
        self._run_start_ns = self.clock.now_ns
        self._run_used = 0
        self._in_run = True
        try:
            while self._run_used < instructions and self.runnable and not self._slice_given_up:
                self._take_pending()
                if not self.runnable:
                    break
                remaining = instructions - self._run_used
                limit = self._masked_run_length()
                self._polling_masks = limit is not None
                self._execute(remaining if limit is None else min(remaining, limit))
        finally:
            self._in_run = False

    def local_time_ns(self) -> int:
        """Virtual time at the instruction executing now.

        The clock moves only between time slices; within one, the core's time is the
        slice's start plus the instructions it has retired since (Unicorn's live count).
        """
        if not self._in_run:
            return self.clock.now_ns
        used = self._run_used
        if self._in_emu and self._counter.available:
            used += self._counter.started()
        return self._run_start_ns + used * NS_PER_S // self.frequency_hz

    def _masked_run_length(self) -> int | None:
        """How far to run while an exception waits only for PRIMASK/FAULTMASK/BASEPRI.

        Unicorn cannot report CPSIE or an MSR to a mask, so the core walks the code one
        straight-line run at a time and stops right after such an instruction (the
        ``cpsid; wfi; cpsie`` idiom, short critical sections). Past MASKED_WALK_RUNS runs it
        looks again after 64, 128, ... instructions, up to MASKED_POLL_INSTRUCTIONS.
        """
        if not self._masked_pending():
            self._masked_walk = MASKED_WALK_RUNS
            self._masked_poll = 64
            return None
        try:
            code = bytes(self.uc.mem_read(self.uc.reg_read(A.UC_ARM_REG_PC), 64))
        except UcError:
            code = b""
        count, unmasks = straight_run(code)
        if unmasks or self._masked_walk > 0:
            self._masked_walk -= 1
            return count
        length = self._masked_poll
        self._masked_poll = min(2 * length, MASKED_POLL_INSTRUCTIONS)
        return length

    def _masked_pending(self) -> bool:
        nvic = self.nvic
        return bool(nvic.pending) and nvic.deliverable(nvic.execution_priority()) is not None

    def _execute(self, count: int) -> None:
        """One counted Unicorn run, then whatever ended it."""
        uc = self.uc
        pc = uc.reg_read(A.UC_ARM_REG_PC)
        if self._access_stop_pc is not None:  # a stop that never came: nothing to replay
            self._access_stop_pc = None
            self._map.cancel_stop_after_access()
        if self._resume_over == pc:
            self._step_over = pc
        self._resume_over = None
        self._bus_error = self._watch_hit = self._fault_address = None
        self._stopped_to_poll = False
        error = None
        self._in_emu = True
        try:
            uc.emu_start(pc | (uc.reg_read(A.UC_ARM_REG_XPSR) >> 24 & 1), UNTIL_NEVER,
                         count=count)
        except UcError as err:
            error = err.errno
        finally:
            self._in_emu = False
            self._step_over = None
        counted = self._counter.available
        started = self._counter.started() if counted else count
        used = max(1, min(count, started))  # without the counter an early stop costs the run
        self.instructions_retired += used
        self._run_used += used
        if self._reset_requested:
            self.reset()
        elif self.state is CoreState.HALTED or self.debug_stop is not None:
            pass
        elif self._watch_hit is not None:
            self._finish_watched_access()
        elif error is not None:
            self._cpu_error(error)
        elif self._bus_error is not None:
            self._data_bus_error()
        elif self._access_stop_pc is not None:
            self._finish_stopped_access()
        elif self._stopped_to_poll:
            self._stopped_to_poll = False
        elif counted and started <= count:
            self._stopped_early()

    def _stopped_early(self) -> None:
        """The run ended with nothing recorded and count to spare: Unicorn halted on WFI."""
        if self._follows_hint(self.uc.reg_read(A.UC_ARM_REG_PC), WFI) and \
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
        return not self.uc.reg_read(A.UC_ARM_REG_CONTROL) & CONTROL_NPRIV or bool(self.ipsr())

    def _on_bus_error(self, address: int, _is_write: bool) -> None:
        if self._bus_error is None:
            self._bus_error = (address, self.uc.reg_read(A.UC_ARM_REG_PC))

    def scs_refused(self, offset: int, is_write: bool) -> int:
        """An unprivileged access to the SCS is a bus error, like a refused bus access."""
        self._on_bus_error(SCS_BASE + offset, is_write)
        self.uc.emu_stop()
        return 0

    def _on_invalid_memory(self, _uc: Uc, _access: int, address: int, _size: int, _value: int,
                           _data: object) -> bool:
        self._fault_address = address
        return False

    def _exception_state_changed(self) -> None:
        """Something was pended, enabled or reprioritised."""
        if self._in_emu:
            # Stop to take it, or to start watching the masks that hold it back.
            if self._access_stop_pc is None and (self._deliverable() is not None or (
                    not self._polling_masks and self._masked_pending())):
                self._access_stop_pc = self.uc.reg_read(A.UC_ARM_REG_PC)
                self._map.stop_after_access()
        elif self.state is CoreState.SLEEPING and self._wake_condition():
            self.state = CoreState.RUNNING

    def _finish_stopped_access(self) -> None:
        """A register access made an exception deliverable and the bus stopped the run.

        Unicorn abandoned the instruction that made the access; it runs once more (the bus
        answers it from its record) so the exception returns to the instruction after it.
        Inside an IT block Unicorn instead finishes the block, and the PC has moved on.
        """
        stopped_at, self._access_stop_pc = self._access_stop_pc, None
        if self.uc.reg_read(A.UC_ARM_REG_PC) == stopped_at:
            self._resume_over = stopped_at  # a breakpoint there has already fired
            self._execute(1)
        else:
            self._map.cancel_stop_after_access()

    # -- exception priority --------------------------------------------------------------
    def ipsr(self) -> int:
        return self.uc.reg_read(A.UC_ARM_REG_IPSR) & XPSR_IPSR

    def _masks(self) -> tuple[int, int, int]:
        """PRIMASK, BASEPRI, FAULTMASK."""
        with self._privilege():
            primask, basepri, faultmask = self._mask_regs.read()
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

    def _take_pending(self) -> None:
        while self.state is CoreState.RUNNING:
            exc = self._deliverable()
            if exc is None:
                return
            self._enter(exc, self.uc.reg_read(A.UC_ARM_REG_PC))

    # -- exception entry -----------------------------------------------------------------
    def _enter(self, exc: int, return_address: int) -> None:
        """Stack the current context and start the handler of ``exc``."""
        frame, stacked = self._push_frame(return_address)
        if stacked:
            self._dispatch(exc, frame)
        else:  # the exception stays pending; the bus error is taken instead
            self.scs.record_fault(cfsr=STKERR)
            self._derived_fault(frame, self._execution_priority(), STKERR)

    def _push_frame(self, return_address: int) -> tuple[_Frame, bool]:
        """Push R0-R3, R12, LR, the return address and xPSR (and S0-S15, FPSCR when the
        context uses the FPU) on the current stack; False if the stack is not writable RAM.
        The stack pointer moves either way, as on hardware."""
        r0, r1, r2, r3, r12, lr, xpsr, control, sp = self._context.read()
        extended = bool(control & CONTROL_FPCA)
        exc_return = EXC_RETURN_BASE | (0 if extended else EXC_RETURN_BASIC_FRAME)
        if not xpsr & XPSR_IPSR:
            exc_return |= EXC_RETURN_THREAD | (EXC_RETURN_PSP if control & CONTROL_SPSEL else 0)
        size = EXTENDED_FRAME if extended else BASIC_FRAME
        pad = 4 if sp & 4 and self.scs.ccr & CCR_STKALIGN else 0
        frameptr = (sp - size - pad) & ~3
        stacked_xpsr = (xpsr & ~XPSR_ALIGN) | (XPSR_ALIGN if pad else 0)
        data = struct.pack("<8I", r0, r1, r2, r3, r12, lr, return_address & ~1, stacked_xpsr)
        if extended:  # lazy stacking is not modelled: the FP context is saved at once
            *doubles, fpscr = self._fp_context.read()
            data += struct.pack("<8Q2I", *doubles, fpscr, 0)
            self.scs.regs["FPCAR"] = frameptr + BASIC_FRAME
        self.uc.reg_write(A.UC_ARM_REG_SP, frameptr)
        frame = _Frame(frameptr, exc_return)
        if not self._is_ram(frameptr, len(data)):
            return frame, False
        self.uc.mem_write(frameptr, data)
        return frame, True

    def _dispatch(self, exc: int, frame: _Frame) -> None:
        """Start the handler of ``exc`` over a stacked frame (entry, tail-chain, derived)."""
        vector = self._read_words(self.scs.vtor + 4 * exc, 1)
        if vector is None:
            if exc in (HARDFAULT, NMI):
                self._lockup(f"vector fetch for {_exception_name(exc)} failed",
                             self.scs.vtor + 4 * exc)
                return
            self.scs.record_fault(hfsr=HFSR_VECTTBL)
            self._dispatch(HARDFAULT, frame)
            return
        uc = self.uc
        handler = vector[0]
        xpsr = uc.reg_read(A.UC_ARM_REG_XPSR) & ~(XPSR_IT | XPSR_IPSR | XPSR_T)
        control = uc.reg_read(A.UC_ARM_REG_CONTROL) & CONTROL_NPRIV
        # IPSR first: Handler mode banks SP to MSP and allows the CONTROL write, which
        # clears SPSEL and FPCA (the handler has no FP context until it uses the FPU).
        self._handler_entry.write((xpsr | (XPSR_T if handler & 1 else 0) | exc, control,
                                   frame.exc_return, handler))
        self.nvic.activate(exc)

    # -- exception return ----------------------------------------------------------------
    def _exception_return(self, exc_return: int) -> None:
        """A handler branched to EXC_RETURN: tail-chain, or unstack and resume."""
        uc = self.uc
        nvic = self.nvic
        current = self.ipsr()
        to_thread = bool(exc_return & EXC_RETURN_THREAD)
        others = nvic.active - {current}
        if (exc_return & 0xFFFFFFE0 != 0xFFFFFFE0 or exc_return & 0xF not in (0x1, 0x9, 0xD)
                or current not in nvic.active or (not to_thread and not others)
                or (to_thread and others and not self.scs.ccr & CCR_NONBASETHRDENA)):
            self._fault(USAGEFAULT, exc_return, cfsr=INVPC)
            return
        frame = _Frame(uc.reg_read(A.UC_ARM_REG_SP), exc_return)
        nvic.deactivate(current)
        priority = self._execution_priority()
        chained = nvic.deliverable(priority)
        if chained is not None:
            self._dispatch(chained, frame)
            return
        use_psp = to_thread and bool(exc_return & EXC_RETURN_PSP)
        extended = not exc_return & EXC_RETURN_BASIC_FRAME
        frameptr = uc.reg_read(A.UC_ARM_REG_PSP if use_psp else A.UC_ARM_REG_MSP)
        size = EXTENDED_FRAME if extended else BASIC_FRAME
        data = self._read_ram(frameptr, size)
        if data is None:
            self.scs.record_fault(cfsr=UNSTKERR)
            self._derived_fault(frame, priority, UNSTKERR)
            return
        r0, r1, r2, r3, r12, lr, pc, xpsr = struct.unpack_from("<8I", data)
        if bool(xpsr & XPSR_IPSR) == to_thread or (not to_thread and
                                                   xpsr & XPSR_IPSR not in others):
            nvic.activate(current)
            self._fault(USAGEFAULT, exc_return, cfsr=INVPC)
            return
        new_sp = frameptr + size + (4 if xpsr & XPSR_ALIGN and self.scs.ccr & CCR_STKALIGN
                                    else 0)
        control = uc.reg_read(A.UC_ARM_REG_CONTROL) & CONTROL_NPRIV
        control |= (CONTROL_SPSEL if use_psp else 0) | (CONTROL_FP_ACTIVE if extended else 0)
        if extended:
            self._fp_context.write(struct.unpack_from("<8QI", data, BASIC_FRAME))
        # CONTROL and the stack pointer while still in Handler mode (no stack switch yet),
        # then xPSR: IPSR changes mode and banks SP, then the return address.
        self._unstack[A.UC_ARM_REG_PSP if use_psp else A.UC_ARM_REG_MSP].write(
            (control, new_sp, r0, r1, r2, r3, r12, lr, xpsr & ~XPSR_ALIGN,
             (pc & ~1) | (xpsr >> 24 & 1)))
        if to_thread and self.scs.regs["SCR"] & SCR_SLEEPONEXIT and not self._wake_condition():
            self.state = CoreState.SLEEPING
            uc.emu_stop()

    # -- faults --------------------------------------------------------------------------
    def _fault(self, fault: int, return_address: int, *, cfsr: int = 0, hfsr: int = 0,
               address: int | None = None) -> None:
        """A synchronous fault of the instruction at ``return_address``: record and take it."""
        self.scs.record_fault(cfsr, hfsr, address if cfsr & PRECISERR else None)
        target = self._fault_target(fault, self._execution_priority())
        if target is None:
            current = self.ipsr()
            where = f" in {_exception_name(current)}" if current else ""
            self._lockup(f"{_describe(fault, cfsr | hfsr)}{where}", address, return_address)
            return
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

    def _derived_fault(self, frame: _Frame, priority: int, status: int) -> None:
        """A bus error while stacking or unstacking: taken over the frame in place."""
        target = self._fault_target(BUSFAULT, priority)
        if target is None:
            self._lockup(_describe(BUSFAULT, status), frame.sp)
            return
        self._dispatch(target, frame)

    def _lockup(self, what: str, address: int | None = None, pc: int | None = None) -> None:
        if pc is None:
            pc = self.uc.reg_read(A.UC_ARM_REG_PC)
        where = f" address={address:#010x}" if address is not None else ""
        self.halt(f"lockup: {what} at pc={pc:#010x}{where}")
        if self._in_emu:
            self.uc.emu_stop()

    def _cpu_error(self, error: int) -> None:
        """Unicorn refused an instruction or an access: the matching architectural fault."""
        pc = self.uc.reg_read(A.UC_ARM_REG_PC)
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
        if not self.uc.reg_read(A.UC_ARM_REG_XPSR) & XPSR_T:
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
        insn = next(self._disassembler.disasm(code, pc, 1), None)
        return insn is not None and insn.mnemonic != "udf"

    def _data_bus_error(self) -> None:
        """An MMIO access hit nothing, was refused, or was unprivileged in the SCS."""
        (address, access_pc), self._bus_error = self._bus_error, None
        pc = self.uc.reg_read(A.UC_ARM_REG_PC)
        if pc == access_pc:
            self._fault(BUSFAULT, pc, cfsr=PRECISERR, address=address)
        else:  # Unicorn completed an IT block past the access: reported as imprecise
            self._fault(BUSFAULT, pc, cfsr=IMPRECISERR)

    # -- Unicorn hooks -------------------------------------------------------------------
    def _on_intr(self, uc: Uc, intno: int, _data: object) -> None:
        pc = uc.reg_read(A.UC_ARM_REG_PC)
        if intno == _INTR_EXC_RETURN:
            self._exception_return(pc | 1)
        elif intno == _INTR_SVC:
            self._svc(pc)
        elif intno == _INTR_BKPT:
            if self.halt_on_bkpt:
                self.debug_stop = DebugStop("breakpoint", pc)
                uc.emu_stop()
            else:
                self._fault(HARDFAULT, pc, hfsr=HFSR_DEBUGEVT)
        elif intno in _INTR_USAGE_FAULTS:
            self._fault(USAGEFAULT, pc, cfsr=_INTR_USAGE_FAULTS[intno])
        else:
            self._lockup(f"unexpected CPU exception {intno}")
        if self.state is CoreState.RUNNING and not self._polling_masks and \
                self._masked_pending():
            self._stopped_to_poll = True  # an exception return left one behind a mask
            uc.emu_stop()

    def _svc(self, return_address: int) -> None:
        """SVC (Unicorn has already stepped past it): SVCall, or HardFault if it cannot run."""
        priority = self._execution_priority()
        if self.nvic.group_priority(SVCALL) < priority:
            self._enter(SVCALL, return_address)
            return
        target = self._fault_target(HARDFAULT, priority)
        if target is None:
            self._lockup(f"SVC in {_exception_name(self.ipsr())}", None, return_address - 2)
            return
        self.scs.record_fault(hfsr=HFSR_FORCED)
        self._enter(HARDFAULT, return_address - 2)

    # -- memory the model reads and writes for the core ----------------------------------
    def _is_ram(self, address: int, size: int) -> bool:
        m = self._map.find(address)
        return m is not None and m.kind == "ram" and address + size <= m.end

    def _read_ram(self, address: int, size: int) -> bytes | None:
        """RAM or ROM contents, or None: stacks and vector tables never live in registers."""
        m = self._map.find(address)
        if m is None or m.memory is None or address + size > m.end:
            return None
        return bytes(self.uc.mem_read(address, size))

    def _read_words(self, address: int, count: int) -> tuple[int, ...] | None:
        data = self._read_ram(address, 4 * count)
        return None if data is None else struct.unpack(f"<{count}I", data)

    # -- privileged register access ------------------------------------------------------
    @contextmanager
    def _privilege(self) -> Iterator[None]:
        """Unicorn hides MSP/PSP and the masks from unprivileged Thread mode (reads give 0,
        writes are ignored), so borrow Handler mode for the access. Writing IPSR banks the
        stack pointer as hardware would, which makes the detour invisible."""
        uc = self.uc
        borrow = not self.ipsr() and uc.reg_read(A.UC_ARM_REG_CONTROL) & CONTROL_NPRIV
        if borrow:
            uc.reg_write(A.UC_ARM_REG_IPSR, 1)
        try:
            yield
        finally:
            if borrow:
                uc.reg_write(A.UC_ARM_REG_IPSR, 0)

    # -- debugger ------------------------------------------------------------------------
    def register_names(self) -> list[str]:
        return [*_CORE_REGS, "xpsr", *_PRIVILEGED_REGS, "control", *_FP_REGS]

    def read_register(self, name: str) -> int:
        uc = self.uc
        if name in _CORE_REGS:
            return uc.reg_read(_CORE_REGS[name])
        if name in _FP_REGS:
            return uc.reg_read(_FP_REGS[name])
        if name == "xpsr":
            return uc.reg_read(A.UC_ARM_REG_XPSR)
        if name == "control":
            return uc.reg_read(A.UC_ARM_REG_CONTROL) & 7
        if name in _PRIVILEGED_REGS:
            with self._privilege():
                return uc.reg_read(_PRIVILEGED_REGS[name])
        raise KeyError(name)

    def write_register(self, name: str, value: int) -> None:
        uc = self.uc
        value &= 0xFFFFFFFF
        if name == "pc":  # keep the Thumb state: GDB writes even addresses
            thumb = uc.reg_read(A.UC_ARM_REG_XPSR) >> 24 & 1
            uc.reg_write(A.UC_ARM_REG_PC, (value & ~1) | thumb)
        elif name in _CORE_REGS:
            uc.reg_write(_CORE_REGS[name], value)
        elif name in _FP_REGS:
            uc.reg_write(_FP_REGS[name], value)
        elif name == "xpsr":
            uc.reg_write(_XPSR_WRITE, value)
        elif name == "control":
            self._write_control(value & 7)
        elif name in _PRIVILEGED_REGS:
            with self._privilege():
                uc.reg_write(_PRIVILEGED_REGS[name], value)
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
        if address in self._breakpoints:
            return
        self._breakpoints[address] = self.uc.hook_add(UC_HOOK_CODE, self._on_breakpoint,
                                                      begin=address, end=address)
        self.uc.ctl_remove_cache(address, address + 4)  # hooks apply when code is translated

    def remove_breakpoint(self, address: int) -> None:
        handle = self._breakpoints.pop(address, None)
        if handle is not None:
            self.uc.hook_del(handle)
            self._retranslate()

    def add_watchpoint(self, address: int, size: int, kind: str) -> None:
        if kind not in _WATCH_HOOKS or size <= 0:
            raise ValueError(f"bad watchpoint: {kind} {address:#x}+{size}")
        key = (address, size, kind)
        if key in self._watchpoints:
            return
        self._watchpoints[key] = self.uc.hook_add(
            _WATCH_HOOKS[kind], lambda _uc, _access, addr, _size, _value, _d:
            self._on_watch(addr, kind), begin=address, end=address + size - 1)
        self.uc.ctl_flush_tb()

    def remove_watchpoint(self, address: int, size: int, kind: str) -> None:
        handle = self._watchpoints.pop((address, size, kind), None)
        if handle is not None:
            self.uc.hook_del(handle)
            self._retranslate()

    def _retranslate(self) -> None:
        # Code translated while a hook existed stays instrumented (and slow) until flushed.
        self.uc.ctl_flush_tb()

    def _on_breakpoint(self, uc: Uc, address: int, _size: int, _data: object) -> None:
        if address == self._step_over:  # resuming from this very breakpoint
            self._step_over = None
            return
        self.debug_stop = DebugStop("breakpoint", address)
        self._resume_over = address
        uc.emu_stop()

    def _on_watch(self, address: int, kind: str) -> None:
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


def _exception_name(exc: int) -> str:
    if exc >= FIRST_IRQ:
        return f"IRQ{exc - FIRST_IRQ}"
    return EXCEPTION_NAMES.get(exc, f"exception {exc}")


def _describe(fault: int, status: int) -> str:
    causes = [text for bit, text in FAULT_TEXT.items() if status & bit]
    return f"{_exception_name(fault)} ({', '.join(causes) or 'fault'})"
