"""The Secure-PL1 instructions Unicorn's A7 lacks, emulated for the model's Monitor.

Unicorn's A7 has no EL3: SCR, SDER, MVBAR, NSACR writes and the ``*_mon`` banked registers
(``MRS/MSR <banked>``) are undefined instructions. When Secure PL1 code executes one, the
core asks ``SecureInstructions.emulate`` before it takes the Undefined exception: the
values live in ``MonitorState`` (NSACR in both worlds' CP15, where the VFP checks read it).
"""

from .a7_world import MODE_MASK, MODE_USR, NSACR, SCR_WRITABLE, MonitorState, World


class SecureInstructions:
    def __init__(self, state: MonitorState, worlds: tuple[World, World]) -> None:
        self.state = state
        self.worlds = worlds

    def emulate(self, world: World, pc: int, thumb: bool) -> bool:
        """SCR/SDER/NSACR/MVBAR and *_mon access from Secure PL1; False if not one of them."""
        if world.cpsr() & MODE_MASK == MODE_USR:
            return False
        code = world.read_code(pc)
        if code is None:
            return False
        lo, hi = int.from_bytes(code[:2], "little"), int.from_bytes(code[2:], "little")
        word = (lo << 16) | hi if thumb else int.from_bytes(code, "little")
        length = 4
        if thumb and lo >> 11 not in (0b11101, 0b11110, 0b11111):
            return False  # a 16-bit Thumb instruction: none of ours
        if (word & 0x0F000010) == 0x0E000010 and (word >> 8) & 0xF == 15:
            handled = self._cp15(world, word)
        else:
            handled = self._banked(world, word, thumb)
        if handled:
            world.set_pc(pc + length, thumb)
        return handled

    def _cp15(self, world: World, word: int) -> bool:
        opc1, read = (word >> 21) & 7, bool(word & (1 << 20))
        crn, rt, opc2, crm = (word >> 16) & 0xF, (word >> 12) & 0xF, (word >> 5) & 7, word & 0xF
        key = (opc1, crn, crm, opc2)
        mon = self.state
        fields = {(0, 1, 1, 0): "scr", (0, 1, 1, 1): "sder", (0, 12, 0, 1): "mvbar"}
        if key in fields:
            name = fields[key]
            if read:
                world.set_gpr(rt, getattr(mon, name))
            else:
                value = world.gpr(rt)
                value = {"scr": value & SCR_WRITABLE, "sder": value & 3,
                         "mvbar": value & ~0x1F & 0xFFFFFFFF}[name]
                setattr(mon, name, value)
            return True
        if key == NSACR and not read:
            value = world.gpr(rt) & 0x000FFFFF
            for each in self.worlds:
                each.set_cp15(NSACR, value)
            return True
        return False

    def _banked(self, world: World, word: int, thumb: bool) -> bool:
        if thumb:
            hw1, hw2 = word >> 16, word & 0xFFFF
            if (hw1 & 0xFFE0) == 0xF3E0 and (hw2 & 0xF0EF) == 0x8020:  # MRS Rd, <banked>
                r, sysm, reg, to_core = (hw1 >> 4) & 1, ((hw2 >> 4) & 1) << 4 | (hw1 & 0xF), \
                    (hw2 >> 8) & 0xF, True
            elif (hw1 & 0xFFE0) == 0xF380 and (hw2 & 0xF0EF) == 0x8020:  # MSR <banked>, Rn
                r, sysm, reg, to_core = (hw1 >> 4) & 1, ((hw2 >> 4) & 1) << 4 | \
                    ((hw2 >> 8) & 0xF), hw1 & 0xF, False
            else:
                return False
        elif (word & 0x0FB00EFF) == 0x01000200:
            r, sysm, reg, to_core = (word >> 22) & 1, ((word >> 8) & 1) << 4 | \
                ((word >> 16) & 0xF), (word >> 12) & 0xF, True
        elif (word & 0x0FB0FEF0) == 0x0120F200:
            r, sysm, reg, to_core = (word >> 22) & 1, ((word >> 8) & 1) << 4 | \
                ((word >> 16) & 0xF), word & 0xF, False
        else:
            return False
        field = {(0, 0x1C): "lr_mon", (0, 0x1D): "sp_mon", (1, 0x1C): "spsr_mon"}.get((r, sysm))
        if field is None:
            return False
        if to_core:
            world.set_gpr(reg, getattr(self.state, field))
        else:
            setattr(self.state, field, world.gpr(reg))
        return True
