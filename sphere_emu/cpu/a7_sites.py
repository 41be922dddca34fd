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
the instruction again with the live CPSR.T before acting, and does nothing otherwise.
"""

import re

from .generic_timer import decode_timer_write

TIMER_WRITE = "timer-write"
TIMER_READ = "timer-read"
CPACR = "cpacr"
NSACR_READ = "nsacr-read"
FP_ID = "fp-id"
UNMASK = "unmask"

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


def scan(page: bytes) -> dict[int, set[str]]:
    """Offsets in ``page`` that hold a watched instruction, as ARM or as Thumb code, each
    with the kinds found there."""
    thumb = {m.start() - 1 for m in _THUMB_FIRST.finditer(page) if m.start() % 2}
    arm = {m.start() - 3 for m in _ARM_TOP.finditer(page) if m.start() % 4 == 3}
    arm.update(m.start() - 1 for m in _ARM_RD_PC.finditer(page) if m.start() % 4 == 1)
    sites: dict[int, set[str]] = {}
    for off in sorted(thumb | arm):
        code = page[off:off + 4]
        kinds = {decode(code, True) if off in thumb else None,
                 decode(code, False) if off in arm else None}
        kinds.discard(None)
        if kinds:
            sites[off] = kinds
    return sites
