"""The A7's GICv2: what Secure and Non-secure software see through its registers.

End to end (firmware taking timer IRQs and FIQs through it) is covered by test_cortex_a.py
and test_three_core.py; these tests pin the register semantics firmware relies on.
"""

import pytest

from sphere_emu.clock import Clock
from sphere_emu.cpu.gic import GICC, GICD, Gic
from sphere_emu.peripherals.registers import BusAccess, PeripheralContext

SECURE = BusAccess("a7", secure=True)
NONSECURE = BusAccess("a7", secure=False)
SPI_A, SPI_B = 40, 41


@pytest.fixture
def gic() -> Gic:
    return Gic("gic", PeripheralContext(clock=Clock()))


def wr(gic: Gic, offset: int, value: int, who: BusAccess = SECURE, size: int = 4) -> None:
    gic.write(offset, size, value, who)


def rd(gic: Gic, offset: int, who: BusAccess = SECURE) -> int:
    return gic.read(offset, 4, who)


def enable(gic: Gic, irq: int, priority: int, group: int, who: BusAccess = SECURE) -> None:
    if group:
        wr(gic, GICD + 0x80 + 4 * (irq // 32), rd(gic, GICD + 0x80 + 4 * (irq // 32))
           | 1 << (irq % 32))
    wr(gic, GICD + 0x400 + irq, priority, who, size=1)
    wr(gic, GICD + 0x100 + 4 * (irq // 32), 1 << (irq % 32), who)


def cpu_on(gic: Gic, fiq: bool = False) -> None:
    wr(gic, GICD, 0b11)                          # EnableGrp0 | EnableGrp1
    wr(gic, GICC, 0b11 | (0b1000 if fiq else 0))  # EnableGrp0 | EnableGrp1 [| FIQEn]
    wr(gic, GICC + 0x4, 0xF8)                    # PMR: everything above the lowest


def test_typer_reports_lines_and_security_extensions(gic):
    typer = rd(gic, GICD + 0x4)
    assert typer & 0x1F == 160 // 32 - 1
    assert typer & (1 << 10)
    assert Gic("g", PeripheralContext(clock=Clock(), options={"interrupts": 256})).count == 256


def test_nonsecure_software_sees_only_group_1(gic):
    enable(gic, SPI_A, 0x80, group=0)
    enable(gic, SPI_B, 0x80, group=1)
    word = GICD + 0x100 + 4 * (SPI_A // 32)
    assert rd(gic, word) == (1 << (SPI_A % 32)) | (1 << (SPI_B % 32))
    assert rd(gic, word, NONSECURE) == 1 << (SPI_B % 32)
    assert rd(gic, GICD + 0x80 + 4, NONSECURE) == 0            # IGROUPR is Secure only
    wr(gic, GICD + 0x180 + 4, 1 << (SPI_A % 32), NONSECURE)     # cannot disable group 0
    assert gic.enabled[SPI_A]
    assert gic.read(GICD + 0x400 + SPI_A, 1, NONSECURE) == 0    # nor see its priority


def test_priority_mask_and_preemption(gic):
    cpu_on(gic)
    enable(gic, SPI_A, 0xA0, group=0)
    enable(gic, SPI_B, 0x40, group=0)
    gic.set_irq_level(SPI_A, True)
    gic.set_irq_level(SPI_B, True)
    wr(gic, GICC + 0x4, 0x40)                                 # mask 0x40 and lower priorities
    assert rd(gic, GICC + 0xC) == 1023
    wr(gic, GICC + 0x4, 0xF8)
    assert rd(gic, GICC + 0xC) == SPI_B                       # the more urgent one first
    assert rd(gic, GICC + 0x14) == 0x40                       # running priority
    assert rd(gic, GICC + 0xC) == 1023                        # SPI_A cannot preempt it
    wr(gic, GICC + 0x10, SPI_B)                               # EOI
    gic.set_irq_level(SPI_B, False)
    assert rd(gic, GICC + 0xC) == SPI_A


def test_group_0_is_fiq_only_with_fiqen(gic):
    cpu_on(gic, fiq=True)
    enable(gic, SPI_A, 0x80, group=0)
    gic.set_irq_level(SPI_A, True)
    assert gic.fiq_signal and not gic.irq_signal
    wr(gic, GICC, 0b11)                                       # FIQEn off
    assert gic.irq_signal and not gic.fiq_signal


def test_secure_and_nonsecure_acknowledge(gic):
    cpu_on(gic)
    enable(gic, SPI_B, 0x80, group=1)
    gic.set_irq_level(SPI_B, True)
    assert rd(gic, GICC + 0xC) == 1022          # Secure IAR without AckCtl: group 1 pending
    assert rd(gic, GICC + 0xC, NONSECURE) == SPI_B
    wr(gic, GICC + 0x10, SPI_B, NONSECURE)
    assert not gic.active[SPI_B]
    enable(gic, SPI_A, 0x80, group=0)
    gic.set_irq_level(SPI_B, False)
    gic.set_irq_level(SPI_A, True)
    assert rd(gic, GICC + 0xC, NONSECURE) == 1023  # nothing of group 1 pending


def test_sgi_to_self_is_edge_triggered(gic):
    cpu_on(gic)
    enable(gic, 3, 0x80, group=0)
    wr(gic, GICD + 0xF00, (2 << 24) | 3)         # TargetListFilter = this CPU, SGI 3
    assert gic.irq_signal
    assert rd(gic, GICC + 0xC) == 3
    wr(gic, GICC + 0x10, 3)
    assert not gic.irq_signal                     # edge: acknowledged means gone


def test_level_interrupt_pends_again_while_the_line_is_high(gic):
    cpu_on(gic)
    enable(gic, SPI_A, 0x80, group=0)
    gic.set_irq_level(SPI_A, True)
    assert rd(gic, GICC + 0xC) == SPI_A
    wr(gic, GICC + 0x10, SPI_A)
    assert gic.irq_signal                         # still asserted by the device
    gic.set_irq_level(SPI_A, False)
    assert not gic.irq_signal
