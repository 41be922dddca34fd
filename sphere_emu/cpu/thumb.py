"""The little Thumb-2 decoding the Cortex-M model needs, on raw code bytes.

Unicorn does not report CPSIE or MSR to the masks, so when an exception waits only for
PRIMASK, FAULTMASK or BASEPRI the core walks the code a straight-line run at a time
(``straight_run``): up to the instruction that may unmask it, or the next branch.
"""

import struct

CPSIE_I, CPSIE_F = 0xB662, 0xB661
MSR_SYSM_MASKS = (0x10, 0x11, 0x12, 0x13)  # PRIMASK, BASEPRI, BASEPRI_MAX, FAULTMASK


def is_wide(halfword: int) -> bool:
    """The first halfword of a 32-bit Thumb-2 instruction."""
    return halfword >> 11 in (0b11101, 0b11110, 0b11111)


def _ends_straight_line(first: int, second: int | None) -> bool:
    """Branches, PC writes, and instructions that stop Unicorn or trap."""
    if second is None:
        return (0xD000 <= first < 0xE800  # b<cond>, udf, svc, b
                or first & 0xFF00 in (0x4700, 0xBD00, 0xBE00)  # bx/blx, pop {..pc}, bkpt
                or first & 0xF500 == 0xB100  # cbz, cbnz
                or first & 0xFF87 in (0x4687, 0x4487)  # mov pc, add pc
                or first in (0xBF10, 0xBF20, 0xBF30))  # yield, wfe, wfi
    if first & 0xF800 == 0xF000 and second & 0x8000:  # branches and misc control
        if second & 0x5000 or first & 0x0380 != 0x0380:
            return True  # b.w, bl, blx, b<cond>.w
        return (first & 0x07F0 in (0x03C0, 0x03D0)  # bxj, subs pc, lr
                or (first == 0xF3AF and second & 0xFF in (1, 2, 3)))  # wide yield/wfe/wfi
    if first & 0xFE50 == 0xE810 and second & 0x8000:
        return True  # ldm/pop.w including pc
    if first & 0xFFF0 == 0xE8D0:
        return True  # tbb, tbh (and some exclusives: conservative)
    return first & 0xFF70 == 0xF850 and second & 0xF000 == 0xF000  # ldr.w pc


def straight_run(code: bytes) -> tuple[int, bool]:
    """Instructions to run from the start of ``code`` to execute the first CPSIE or MSR to
    a mask register (then True), or the first branch or other PC write (then False).

    Unicorn counts only the instructions of an IT block that pass their condition and
    never stops inside one, so a block counts as its IT instruction alone: the count is
    at most the real one, and a run that ends early just looks again. Code that ends
    before either is found gives what was scanned; undecodable code gives one instruction.
    """
    count = 0
    offset = 0
    skip = 0  # instructions left in the current IT block
    while offset + 2 <= len(code):
        (first,) = struct.unpack_from("<H", code, offset)
        second = None
        if is_wide(first):
            if offset + 4 > len(code):
                break
            (second,) = struct.unpack_from("<H", code, offset + 2)
        if skip:
            skip -= 1
            if _unmasks(first, second) or _ends_straight_line(first, second):
                return count, False
        elif first & 0xFF00 == 0xBF00 and first & 0xF:
            skip = 4 - (first & -first & 0xF).bit_length() + 1
            count += 1
        else:
            count += 1
            if _unmasks(first, second):
                return count, True
            if _ends_straight_line(first, second):
                return count, False
        offset += 2 if second is None else 4
    return max(count, 1), False


def _unmasks(first: int, second: int | None) -> bool:
    if second is None:
        return first in (CPSIE_I, CPSIE_F)
    return first & 0xFFF0 == 0xF380 and second & 0xFF00 == 0x8800 and \
        second & 0xFF in MSR_SYSM_MASKS
