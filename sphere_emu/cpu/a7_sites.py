"""The A7 instructions the model must see as they execute, found in code pages.

Unicorn gets a few things wrong that only matter at a handful of instructions, so the core
hooks exactly those addresses (each code page is scanned when it is first fetched through
the TLB; ``cortex_a.py``) instead of hooking every instruction:

* ``TIMER_WRITE``: MCR/MCRR to CNTP_CTL, CNTV_CTL and the CVALs, which Unicorn drops
  (``generic_timer.py``);
* ``TIMER_READ``: MRC from CNTP_CTL/CNTV_CTL, whose ISTATUS the model brings up to date at
  the exact time of the read;
* ``CPACR``: MCR/MRC to CPACR, which Unicorn treats as Non-secure (NSACR masks cp10/cp11)
  even in the Secure World, and whose cp10/cp11 field Unicorn does not enforce;
* ``NSACR_READ``: MRC from NSACR (the model borrows NSACR around Secure CPACR accesses);
* ``FP_ID``: VMRS/VMSR of FPSID, FPEXC, MVFR0/1, which run even when CPACR denies cp10/cp11
  (other VFP instructions are stopped by clearing FPEXC.EN, see ``cortex_a.py``);
* ``UNMASK``: CPSIE, MSR to CPSR with the control field, and exception returns (MOVS/SUBS
  PC, LDM ^ with PC, RFE): an interrupt pending behind CPSR.I/F must be taken right after.

A page is scanned as both ARM (word aligned) and Thumb (halfword aligned) code, so data or
the other instruction set may yield a site that never executes as one; every hook decodes
the instruction again with the live CPSR.T before acting, and does nothing otherwise. A page
fetched from User mode is scanned for the timer kinds only: the others are undefined or
have no effect at PL0 (CPSIE is a no-op there, exception returns are unpredictable), and
Unicorn fills its TLB per privilege level, so a page later fetched from PL1 is scanned
again for every kind.

``reach`` bounds where a translation block that runs into a site can start (after the last
branch before it), so the core's block hooks fire only for blocks that can reach one.
"""

import re

from .generic_timer import decode_timer_write

TIMER_WRITE = "timer-write"
TIMER_READ = "timer-read"
CPACR = "cpacr"
NSACR_READ = "nsacr-read"
FP_ID = "fp-id"
UNMASK = "unmask"
UNPRIVILEGED_KINDS = frozenset({TIMER_WRITE, TIMER_READ})

_CNT_CTL = ((0, 14, 2, 1), (0, 14, 3, 1))
_CPACR = (0, 1, 0, 2)
_NSACR = (0, 1, 1, 2)
_FP_ID_REGS = (0, 6, 7, 8)  # FPSID, MVFR1, MVFR0, FPEXC: not stopped by FPEXC.EN = 0


def _cp15(word: int) -> str | None:
    """MRC/MCR p15 in the ARM layout (a Thumb one is the same with cond = 0xE)."""
    if word & 0x0F000F10 != 0x0E000F10:
        return None
    read = bool(word & (1 << 20))
    key = ((word >> 21) & 7, (word >> 16) & 0xF, word & 0xF, (word >> 5) & 7)
    if key in _CNT_CTL and read:
        return TIMER_READ
    if key == _CPACR:
        return CPACR
    if key == _NSACR and read:
        return NSACR_READ
    return None


def _fp_id(word: int) -> bool:
    """VMRS/VMSR of an FP ID or control register (ARM layout)."""
    return word & 0x0FE00FFF == 0x0EE00A10 and (word >> 16) & 0xF in _FP_ID_REGS


