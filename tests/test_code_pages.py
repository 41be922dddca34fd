"""Stores stay on Unicorn's fast path on pages never fetched from, at Unicorn's own TLB
page (1 KB), and self-modifying code still runs what was written last.

The cores grant execute only to pages fetched from (engine/tlb.py): a page first written
as data and then executed becomes a code page, and a later store there must still reach
the translated code. The A7 program below writes a two-instruction routine, calls it,
rewrites it and calls it again, once in the 1 KB page holding its own code, once in the
next 1 KB page of the same 4 KB page (data first, code after), and stores what each call
returned in another 1 KB page.
"""

import dataclasses
import struct

import pytest
from conftest import BOARDS

from sphere_emu.board import load_board
from sphere_emu.machine import Machine

SYSRAM = 0x80000000
RESULTS = SYSRAM + 0x800  # a third 1 KB page of the same 4 KB page


def _mov32(rd: int, value: int) -> list[int]:
    """MOVW/MOVT: ``rd`` = ``value`` (ARM encoding)."""
    low, high = value & 0xFFFF, value >> 16
    return [0xE3000000 | (low >> 12) << 16 | rd << 12 | (low & 0xFFF),
            0xE3400000 | (high >> 12) << 16 | rd << 12 | (high & 0xFFF)]


MOV_R0 = 0xE3A00000  # mov r0, #imm8
BX_LR = 0xE12FFF1E


def _program(routine: int) -> bytes:
    """Write ``mov r0, #1; bx lr`` at ``routine``, call it, write ``mov r0, #2`` over its
    first instruction, call it again; the two results go to RESULTS."""
    words = [
        *_mov32(1, routine),
        *_mov32(6, RESULTS),
        *_mov32(2, MOV_R0 | 1),
        *_mov32(3, BX_LR),
        0xE5812000,  # str r2, [r1]
        0xE5813004,  # str r3, [r1, #4]
        0xE12FFF31,  # blx r1
        0xE5860000,  # str r0, [r6]
        *_mov32(2, MOV_R0 | 2),
        0xE5812000,  # str r2, [r1]
        0xE12FFF31,  # blx r1
        0xE5860004,  # str r0, [r6, #4]
        0xEAFFFFFE,  # b .
    ]
    return struct.pack(f"<{len(words)}I", *words)


@pytest.mark.parametrize("routine", [SYSRAM + 0x100, SYSRAM + 0x400],
                         ids=["code-page", "data-page-then-code"])
def test_a7_runs_code_rewritten_after_it_ran(routine):
    spec = load_board(BOARDS / "mt3620.yaml")
    machine = Machine(dataclasses.replace(spec, cores={"a7": spec.cores["a7"]}))
    ram = machine.memories["a7-sysram"]
    ram.write(0, _program(routine))
    machine.cores["a7"].start_at(SYSRAM)
    machine.run_for(100_000)
    assert struct.unpack("<2I", ram.read(RESULTS - SYSRAM, 8)) == (1, 2)
