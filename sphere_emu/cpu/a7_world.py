"""The A7's two security states, each a Unicorn instance with its own view of the bus.

The Secure instance sees every mapping, the Non-secure one only those not marked
``secure_only``; each has its own CP15 state, registers and VFP bank (``cortex_a.py`` and
``docs/cortex-a7.md``). ``MonitorState`` holds what Monitor mode would hold on hardware.
A ``World`` also knows how to enter an exception in its state and to read code through
its own translation regime.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from unicorn import (
    UC_ARCH_ARM,
    UC_CTL_IO_WRITE,
    UC_CTL_TLB_FLUSH,
    UC_HOOK_INTR,
    UC_HOOK_MEM_FETCH_INVALID,
    UC_HOOK_MEM_READ_INVALID,
    UC_HOOK_MEM_WRITE_INVALID,
    UC_HOOK_TLB_FILL,
    UC_MODE_ARM,
    UC_TLB_VIRTUAL,
    Uc,
)
from unicorn import arm_const as uc_arm

from ..bus import AddressMap, Mapping
from ..engine import (
    CoprocessorRegister,
    Register,
    RegisterGroup,
    RetiredCounter,
    end_runs_by_count,
)
from ..engine.tlb import unmapped_ranges
from ..peripherals.registers import BusAccess
from . import a7_mmu as mmu

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
NS_BANK = 0

GIC_BASE = 0x2C000000  # our choice: CBAR reads 0 on Unicorn's A7 and no public record gives it
# A translation that faults is given a page in this (never mapped) physical range, so the
# access ends in an unmapped-memory stop that the model turns into the abort. Keeping the
# fault out of Unicorn's TLB-fill path avoids its own, incomplete, exception delivery.
FAULT_WINDOW_BASE = 0xE0000000
FAULT_WINDOW_PAGES = 0x10000
FAULT_WINDOW_END = FAULT_WINDOW_BASE + (FAULT_WINDOW_PAGES << 12)
PAGE_MASK = 0xFFF

GPR = [getattr(uc_arm, f"UC_ARM_REG_R{i}") for i in range(13)] + [
    uc_arm.UC_ARM_REG_SP, uc_arm.UC_ARM_REG_LR, uc_arm.UC_ARM_REG_PC]
REGISTERS: dict[str, int] = {
    **{f"r{i}": GPR[i] for i in range(13)},
    "sp": uc_arm.UC_ARM_REG_SP, "lr": uc_arm.UC_ARM_REG_LR, "pc": uc_arm.UC_ARM_REG_PC,
    "cpsr": uc_arm.UC_ARM_REG_CPSR,
    **{f"d{i}": getattr(uc_arm, f"UC_ARM_REG_D{i}") for i in range(32)},
    "fpscr": uc_arm.UC_ARM_REG_FPSCR,
}
CS_NAMES = {"sb": 9, "sl": 10, "fp": 11, "ip": 12, "sp": 13, "lr": 14, "pc": 15,
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


@dataclass
class Stop:
    """Why a run ended before its count, as the hooks saw it."""

    # "svc" | "smc" | "dabt" | "pabt" | "bkpt" | "bus" | "unmapped" | "intr" | "debug", or
    # from a watched site: "udef" (undefined, not begun), "approach" (before a site's block),
    # "before" (a code hook's site, which the count has begun, runs again)
    kind: str
    address: int = 0
    write: bool = False
    fetch: bool = False
    intno: int = 0


class World:
    """One security state: its Unicorn instance and its view of the bus."""

    def __init__(self, core: Any, secure: bool, mappings: list[Mapping]) -> None:
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
        self.map.cut = core.engine.cut
        self.map.install(uc)
        uc.hook_add(UC_HOOK_INTR, core._on_interrupt)
        # Only where nothing is mapped (the fault window included), so RAM stores stay on
        # Unicorn's fast path (engine/tlb.py). Unicorn reports physical addresses here.
        for begin, end in unmapped_ranges((m.base, m.end) for m in self.map.mappings):
            uc.hook_add(UC_HOOK_MEM_READ_INVALID | UC_HOOK_MEM_WRITE_INVALID
                        | UC_HOOK_MEM_FETCH_INVALID, core._on_invalid_access,
                        begin=begin, end=end)
        uc.hook_add(UC_HOOK_TLB_FILL,
                    lambda _uc, va, kind, entry, _d: core._tlb_fill(self, va, kind, entry))
        self.fault_pages: dict[int, int] = {}  # fault-window page -> the faulting VA page
        self._next_fault_page = 0
        # Watched instructions (a7_watch.py): VA -> (kind, found as Thumb) pairs; the unmask
        # sites (code hooks while armed, else None); the other sites in address order with
        # the instruction sets they were found in (block hooks).
        self.sites: dict[int, set[tuple[str, bool]]] = {}
        self.unmask_sites: set[int] = set()
        self.unmask_hooks: list[int] | None = None
        self.precise_sites: list[int] = []
        self.precise_modes: dict[int, set[bool]] = {}
        self.block_seen: tuple[int, int, int] | None = None  # (run, block, count) handled
        self.block_ranges: set[tuple[int, int]] = set()  # the block hooks' address ranges
        self.exact_hooks: list[tuple[int, int]] = []  # (site, code hook) for one run
        self.exact_run = 0  # the run they serve
        self.stale_blocks: list[tuple[int, int]] = []  # translations to drop before a run
        # (VA page, PA page) -> hash of the code scanned there for watched instructions: a TLB
        # refill of an unchanged page (after a TLBIALL, or of a process's 4 KiB pages) is not
        # rescanned.
        self.scanned_code: dict[tuple[int, int], int] = {}
        self.counter = RetiredCounter(uc)
        end_runs_by_count(uc)
        self.vfp_denied = False  # CPACR/NSACR deny cp10/cp11: Unicorn's FPEXC.EN held clear
        self.fpexc = 0  # the guest's FPEXC while access is denied
        # Registers read on every run and interrupt, through the C API (engine/regs.py).
        self._pc = Register(uc, uc_arm.UC_ARM_REG_PC)
        self._cpsr = Register(uc, uc_arm.UC_ARM_REG_CPSR)
        self._cp15: dict[tuple[int, int, int, int], CoprocessorRegister] = {}
        # CPSR first: the mode switch banks SPSR and LR to the new mode's copies.
        self._exception_entry = RegisterGroup(uc, (uc_arm.UC_ARM_REG_CPSR,
                                                   uc_arm.UC_ARM_REG_SPSR,
                                                   uc_arm.UC_ARM_REG_LR, uc_arm.UC_ARM_REG_PC))
        self.reset_context = uc.context_save()

    def _cp15_register(self, reg: tuple[int, int, int, int]) -> CoprocessorRegister:
        register = self._cp15.get(reg)
        if register is None:
            opc1, crn, crm, opc2 = reg
            register = self._cp15[reg] = CoprocessorRegister(self.uc, 15, opc1, crn, crm,
                                                             opc2, NS_BANK)
        return register

    def cp15(self, reg: tuple[int, int, int, int]) -> int:
        return self._cp15_register(reg).read()

    def set_cp15(self, reg: tuple[int, int, int, int], value: int) -> None:
        self._cp15_register(reg).write(value & 0xFFFFFFFF)

    def cpsr(self) -> int:
        return self._cpsr.read()

    def drop_restored_itstate(self) -> None:
        """Undo the IT state Unicorn 2.1.4 leaves behind after a data TLB fill.

        Before it calls the fill hook Unicorn restores the CPU state to the faulting
        instruction, ITSTATE included. The translation block then runs on, but nothing writes
        ITSTATE back when the IT block ends inside it, so the next block starts "in an IT
        block" and conditions (usually skips) its first instruction: seen in glibc's Thumb-2
        code. Zero is right after a successful fill: a block that ends inside the IT block
        stores the live state itself, and a later fault restores it again.
        """
        cpsr = self.cpsr()
        if cpsr & CPSR_IT:
            self.uc.reg_write(uc_arm.UC_ARM_REG_CPSR, cpsr & ~CPSR_IT)

    def pc(self) -> int:
        return self._pc.read()

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

    def gpr(self, index: int) -> int:
        return self.uc.reg_read(GPR[index])

    def set_gpr(self, index: int, value: int) -> None:
        if index == 15:  # MRC to APSR_nzcv
            cpsr = self.cpsr()
            self.uc.reg_write(uc_arm.UC_ARM_REG_CPSR, (cpsr & 0x0FFFFFFF) | (value & 0xF0000000))
        else:
            self.uc.reg_write(GPR[index], value & 0xFFFFFFFF)

    def vector_base(self, sctlr: int | None = None) -> int:
        """Where the vectors are (``sctlr``: SCTLR if the caller has just read it)."""
        if sctlr is None:
            sctlr = self.cp15(SCTLR)
        return 0xFFFF0000 if sctlr & mmu.SCTLR_V else self.cp15(VBAR) & ~0x1F

    def enter_exception(self, mode: int, vector: int, lr: int, mask_fiq: bool = False) -> None:
        """Take an exception to ``mode`` at ``vector``, as the architecture enters one."""
        world = self
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
        self._exception_entry.write((new, old, lr & 0xFFFFFFFF,
                                     ((self.vector_base(sctlr) + vector) & ~1) | int(thumb)))

    def undefined(self, pc: int, thumb: bool) -> None:
        self.enter_exception(MODE_UND, VEC_UNDEF, lr=pc + (2 if thumb else 4))

    def read_code(self, pc: int, regs: mmu.MmuRegisters | None = None) -> bytes | None:
        """The 4 bytes at virtual ``pc`` through this world's translation, or None."""
        world = self
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

    def last_was(self, test: Callable[[bytes, bool, int], bool]) -> bool:
        """Whether the instruction just before PC is one ``test`` accepts."""
        world = self
        thumb = bool(world.cpsr() & CPSR_T)
        pc = world.pc()
        if thumb:
            for back in (2, 4):
                code = self.read_code(pc - back)
                if code is not None and test(code, True, back):
                    return True
            return False
        code = self.read_code(pc - 4)
        return code is not None and test(code, False, 4)



# --------------------------------------------------------------------------------------
# Hint instructions Unicorn does not report as such


def is_wfi(code: bytes, thumb: bool, length: int) -> bool:
    if thumb:
        return (code[:2] == b"\x30\xbf") if length == 2 else code == bytes.fromhex("aff30380")
    word = int.from_bytes(code, "little")
    return (word & 0x0FFFFFFF) == 0x0320F003


def is_wfe_or_yield(code: bytes, thumb: bool, length: int) -> bool:
    if thumb:
        if length == 2:
            return code[:2] in (b"\x20\xbf", b"\x10\xbf")
        return code in (bytes.fromhex("aff30280"), bytes.fromhex("aff30180"))
    word = int.from_bytes(code, "little") & 0x0FFFFFFF
    return word in (0x0320F002, 0x0320F001)