def _arm(word: int) -> str | None:
    cond = word >> 28
    if cond == 0xF:
        if word & 0xFFF10020 == 0xF1000000 and word & 0x000C0000 == 0x00080000 \
                and word & 0x1C0:
            return UNMASK  # CPSIE
        if word & 0xFE50FFFF == 0xF8100A00:
            return UNMASK  # RFE
        return None
    if (word & 0x0FB0FFF0 == 0x0120F000 or word & 0x0FB0F000 == 0x0320F000) \
            and word & (1 << 16):
        return UNMASK  # MSR CPSR_c, Rn / #imm
    if word & 0x0C10F000 == 0x0010F000 and word & 0x0E000090 != 0x00000090:
        return UNMASK  # data processing with S to PC: MOVS/SUBS PC, LR
    if word & 0x0E508000 == 0x08508000:
        return UNMASK  # LDM Rn, {..., pc}^
    if _fp_id(word):
        return FP_ID
    return _cp15(word)


def _thumb(hw1: int, hw2: int) -> str | None:
    """A Thumb instruction starting with ``hw1`` (``hw2``: the next halfword)."""
    if hw1 & 0xFFE8 == 0xB660 and hw1 & 7:
        return UNMASK  # CPSIE (16-bit)
    if hw1 == 0xF3AF and hw2 & 0xD000 == 0x8000 and hw2 & 0x0600 == 0x0400 and hw2 & 0xE0:
        return UNMASK  # CPSIE.W
    if hw1 & 0xFFF0 == 0xF380 and hw2 & 0xF0FF == 0x8000 and hw2 & 0x0100:
        return UNMASK  # MSR CPSR_c, Rn
    if hw1 == 0xF3DE and hw2 & 0xFF00 == 0x8F00:
        return UNMASK  # SUBS PC, LR, #imm
    if hw1 & 0xFFD0 in (0xE810, 0xE990) and hw2 == 0xC000:
        return UNMASK  # RFE
    if hw1 & 0xFF00 == 0xEE00 or hw1 & 0xFFE0 == 0xEEE0:
        word = 0xE0000000 | (hw1 & 0x0FFF) << 16 | hw2
        if _fp_id(word):
            return FP_ID
        return _cp15(word)
    return None


def decode(code: bytes, thumb: bool) -> str | None:
    """What kind of watched instruction the (4) bytes at PC hold, if any."""
    if len(code) < 4:
        return None
    if decode_timer_write(code, thumb) is not None:
        return TIMER_WRITE
    hw1 = int.from_bytes(code[:2], "little")
    hw2 = int.from_bytes(code[2:4], "little")
    return _thumb(hw1, hw2) if thumb else _arm(hw1 | hw2 << 16)


def _byte_class(values: set[int]) -> "re.Pattern[bytes]":
    return re.compile(b"[" + b"".join(re.escape(bytes([v])) for v in sorted(values)) + b"]")


# Cheap filters before decoding: the high byte of a Thumb instruction's first halfword; the
# top byte of an ARM word (coprocessor, LDM, CPS/RFE) or its byte 1 (Rd or the MSR field
# mask = PC/0xF).
_THUMB_FIRST = _byte_class({0xB6, 0xF3, 0xE8, 0xE9, 0xEC, 0xEE})
_ARM_TOP = _byte_class({b for b in range(256) if b & 0xF in (0x8, 0x9, 0xC, 0xE)}
                       | {0xF1, 0xF8, 0xF9})
_ARM_RD_PC = _byte_class(set(range(0xF0, 0x100)))


Site = tuple[str, bool]  # (kind, found as Thumb code)


def scan(page: bytes, privileged: bool = True) -> dict[int, set[Site]]:
    """Offsets in ``page`` that hold a watched instruction, as ARM or as Thumb code, each
    with the kinds found there and the instruction set each was found in (only the timer
    kinds for a page fetched from User mode)."""
    thumb = {m.start() - 1 for m in _THUMB_FIRST.finditer(page) if m.start() % 2}
    arm = {m.start() - 3 for m in _ARM_TOP.finditer(page) if m.start() % 4 == 3}
    arm.update(m.start() - 1 for m in _ARM_RD_PC.finditer(page) if m.start() % 4 == 1)
    sites: dict[int, set[Site]] = {}
    for off in sorted(thumb | arm):
        code = page[off:off + 4]
        found = {(decode(code, True) if off in thumb else None, True),
                 (decode(code, False) if off in arm else None, False)}
        found = {(kind, t) for kind, t in found
                 if kind is not None and (privileged or kind in UNPRIVILEGED_KINDS)}
        if found:
            sites[off] = found
    return sites


