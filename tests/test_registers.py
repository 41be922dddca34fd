"""The register framework's access modes, banks, arrays and hooks, on a small test block."""

import logging

from sphere_emu.clock import Clock
from sphere_emu.peripherals.registers import (
    RC,
    RO,
    SC,
    W1C,
    W1S,
    WO,
    Bank,
    BusAccess,
    Field,
    Peripheral,
    PeripheralContext,
    Register,
)

WHO = BusAccess("test")
READY, ERROR = Field("READY", 0, access=RO, reset=1), Field("ERROR", 1, access=RC)
DONE, KICK = Field("DONE", 2, access=W1C), Field("KICK", 3, access=SC)
ARM = Field("ARM", 4, access=W1S)
MODE = Field("MODE", 8, 2)


class Block(Peripheral):
    TYPE = "test-block"
    IRQS = ("irq",)

    def __init__(self, pins: int) -> None:
        self.pins = pins
        self.kicks = 0
        self.modes: list[int] = []
        self.pin_writes: list[tuple[int, int]] = []
        super().__init__("blk", PeripheralContext(clock=Clock()))

    def registers(self) -> list[Register]:
        alt = Bank("alt", lambda: self.regs["CTRL"] & MODE.mask == MODE.mask)
        return [
            Register("CTRL", 0x00, writable=0xFF, fields=(MODE.on(write=self.modes.append),)),
            Register("STATUS", 0x04, fields=(READY, ERROR, DONE, KICK.on(write=self._kick),
                                              ARM)),
            Register("DATA", 0x08, access=WO),
            Register("ID", 0x0C, reset=0x1234, access=RO),
            Register("ALT_ID", 0x0C, reset=0xA17, access=RO, bank=alt),
            Register("PIN{}_CFG", 0x100, count=self.pins, write=self._pin),
        ]

    def _kick(self, _value: int) -> None:
        self.kicks += 1

    def _pin(self, index: int, value: int) -> None:
        self.pin_writes.append((index, value))
        self.regs[f"PIN{index}_CFG"] = value

    def update(self) -> None:
        self.irqs["irq"].set(bool(self.regs["STATUS"] & (ERROR.mask | DONE.mask)))


def test_field_access_modes():
    b = Block(2)
    assert b.read(0x04, 4, WHO) == READY.mask  # reset value comes from the fields
    b.regs["STATUS"] |= ERROR.mask | DONE.mask
    b.update()
    assert b.irqs["irq"].level
    # RO bits ignore writes; W1S sets; SC acts and is not stored; W1C clears only written 1s.
    b.write(0x04, 4, READY.mask | ARM.mask | KICK.mask, WHO)
    assert b.kicks == 1
    assert b.read(0x04, 4, WHO) == READY.mask | ERROR.mask | DONE.mask | ARM.mask
    # ...and that read cleared the RC bit; DONE is still set, so the line stays up.
    assert b.read(0x04, 4, WHO) == READY.mask | DONE.mask | ARM.mask
    assert b.irqs["irq"].level
    b.write(0x04, 1, DONE.mask, WHO)
    assert b.read(0x04, 4, WHO) == READY.mask | ARM.mask
    assert not b.irqs["irq"].level  # update() ran after the write


def test_narrow_write_keeps_other_bytes_and_w1c_neighbours():
    b = Block(1)
    b.write(0x00, 4, 0x5A, WHO)
    b.write(0x01, 1, 0x02, WHO)  # byte 1 only: MODE = 2, byte 0 kept
    assert b.read(0x00, 4, WHO) == 0x25A
    assert b.modes == [2]  # the field hook ran once, when MODE changed
    b.regs["STATUS"] |= DONE.mask
    b.write(0x05, 1, 0xFF, WHO)  # a byte store to byte 1 must not clear DONE in byte 0
    assert b.read(0x04, 1, WHO) & DONE.mask


def test_banks_arrays_and_logged_mistakes(caplog):
    b = Block(3)
    assert b.read(0x0C, 4, WHO) == 0x1234
    b.write(0x00, 4, MODE.mask, WHO)
    assert b.read(0x0C, 4, WHO) == 0xA17  # the alternate bank is active
    b.write(0x108, 4, 7, WHO)  # PIN2_CFG: the array is sized per instance
    assert b.pin_writes == [(2, 7)] and b.read(0x108, 4, WHO) == 7
    assert b.offsets["PIN2_CFG"] == 0x108 and "PIN3_CFG" not in b.offsets
    with caplog.at_level(logging.WARNING, logger="sphere_emu.peripherals"):
        b.write(0x0C, 4, 1, WHO)
        assert b.read(0x08, 4, WHO) == 0
        b.read(0x10C, 4, WHO)
    assert "blk: write of 0x1 to read-only register ID" in caplog.text
    assert "blk: read of write-only register DATA" in caplog.text
    assert "blk: read of unknown offset 0x10c" in caplog.text
