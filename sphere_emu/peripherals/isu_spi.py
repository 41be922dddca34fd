"""MT3620 ISU SPI master (ISU + 0x300).

A transfer is a command phase (the low SMBCR.CMD bits of SOAR, most significant bit first,
as the MediaTek/Ralink controller family shifts them), then MOSI data from SDOR0-7 and MISO
data into SDIR0-7 (half duplex: one after the other; full duplex, SMMR bit 10: exchanged
together, MISO captured from SDIR4 as MediaTek's driver reads it). Bit counts round up to
whole bytes. Writing STCSR with START begins it: BUSY is set, the device selected by
SMMR.CS (0 = CS A, 1 = CS B, 7 = none) sees the bytes in SMMR's CPOL/CPHA and bit order,
and the transfer ends at the virtual time its bits take at SCLK = 80 MHz / (div + 2):
SCSR bits 0-2 set, BUSY clear, and the level interrupt follows SCSR.OK & SMMR.INT_EN.
Reading SCSR clears it.

DMA mode (CSPOL bit 8): successive words written to DATAPORT land in SOAR, SDOR0-7, SMMR,
SMBCR and STCSR (which starts the transfer); a 13th word (Codethink's errata padding) is
ignored. The RX channel connected at DATAPORT receives the MISO bytes when the transfer
ends. Choices where the sources conflict: docs/peripherals.md (SPI).
"""

from typing import Any

from ..devices.spi import SpiDevice, SpiMode
from ..errors import BoardError
from .dma_port import DmaPort
from .registers import (
    RO,
    WO,
    Field,
    Peripheral,
    PeripheralContext,
    Register,
    peripheral_ref,
)
from .timed_transfer import TimedTransferBlock

SOURCE_CLOCK_HZ = 80_000_000
START = 1 << 8
SPI_MASTER_BUSY = Field("SPI_MASTER_BUSY", 16, access=RO)
BUSY = SPI_MASTER_BUSY.mask
SMMR_LSB_FIRST, SMMR_CPOL, SMMR_CPHA = 1 << 3, 1 << 4, 1 << 5
SMMR_INT_EN, SMMR_FULL_DUPLEX = 1 << 9, 1 << 10
CSPOL_DMA = 1 << 8
SCSR_DONE = 0x7  # OK, and both of the disputed read/write-ok bits (K11)
NO_CS = 7
DATAPORT = 0x40
DATAPORT_SEQUENCE = ("SOAR",) + tuple(f"SDOR{i}" for i in range(8)) + ("SMMR", "SMBCR",
                                                                         "STCSR")


