"""Short-descriptor translation and fault decoding for the A7 model.

Unicorn's Cortex-A7 can walk the guest's tables itself, but on a fault it reports only
"data abort" or "prefetch abort" (no DFSR/DFAR), on an external abort only the physical
address, and its host-side memory reads are physical. So the core runs Unicorn in its
virtual-TLB mode and serves each TLB miss from here; Unicorn caches the result, so this
code runs once per page and privilege level until the guest's TLB maintenance:

* ``walk``/``check``/``translate`` walk the guest's tables the way the hardware does, give
  the physical page and permissions (the core serves Unicorn's TLB fills from them) and
  name the fault (DFSR/IFSR status, domain) an access raises;
* ``data_access`` decodes the load/store at the faulting PC into the virtual addresses it
  touches, so the model can report DFAR and find which word of an LDM/STM faulted.
"""

from collections.abc import Callable
from dataclasses import dataclass

from capstone import CS_ARCH_ARM, CS_MODE_ARM, CS_MODE_THUMB, Cs, CsError
from capstone import arm as cs_arm

# Fault status codes (short-descriptor format, FS[4:0]).
FS_ALIGNMENT = 0b00001
FS_DEBUG = 0b00010
FS_ACCESS_FLAG_SECTION = 0b00011
FS_TRANSLATION_SECTION = 0b00101
FS_ACCESS_FLAG_PAGE = 0b00110
FS_TRANSLATION_PAGE = 0b00111
FS_EXTERNAL = 0b01000
FS_DOMAIN_SECTION = 0b01001
FS_DOMAIN_PAGE = 0b01011
FS_WALK_EXTERNAL_L1 = 0b01100
FS_PERMISSION_SECTION = 0b01101
FS_WALK_EXTERNAL_L2 = 0b01110
FS_PERMISSION_PAGE = 0b01111

SCTLR_M = 1 << 0
SCTLR_A = 1 << 1
SCTLR_V = 1 << 13
SCTLR_EE = 1 << 25
SCTLR_AFE = 1 << 29
SCTLR_TE = 1 << 30

ReadWord = Callable[[int], int | None]  # physical address -> word, None if nothing there


def fsr(status: int, domain: int = 0, write: bool = False) -> int:
    """A DFSR/IFSR value (short-descriptor format) for a fault status."""
    return (status & 0xF) | ((status >> 4) << 10) | ((domain & 0xF) << 4) | (int(write) << 11)


@dataclass(frozen=True)
class MmuRegisters:
    sctlr: int
    ttbr0: int
    ttbr1: int
    ttbcr: int
    dacr: int


@dataclass(frozen=True)
class Fault:
    status: int
    domain: int = 0


@dataclass(frozen=True)
class Access:
    write: bool = False
    execute: bool = False
    user: bool = False


@dataclass(frozen=True)
class Descriptor:
    """The result of a successful table walk, before the permission check."""

    pa: int
    domain: int
    ap: int  # AP[1:0]
    apx: int  # AP[2]
    xn: bool
    pxn: bool
    page: bool  # a page (level 2) rather than a section


