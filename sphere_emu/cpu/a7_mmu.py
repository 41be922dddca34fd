"""Short-descriptor translation and fault decoding for the A7 model.

Unicorn's Cortex-A7 can walk the guest's tables itself, but on a fault it reports only
"data abort" or "prefetch abort" (no DFSR/DFAR), on an external abort only the physical
address, and its host-side memory reads are physical. So the core runs Unicorn in its
virtual-TLB mode and serves each TLB miss from here; Unicorn caches the result, so this
code runs once per page and privilege level until the guest's TLB maintenance:

* ``walk``/``check``/``translate`` walk the guest's tables the way the hardware does, give
  the physical page and permissions (the core serves Unicorn's TLB fills from them) and
  name the fault (DFSR/IFSR status, domain) an access raises;
* ``a7_access.py`` decodes the load/store at the faulting PC into the virtual addresses
  it touches, so the model can report DFAR and find which word of an LDM/STM faulted.
"""

from collections.abc import Callable
from dataclasses import dataclass

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
