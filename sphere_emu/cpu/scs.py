"""The ARMv7-M System Control Space of one core: SysTick, NVIC, SCB and FPU registers.

The 4 KiB at 0xE000E000, declared as data in the register framework. The per-interrupt
arrays (enable/pending/active bits, priority bytes) are served from the ``Nvic``, byte
lanes included; SysTick's registers from ``SysTick``. Only privileged code may access the
SCS (except STIR when CCR.USERSETMPEND is set); an unprivileged access is a bus error.
"""

from collections.abc import Callable
from typing import Any, Protocol

from ..engine.busywait import Status
from ..peripherals.registers import (
    RO,
    W1C,
    WO,
    BusAccess,
    Field,
    Peripheral,
    PeripheralContext,
    Register,
)
from .nvic import (
    BUSFAULT,
    DEBUGMON,
    FIRST_IRQ,
    FIXED_PRIORITY,
    MEMMANAGE,
    NMI,
    PENDSV,
    SVCALL,
    SYSTICK,
    USAGEFAULT,
    Nvic,
)
from .systick import CALIB, SysTick

SCS_BASE, SCS_SIZE = 0xE000E000, 0x1000

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

# SCB registers with behaviour, down to the fields the model uses
VECTACTIVE, VECTPENDING = Field("VECTACTIVE", 0, 9), Field("VECTPENDING", 12, 9)
RETTOBASE, ISRPENDING = Field("RETTOBASE", 11), Field("ISRPENDING", 22)
PENDSTCLR, PENDSTSET = Field("PENDSTCLR", 25), Field("PENDSTSET", 26)
PENDSVCLR, PENDSVSET, NMIPENDSET = Field("PENDSVCLR", 27), Field("PENDSVSET", 28), \
    Field("NMIPENDSET", 31)
ICSR_FIELDS = (VECTACTIVE, RETTOBASE, VECTPENDING, ISRPENDING, PENDSTCLR, PENDSTSET,
               PENDSVCLR, PENDSVSET, NMIPENDSET)
VECTRESET, VECTCLRACTIVE, SYSRESETREQ = Field("VECTRESET", 0), Field("VECTCLRACTIVE", 1), \
    Field("SYSRESETREQ", 2)
PRIGROUP, VECTKEY = Field("PRIGROUP", 8, 3), Field("VECTKEY", 16, 16)
AIRCR_FIELDS = (VECTRESET, VECTCLRACTIVE, SYSRESETREQ, PRIGROUP, VECTKEY)
AIRCR_VECTKEY, AIRCR_VECTKEYSTAT = 0x05FA, 0xFA05  # written, and read back, in VECTKEY
SLEEPONEXIT = Field("SLEEPONEXIT", 1)
SCR_FIELDS = (SLEEPONEXIT, Field("SLEEPDEEP", 2), Field("SEVONPEND", 4))
NONBASETHRDENA, USERSETMPEND, STKALIGN = Field("NONBASETHRDENA", 0), \
    Field("USERSETMPEND", 1), Field("STKALIGN", 9, reset=1)
CCR_FIELDS = (NONBASETHRDENA, USERSETMPEND, Field("UNALIGN_TRP", 3), Field("DIV_0_TRP", 4),
              Field("BFHFNMIGN", 8), STKALIGN)
SHCSR_ACTIVE = {0: MEMMANAGE, 1: BUSFAULT, 3: USAGEFAULT, 7: SVCALL, 8: DEBUGMON, 10: PENDSV,
                11: SYSTICK}
SHCSR_PENDED = {12: USAGEFAULT, 13: MEMMANAGE, 14: BUSFAULT, 15: SVCALL}
SHCSR_ENABLE = {16: MEMMANAGE, 17: BUSFAULT, 18: USAGEFAULT}
DEMCR_WRITABLE = 0x010F07F1


class ScsOwner(Protocol):
    """What the SCS asks of its core."""

    nvic: Nvic
    systick: SysTick

    def ipsr(self) -> int: ...

    def request_reset(self) -> None: ...

    def scs_refused(self, offset: int, is_write: bool) -> int: ...