def walk(regs: MmuRegisters, va: int, read_word: ReadWord) -> Descriptor | Fault:
    """Walk the short-descriptor tables for ``va`` (identity when the MMU is off)."""
    va &= 0xFFFFFFFF
    if not regs.sctlr & SCTLR_M:
        return Descriptor(va, 0, 3, 0, False, False, False)
    n = regs.ttbcr & 7
    if regs.ttbcr & (1 << 31):  # long descriptors are not modelled: report a translation fault
        return Fault(FS_TRANSLATION_SECTION)
    if n and va >> (32 - n):
        if regs.ttbcr & (1 << 5):  # PD1: no walks through TTBR1
            return Fault(FS_TRANSLATION_SECTION)
        l1 = (regs.ttbr1 & 0xFFFFC000) | ((va >> 20) << 2)
    else:
        if regs.ttbcr & (1 << 4):  # PD0
            return Fault(FS_TRANSLATION_SECTION)
        base = regs.ttbr0 & ~((1 << (14 - n)) - 1) & 0xFFFFFFFF
        l1 = base | (((va >> 20) & ((1 << (12 - n)) - 1)) << 2)
    desc = read_word(l1)
    if desc is None:
        return Fault(FS_WALK_EXTERNAL_L1)
    kind = desc & 3
    if kind == 0:
        return Fault(FS_TRANSLATION_SECTION)
    if kind == 1:
        domain = (desc >> 5) & 0xF
        pxn = bool(desc & (1 << 2))
        l2 = read_word((desc & 0xFFFFFC00) | (((va >> 12) & 0xFF) << 2))
        if l2 is None:
            return Fault(FS_WALK_EXTERNAL_L2, domain)
        if l2 & 3 == 0:
            return Fault(FS_TRANSLATION_PAGE, domain)
        if l2 & 3 == 1:  # 64 KiB large page
            pa, xn = (l2 & 0xFFFF0000) | (va & 0xFFFF), bool(l2 & (1 << 15))
        else:  # 4 KiB small page
            pa, xn = (l2 & 0xFFFFF000) | (va & 0xFFF), bool(l2 & 1)
        return Descriptor(pa, domain, (l2 >> 4) & 3, (l2 >> 9) & 1, xn, pxn, True)
    if desc & (1 << 18):  # 16 MiB supersection
        pa, domain = (desc & 0xFF000000) | (va & 0xFFFFFF), 0
    else:
        pa, domain = (desc & 0xFFF00000) | (va & 0xFFFFF), (desc >> 5) & 0xF
    return Descriptor(pa, domain, (desc >> 10) & 3, (desc >> 15) & 1, bool(desc & (1 << 4)),
                      bool(desc & 1), False)


def check(regs: MmuRegisters, d: Descriptor, access: Access) -> Fault | None:
    """The permission fault ``access`` raises through ``d``, if any."""
    if not regs.sctlr & SCTLR_M:
        return None
    dacr = (regs.dacr >> (2 * d.domain)) & 3
    if dacr in (0, 2):
        return Fault(FS_DOMAIN_PAGE if d.page else FS_DOMAIN_SECTION, d.domain)
    if dacr == 3:  # manager: permission bits (XN included) are not checked
        return None
    if regs.sctlr & SCTLR_AFE:
        if not d.ap & 1:
            return Fault(FS_ACCESS_FLAG_PAGE if d.page else FS_ACCESS_FLAG_SECTION, d.domain)
        readable = not access.user or bool(d.ap & 2)
        writable = readable and not d.apx
    else:
        bits = (d.apx << 2) | d.ap
        readable = bits in (2, 3, 6, 7) or (bits in (1, 5) and not access.user)
        writable = bits == 3 or (bits in (1, 2) and not access.user)
    executable = not (d.xn or (d.pxn and not access.user))
    if (not readable or (access.write and not writable)
            or (access.execute and not executable)):
        return Fault(FS_PERMISSION_PAGE if d.page else FS_PERMISSION_SECTION, d.domain)
    return None


def translate(regs: MmuRegisters, va: int, access: Access, read_word: ReadWord
              ) -> int | Fault:
    """Physical address for ``va``, or the fault the access raises."""
    d = walk(regs, va, read_word)
    if isinstance(d, Fault):
        return d
    fault = check(regs, d, access)
    return fault if fault is not None else d.pa


def permissions(regs: MmuRegisters, d: Descriptor, user: bool) -> tuple[bool, bool, bool]:
    """(read, write, execute) allowed through ``d`` at this privilege."""
    return tuple(check(regs, d, Access(write=w, execute=x, user=user)) is None
                 for w, x in ((False, False), (True, False), (False, True)))


# --------------------------------------------------------------------------------------
# What a faulting load/store touches


@dataclass(frozen=True)
class DataAccess:
    addresses: tuple[int, ...]  # every word/element address, in access order
    write: bool


_STORE_PREFIXES = ("st", "push", "vst", "vpush", "srs")
_MULTIPLE = ("ldm", "stm", "push", "pop", "vldm", "vstm", "vpush", "vpop", "srs", "rfe")


