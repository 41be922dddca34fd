"""What a faulting A7 load/store touches: the addresses it accesses, from the live
registers, so the model can report DFAR and find which word of an LDM/STM faulted.

Apart from ``a7_mmu.py`` because it needs capstone, which the core loads only when a data
abort first needs decoding (importing it is a tenth of a bare run's start-up).
"""

from collections.abc import Callable
from dataclasses import dataclass

from capstone import CS_ARCH_ARM, CS_MODE_ARM, CS_MODE_THUMB, Cs, CsError
from capstone import arm as cs_arm


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
