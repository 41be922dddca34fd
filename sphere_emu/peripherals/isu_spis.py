"""MT3620 ISU SPI slave (ISU + 0x400), enough for a master <-> slave loopback between ISUs.

The public record has only MediaTek's ``mhal_spis.h`` (reference §4.5): the opcodes a remote
master sends first in each transfer, the H2DMB/D2HMB mailbox bytes and the SPIS_STATUS
(+0x60) / SPIS_D2HMB (+0x68) offsets. The rest of the register set is **ours**
(docs/peripherals.md, SPI slave), shaped after that header:

====== ============== =================================================================
0x00   SPIS_CTRL      bit 0 enable, bit 1 CPOL, bit 2 CPHA, bit 3 interrupt enable
0x04   SPIS_IRQ_STA   W1C: bit 0 H2DMB received, bit 1 master wrote the RX buffer,
                      bit 2 master read the TX buffer, bit 3 master raised the IRQ (0x8)
0x08   SPIS_H2DMB     RO: the last mailbox byte from the master (opcode 0xA)
0x10   SPIS_RX0..7    RO: 32-byte receive buffer (opcode 0x1 writes it from byte 0)
0x30   SPIS_TX0..7    the 32-byte transmit buffer (opcode 0x2 reads it from byte 0)
0x50   SPIS_RX_COUNT  RO: bytes the last opcode-0x1 transfer wrote
0x60   SPIS_STATUS    RO: what opcode 0x3 returns; set by writing SPIS_D2HMB
0x68   SPIS_D2HMB     bits 2:0 the slave's state (IDLE 0, READY 1, DONE 2, ERR 3)
====== ============== =================================================================

The slave answers the master's transfer at the master's bus time (the master's completion
event): the byte clocked out during the opcode is 0xFF, then the opcode's data. It is MSB
first only (an LSB-first master's bytes arrive bit-reversed) and answers only in the mode
its CPOL/CPHA select; disabled, or in another mode, it leaves MISO high and keeps nothing.
The interrupt line (NVIC 46 + 4n) follows SPIS_IRQ_STA & enable.
"""

from ..devices.spi import SpiDevice
from .registers import RO, W1C, Peripheral, PeripheralContext, Register, peripheral_ref

EN, CPOL, CPHA, IRQ_EN = 1 << 0, 1 << 1, 1 << 2, 1 << 3
IRQ_H2DMB, IRQ_RX, IRQ_TX, IRQ_MASTER = 1 << 0, 1 << 1, 1 << 2, 1 << 3
OP_WRITE_RX, OP_READ_TX, OP_STATUS = 0x1, 0x2, 0x3
OP_SET_IRQ, OP_CLEAR_D2HMB, OP_SEND_H2DMB = 0x8, 0x9, 0xA
BUFFER = 32


class _SlavePort(SpiDevice):
    """The slave as a device on the master's bus (what a board's ``spi-slave-link`` wires)."""

    def __init__(self, block: "Mt3620SpiSlave") -> None:
        super().__init__(block.name)
        self.block = block

    @property
    def MODES(self) -> tuple[int, ...]:  # type: ignore[override]
        ctrl = self.block.regs["SPIS_CTRL"]
        return (ctrl >> 1 & 3,) if ctrl & EN else ()

    def transfer(self, mosi: bytes) -> bytes:
        return self.block.exchange(mosi)


class Mt3620SpiSlave(Peripheral):
    TYPE = "mt3620-spi-slave"
    IRQS = ("irq",)
    SIZE = 0x100
    OPTIONS = {"isu": peripheral_ref}

    def registers(self) -> list[Register]:
        return [
            Register("SPIS_CTRL", 0x00, writable=0xF),
            Register("SPIS_IRQ_STA", 0x04, access=W1C, writable=0xF),
            Register("SPIS_H2DMB", 0x08, access=RO),
            Register("SPIS_RX{}", 0x10, count=8, access=RO),
            Register("SPIS_TX{}", 0x30, count=8),
            Register("SPIS_RX_COUNT", 0x50, access=RO),
            Register("SPIS_STATUS", 0x60, access=RO),
            Register("SPIS_D2HMB", 0x68, writable=0x7F, write=self._write_d2hmb),
        ]

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.isu: Peripheral | None = None
        super().__init__(name, ctx)
        self.port = _SlavePort(self)

    def link(self, option: str, other: Peripheral) -> None:
        """The ``isu`` option: the ISU whose function this block is."""
        self.isu = other

    def isu_function(self) -> str | None:
        return getattr(self.isu, "function", None) if self.isu is not None else None

    def update(self) -> None:
        self.irqs["irq"].set(bool(self.regs["SPIS_CTRL"] & IRQ_EN and self.regs["SPIS_IRQ_STA"]))

    def _write_d2hmb(self, value: int) -> None:
        self.regs["SPIS_D2HMB"] = value & 0x7F
        self.regs["SPIS_STATUS"] = value & 0x7

    # -- the master's transfer -------------------------------------------------------
    def exchange(self, mosi: bytes) -> bytes:
        """One selected transfer from the remote master: opcode, then its data."""
        if not mosi:
            return b""
        opcode, data = mosi[0], mosi[1:]
        regs = self.regs
        answer = b""
        if opcode == OP_WRITE_RX:
            rx = bytearray(BUFFER)
            rx[:min(len(data), BUFFER)] = data[:BUFFER]
            for i in range(8):
                regs[f"SPIS_RX{i}"] = int.from_bytes(rx[4 * i:4 * i + 4], "little")
            regs["SPIS_RX_COUNT"] = min(len(data), BUFFER)
            regs["SPIS_IRQ_STA"] |= IRQ_RX
        elif opcode == OP_READ_TX:
            tx = b"".join(regs[f"SPIS_TX{i}"].to_bytes(4, "little") for i in range(8))
            answer = tx[:len(data)]
            regs["SPIS_IRQ_STA"] |= IRQ_TX
        elif opcode == OP_STATUS:
            answer = bytes([regs["SPIS_STATUS"]]) * len(data)
        elif opcode == OP_SEND_H2DMB and data:
            regs["SPIS_H2DMB"] = data[0]
            regs["SPIS_IRQ_STA"] |= IRQ_H2DMB
        elif opcode == OP_CLEAR_D2HMB:
            regs["SPIS_D2HMB"] = regs["SPIS_STATUS"] = 0
        elif opcode == OP_SET_IRQ:
            regs["SPIS_IRQ_STA"] |= IRQ_MASTER
        else:
            self.guest_error(f"the master sent unknown opcode {opcode:#04x}: ignored")
        self.update()
        return b"\xff" + answer.ljust(len(data), b"\xff")