class AccessDecoder:
    """Finds the addresses a load/store instruction accesses, from the live registers."""

    def __init__(self) -> None:
        self._cs = {}
        for thumb, mode in ((False, CS_MODE_ARM), (True, CS_MODE_THUMB)):
            cs = Cs(CS_ARCH_ARM, mode)
            cs.detail = True
            self._cs[thumb] = cs

    def decode(self, code: bytes, pc: int, thumb: bool, reg: Callable[[int], int]
               ) -> DataAccess | None:
        """``reg(capstone_register_id) -> value``; None if ``code`` is not a load/store."""
        try:
            insn = next(self._cs[thumb].disasm(code, pc, 1), None)
        except CsError:
            return None
        if insn is None:
            return None
        name = insn.mnemonic.split(".")[0]
        write = name.startswith(_STORE_PREFIXES) or name.startswith("swp")

        def value(reg_id: int) -> int:
            if reg_id == cs_arm.ARM_REG_PC:
                return ((pc + (4 if thumb else 8)) & ~3) & 0xFFFFFFFF
            return reg(reg_id)

        if name.startswith(_MULTIPLE):
            return self._multiple(insn, name, write, value)
        for op in insn.operands:
            if op.type == cs_arm.ARM_OP_MEM:
                address = value(op.mem.base) if op.mem.base else 0
                if not getattr(insn, "post_index", False) and not _post_indexed(insn):
                    if op.mem.index:
                        offset = _shifted(value(op.mem.index), op.shift.type, op.shift.value)
                        address += -offset if op.subtracted else offset
                    address += op.mem.disp
                return DataAccess((address & 0xFFFFFFFF,), write)
        return None

    def _multiple(self, insn, name: str, write: bool, value: Callable[[int], int]
                  ) -> DataAccess | None:
        regs = [op for op in insn.operands if op.type == cs_arm.ARM_OP_REG]
        if name in ("push", "pop", "vpush", "vpop"):
            base, listed = value(cs_arm.ARM_REG_SP), regs
        elif regs:
            base, listed = value(regs[0].reg), regs[1:]
        else:
            return None
        doubles = bool(listed) and cs_arm.ARM_REG_D0 <= listed[0].reg <= cs_arm.ARM_REG_D31
        step = 8 if doubles else 4
        count = max(len(listed), 1)
        total = step * count
        decrement = name in ("push", "vpush") or "db" in name or "da" in name
        before = name in ("push", "vpush") or "db" in name or "ib" in name
        start = (base - total + (0 if before else 4)) if decrement else base + (4 if before else 0)
        return DataAccess(tuple((start + i * 4) & 0xFFFFFFFF for i in range(total // 4)),
                          write)


def _post_indexed(insn) -> bool:
    """Capstone marks ``ldr r0, [r1], #4`` inconsistently; a writeback form whose memory
    operand is followed by another operand is post-indexed."""
    ops = list(insn.operands)
    for i, op in enumerate(ops):
        if op.type == cs_arm.ARM_OP_MEM:
            return insn.writeback and i + 1 < len(ops)
    return False


def _shifted(value: int, shift_type: int, amount: int) -> int:
    if shift_type in (cs_arm.ARM_SFT_LSL, cs_arm.ARM_SFT_LSL_REG):
        return (value << amount) & 0xFFFFFFFF
    if shift_type in (cs_arm.ARM_SFT_LSR, cs_arm.ARM_SFT_LSR_REG):
        return value >> amount
    if shift_type in (cs_arm.ARM_SFT_ASR, cs_arm.ARM_SFT_ASR_REG):
        signed = value - (1 << 32) if value & 0x80000000 else value
        return (signed >> amount) & 0xFFFFFFFF
    if shift_type in (cs_arm.ARM_SFT_ROR, cs_arm.ARM_SFT_ROR_REG) and amount:
        return ((value >> amount) | (value << (32 - amount))) & 0xFFFFFFFF
    return value