class Mt3620SpiMaster(TimedTransferBlock):
    TYPE = "mt3620-spi-master"
    STATE = (*TimedTransferBlock.STATE, "_sequence", "busy_ns")
    IRQS = ("irq",)
    SIZE = 0x100
    OPTIONS = {"isu": peripheral_ref}

    def registers(self) -> list[Register]:
        return [
            Register("STCSR", 0x00, fields=(SPI_MASTER_BUSY,), write=self._write_stcsr),
            Register("SOAR", 0x04),
            Register("SDOR{}", 0x08, count=8),
            Register("SMMR", 0x28),
            Register("SMBCR", 0x2C, writable=0x3F1FF1FF),
            Register("Q_CTL", 0x30),
            Register("SCSR", 0x34, access=RO, read=self._read_scsr),
            Register("CSPOL", 0x38, writable=0xFF1FF),
            Register("DATAPORT", DATAPORT, access=WO, write=self._write_dataport),
            Register("SDIR{}", 0x48, count=8, access=RO),
        ]

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.devices: dict[int, SpiDevice] = {}  # chip select -> device
        self.dma: dict[bool, DmaPort] = {}  # to_peripheral -> port at DATAPORT
        self._sequence = 0
        self.busy_ns = 0  # total bus time of all transfers (benchmarks)
        self.isu: Peripheral | None = None
        super().__init__(name, ctx)

    def attach(self, cs: int, device: SpiDevice) -> None:
        if cs in self.devices:
            raise BoardError(f"devices {self.devices[cs].name} and {device.name} both use "
                             f"chip select {cs} of {self.name}")
        if not 0 <= cs <= 1:
            raise BoardError(f"device {device.name}: {self.name} has chip selects 0 (CS A) "
                             f"and 1 (CS B), not {cs}")
        self.devices[cs] = device

    def spi_attach(self, device: Any) -> None:
        """A board device on this bus (``devices:`` with ``bus: isuN-spim, cs: N``)."""
        self.attach(device.cs, device.part)

    def link(self, option: str, other: Peripheral) -> None:
        """The ``isu`` option: the ISU whose function this block is."""
        self.isu = other

    def isu_function(self) -> str | None:
        """How the board uses this block's ISU (None: not said)."""
        return getattr(self.isu, "function", None) if self.isu is not None else None

    def reset(self) -> None:
        super().reset()
        if self._done is not None:
            self._done.cancel()
            self._done = None
        self._sequence = 0
        self.update()

    def update(self) -> None:
        self.irqs["irq"].set(bool(self.regs["SCSR"] & 1 and self.regs["SMMR"] & SMMR_INT_EN))

    def time_sources(self) -> dict[int, Any]:
        """STCSR (BUSY) and SCSR."""
        return self._transfer_status((0x00, 0x34))

    # -- DMA ---------------------------------------------------------------------------
    def dma_connect(self, offset: int, to_peripheral: bool, port: DmaPort | None) -> None:
        if offset != DATAPORT:
            return
        if port is None:
            self.dma.pop(to_peripheral, None)
        else:
            self.dma[to_peripheral] = port

    def dma_kick(self, offset: int) -> None:
        """A TX channel with handshake has the register image ready: take it all."""
        port = self.dma.get(True)
        if port is None:
            return
        data = port.take(port.remaining())
        for i in range(0, len(data) - 3, 4):
            self._write_dataport(int.from_bytes(data[i:i + 4], "little"))

    def _write_dataport(self, value: int) -> None:
        if not self.regs["CSPOL"] & CSPOL_DMA:
            self.guest_error(f"write of {value:#x} to DATAPORT outside DMA mode: ignored")
            return
        if self._sequence < len(DATAPORT_SEQUENCE):
            name = DATAPORT_SEQUENCE[self._sequence]
            self._sequence += 1
            if name == "STCSR":
                self._write_stcsr(value)
            else:
                self.regs[name] = value & (0x3F1FF1FF if name == "SMBCR" else 0xFFFFFFFF)

    # -- the transfer ------------------------------------------------------------------
    def sclk_hz(self) -> float:
        return SOURCE_CLOCK_HZ / (((self.regs["SMMR"] >> 16) & 0xFFF) + 2)

    def _write_stcsr(self, value: int) -> None:
        self.regs["STCSR"] = value & ~(START | BUSY)
        if not value & START:
            return
        if self._done is not None:
            self.guest_error("STCSR.START while a transfer runs: ignored")
            return
        smbcr = self.regs["SMBCR"]
        cmd_bits, mosi_bits, miso_bits = (smbcr >> 24) & 0x3F, smbcr & 0x1FF, (smbcr >> 12) & 0x1FF
        full = bool(self.regs["SMMR"] & SMMR_FULL_DUPLEX)
        bits = cmd_bits + (max(mosi_bits, miso_bits) if full else mosi_bits + miso_bits)
        duration = round(bits * 1e9 / self.sclk_hz())
        self.busy_ns += duration
        self.regs["STCSR"] |= BUSY
        self._done = self.clock.schedule_at(self.core_now() + duration, self._complete)

    def _complete(self, at_ns: int | None = None) -> None:
        self._done = None
        self._bus_time = at_ns if at_ns is not None else self.clock.now_ns
        try:
            self._transfer()
        finally:
            self._bus_time = None

    def _transfer(self) -> None:
        self._sequence = 0
        smmr, smbcr = self.regs["SMMR"], self.regs["SMBCR"]
        cmd_len = -(-((smbcr >> 24) & 0x3F) // 8)
        mosi_len = -(-(smbcr & 0x1FF) // 8)
        miso_len = -(-((smbcr >> 12) & 0x1FF) // 8)
        full = bool(smmr & SMMR_FULL_DUPLEX)
        command = (self.regs["SOAR"] & ((1 << (8 * cmd_len)) - 1)).to_bytes(cmd_len, "big") \
            if cmd_len else b""
        sdor = b"".join(self.regs[f"SDOR{i}"].to_bytes(4, "little") for i in range(8))
        mosi = sdor[:mosi_len]
        if full:
            wire = command + mosi.ljust(max(mosi_len, miso_len), b"\xff")
        else:
            wire = command + mosi + b"\xff" * miso_len
        device = self.devices.get((smmr >> 29) & 7)
        if device is not None:
            mode = SpiMode(cpol=int(bool(smmr & SMMR_CPOL)), cpha=int(bool(smmr & SMMR_CPHA)),
                           lsb_first=bool(smmr & SMMR_LSB_FIRST))
            device.spi_select(mode)
            answer = device.spi_exchange(wire)
            device.spi_deselect()
        else:
            answer = b"\xff" * len(wire)
        miso = answer[cmd_len:cmd_len + miso_len] if full else answer[len(wire) - miso_len:]
        sdir = bytearray(32)
        at = 16 if full else 0
        sdir[at:at + len(miso)] = miso[:32 - at]
        for i in range(8):
            self.regs[f"SDIR{i}"] = int.from_bytes(sdir[4 * i:4 * i + 4], "little")
        rx = self.dma.get(False)
        if rx is not None and miso_len:
            rx.give(bytes(sdir[at:at + -(-miso_len // 4) * 4]))
        self.regs["STCSR"] &= ~(START | BUSY)
        self.regs["SCSR"] = SCSR_DONE
        self.update()

    def _read_scsr(self) -> int:
        value = self.regs["SCSR"]
        if value:
            self.regs["SCSR"] = 0  # reading clears it (MediaTek's clear_irq_status)
            self.update()
        return value