def _scs_registers(scs: "SystemControlSpace") -> list[Register]:
    systick = scs.systick
    regs = [
        Register("ICTR", 0x004, access=RO),
        Register("ACTLR", 0x008, writable=0x307),
        Register("SYST_CSR", 0x010, read=systick.read_csr, write=systick.write_csr),
        Register("SYST_RVR", 0x014, read=lambda: systick.reload, write=systick.write_rvr),
        Register("SYST_CVR", 0x018, read=systick.read_cvr, write=systick.write_cvr),
        Register("SYST_CALIB", 0x01C, reset=CALIB, access=RO),
    ]
    for name, base in (("NVIC_ISER", 0x100), ("NVIC_ICER", 0x180), ("NVIC_ISPR", 0x200),
                       ("NVIC_ICPR", 0x280), ("NVIC_IABR", 0x300)):
        regs += [Register(f"{name}{i}", base + 4 * i) for i in range(16)]
    regs += [Register(f"NVIC_IPR{i}", 0x400 + 4 * i) for i in range(124)]
    regs += [
        Register("CPUID", 0xD00, reset=0x410FC241, access=RO),  # Cortex-M4 r0p1
        Register("ICSR", 0xD04, fields=ICSR_FIELDS, read=scs._read_icsr,
                 write=scs._write_icsr),
        Register("VTOR", 0xD08, writable=0xFFFFFF80),
        Register("AIRCR", 0xD0C, fields=AIRCR_FIELDS, read=scs._read_aircr,
                 write=scs._write_aircr),
        Register("SCR", 0xD10, fields=SCR_FIELDS, writable=0),
        Register("CCR", 0xD14, fields=CCR_FIELDS, writable=0),
        Register("SHPR1", 0xD18),
        Register("SHPR2", 0xD1C),
        Register("SHPR3", 0xD20),
        Register("SHCSR", 0xD24, read=scs._read_shcsr, write=scs._write_shcsr),
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
        Register("DEMCR", 0xDFC, writable=DEMCR_WRITABLE, write=scs._write_demcr),
        Register("STIR", 0xF00, access=WO, write=scs._write_stir),
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
    return regs


# One bit per interrupt, 16 words each: set-enable, clear-enable, set-pending, clear-pending,
# active. Priority bytes: one per interrupt, and SHPR1-3 for exceptions 4-15.
_BIT_BANKS = (0x100, 0x180, 0x200, 0x280, 0x300)
_IPR_BASE, _IPR_END = 0x400, 0x400 + 496
_SHPR_BASE, _SHPR_END = 0xD18, 0xD24
_STIR = 0xF00


class SystemControlSpace(Peripheral):
    """SysTick, NVIC, SCB and FPU registers of one core (see the module docstring)."""

    TYPE = "armv7m-scs"
    SIZE = SCS_SIZE

    def __init__(self, name: str, core: ScsOwner, ctx: PeripheralContext) -> None:
        self.core = core
        self.nvic = core.nvic
        self.systick = core.systick
        self.on_demcr: Callable[[], None] = lambda: None  # TRCENA gates the DWT's CYCCNT
        super().__init__(name, ctx)

    def registers(self) -> list[Register]:
        return _scs_registers(self)

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
        if not access.privileged and not (offset == _STIR and self.ccr & USERSETMPEND.mask):
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
    def time_sources(self) -> dict[int, Any]:
        """What a busy-wait may poll (engine/busywait.py): SYST_CSR as a status (COUNTFLAG
        sets at the counter's next 1 -> 0 transition, only writes change the rest) and
        SYST_CVR as a down-counter that reloads from SYST_RVR."""
        status = Status(self.systick.next_countflag_ns)
        systick = self.systick
        return {0x010: lambda: status, 0x018: lambda: systick}

    # -- SCB -----------------------------------------------------------------------------
    def _read_icsr(self) -> int:
        nvic = self.nvic
        active = self.core.ipsr()
        value = active << VECTACTIVE.lsb
        pending = nvic.highest_pending()
        value |= (pending or 0) << VECTPENDING.lsb
        if any(exc >= FIRST_IRQ for exc in nvic.pending):
            value |= ISRPENDING.mask
        if active and len(nvic.active) <= 1:
            value |= RETTOBASE.mask
        for exc, field in ((NMI, NMIPENDSET), (PENDSV, PENDSVSET), (SYSTICK, PENDSTSET)):
            if exc in nvic.pending:
                value |= field.mask
        return value

    def _write_icsr(self, value: int) -> None:
        nvic = self.nvic
        for exc, set_bit, clear_bit in ((NMI, NMIPENDSET.mask, 0),
                                        (PENDSV, PENDSVSET.mask, PENDSVCLR.mask),
                                        (SYSTICK, PENDSTSET.mask, PENDSTCLR.mask)):
            if value & set_bit:
                nvic.set_pending(exc)
            elif value & clear_bit:
                nvic.clear_pending(exc)

    def _read_aircr(self) -> int:
        return AIRCR_VECTKEYSTAT << VECTKEY.lsb | self.nvic.prigroup << PRIGROUP.lsb

    def _write_aircr(self, value: int) -> None:
        if VECTKEY.get(value) != AIRCR_VECTKEY:
            self.guest_error(f"AIRCR write {value:#010x} without VECTKEY ignored")
            return
        self.nvic.set_prigroup(PRIGROUP.get(value))
        if value & VECTCLRACTIVE.mask:
            self.nvic.active.clear()
        if value & (SYSRESETREQ.mask | VECTRESET.mask):
            self.core.request_reset()

    def _read_shcsr(self) -> int:
        nvic = self.nvic
        value = 0
        for bits, states in ((SHCSR_ACTIVE, nvic.active), (SHCSR_PENDED, nvic.pending),
                             (SHCSR_ENABLE, nvic.fault_enabled)):
            value |= sum(1 << bit for bit, exc in bits.items() if exc in states)
        return value

    def _write_shcsr(self, value: int) -> None:
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

    def _write_demcr(self, value: int) -> None:
        self.regs["DEMCR"] = value & DEMCR_WRITABLE
        self.on_demcr()

    def _write_stir(self, value: int) -> None:
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