# -- where a translation block that reaches a site can start -------------------------------
# Instructions after which Unicorn (QEMU) always ends a translation block: branches, writes
# to the PC, SVC. Missing one here only makes a range longer; never list one that does not.


def _arm_ends_block(word: int) -> bool:
    if word & 0x0E000000 == 0x0A000000:
        return True  # B, BL, BLX (immediate)
    if word >> 28 == 0xF:
        return False
    return (word & 0x0FFFFFC0 == 0x012FFF00 and bool(word & 0x30)  # BX, BXJ, BLX (register)
            or word & 0x0E108000 == 0x08108000  # LDM with PC
            or word & 0x0C50F000 == 0x0410F000  # LDR PC
            or word & 0x0F000000 == 0x0F000000  # SVC
            or (word & 0x0DE0F000 == 0x01A0F000  # MOV PC
                and word & 0x02000090 != 0x00000090))


def _thumb_length(hw: int) -> int:
    return 4 if hw >> 11 in (0x1D, 0x1E, 0x1F) else 2


def _thumb_ends_block(hw1: int, hw2: int) -> bool:
    if _thumb_length(hw1) == 2:
        return (hw1 & 0xF800 == 0xE000  # B
                or hw1 & 0xF000 == 0xD000  # B<c>, UDF, SVC
                or hw1 & 0xFF00 in (0x4700, 0xBD00)  # BX/BLX, POP {..., pc}
                or hw1 & 0xF500 == 0xB100  # CBZ/CBNZ
                or hw1 & 0xFF87 in (0x4687, 0x4487))  # MOV/ADD PC, Rm
    if hw1 & 0xF800 == 0xF000 and hw2 & 0xC000 == 0x8000:
        return (hw2 & 0xD000 in (0x9000, 0xD000) or hw2 & 0xD001 == 0xC000  # B.W, BL, BLX
                or (hw2 & 0xD000 == 0x8000 and (hw1 >> 6) & 0xF < 0xE))  # B<c>.W
    return hw1 & 0xFFD0 in (0xE890, 0xE910) and bool(hw2 & 0x8000)  # LDM.W with PC


def reach(page: bytes, off: int, thumb: bool) -> int:
    """The lowest offset in ``page`` where a translation block in that instruction set can
    start and still run into the instruction at ``off`` (after the last branch before it)."""
    if not thumb:
        for p in range(off - 4, -1, -4):
            if _arm_ends_block(int.from_bytes(page[p:p + 4], "little")):
                return p + 4
        return 0
    # A halfword whose predecessor cannot begin a 32-bit instruction begins an instruction
    # in any block that runs through it, so a branch there ends every such block.
    for p in range(off - 2, 1, -2):
        if _thumb_length(int.from_bytes(page[p - 2:p], "little")) == 4:
            continue
        hw1 = int.from_bytes(page[p:p + 2], "little")
        hw2 = int.from_bytes(page[p + 2:p + 4], "little")
        if _thumb_ends_block(hw1, hw2):
            return min(p + _thumb_length(hw1), off)
    return 0


IN_IT_BLOCK = -1


def thumb_steps(code: bytes, start: int, end: int) -> int | None:
    """Thumb instructions from offset ``start`` to ``end`` in ``code``; None if ``end`` is
    not an instruction boundary from ``start``; ``IN_IT_BLOCK`` if an IT instruction comes
    first (Unicorn's count skips instructions whose IT condition fails, so no count can
    be relied on to stop right before ``end``)."""
    steps, p = 0, start
    while p < end:
        hw = int.from_bytes(code[p:p + 2], "little")
        if hw & 0xFF00 == 0xBF00 and hw & 0xF:
            return IN_IT_BLOCK
        p += _thumb_length(hw)
        steps += 1
    return steps if p == end else None
