"""The little Thumb-2 decoding the Cortex-M model needs, on raw code bytes.

Unicorn does not report CPSIE or MSR to the masks, so the core hooks each such instruction
(``unmask_sites``) and takes an exception that waited behind the mask right after it.
"""

import struct

CPSIE_I, CPSIE_F = 0xB662, 0xB661
MSR_SYSM_MASKS = (0x10, 0x11, 0x12, 0x13)  # PRIMASK, BASEPRI, BASEPRI_MAX, FAULTMASK


def unmask_sites(code: bytes) -> list[int]:
    """Offsets in ``code`` of CPSIE and MSR to a mask register, at every halfword (a
    misaligned match only adds a hook that acts on nothing)."""
    sites = []
    for offset in range(0, len(code) - 1, 2):
        (first,) = struct.unpack_from("<H", code, offset)
        second = (struct.unpack_from("<H", code, offset + 2)[0]
                  if offset + 4 <= len(code) else None)
        if _unmasks(first, None) or (second is not None and _unmasks(first, second)):
            sites.append(offset)
    return sites


def _unmasks(first: int, second: int | None) -> bool:
    if second is None:
        return first in (CPSIE_I, CPSIE_F)
    return first & 0xFFF0 == 0xF380 and second & 0xFF00 == 0x8800 and \
        second & 0xFF in MSR_SYSM_MASKS
