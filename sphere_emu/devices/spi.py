"""SPI as the bus devices see it: chip select, then full-duplex byte exchange.

The controller (an ISU SPI master) selects one device, exchanges whole chunks (MOSI bytes
in, the same number of MISO bytes out) and deselects::

    flash.spi_select(mode)
    miso = flash.spi_exchange(b"\\x9f\\x00\\x00\\x00")   # JEDEC ID: b"\\xff\\xef\\x40\\x16"
    flash.spi_deselect()

``SpiMode`` carries what the master programmed (CPOL, CPHA, bit order). A device accepts the
modes it lists; in any other mode it sees no valid command and leaves MISO idle (0xFF), so
a driver with the wrong mode reads garbage, as on real hardware. Bit order is honoured by
reversing bits on the wire for an LSB-first master talking to an MSB-first device.
"""

from dataclasses import dataclass

_REVERSE = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


@dataclass(frozen=True)
class SpiMode:
    cpol: int = 0
    cpha: int = 0
    lsb_first: bool = False

    @property
    def number(self) -> int:
        return self.cpol << 1 | self.cpha


class SpiDevice:
    """A target on an SPI bus. Subclasses implement ``transfer`` on MSB-first bytes."""

    MODES: tuple[int, ...] = (0, 3)
    LSB_FIRST = False

    def __init__(self, name: str) -> None:
        self.name = name
        self._mode_ok = True
        self._reverse = False

    def spi_select(self, mode: SpiMode) -> None:
        self._mode_ok = mode.number in self.MODES
        self._reverse = mode.lsb_first != self.LSB_FIRST
        if self._mode_ok:
            self.selected()

    def spi_exchange(self, mosi: bytes) -> bytes:
        if not self._mode_ok:
            return b"\xff" * len(mosi)
        if self._reverse:
            return self.transfer(mosi.translate(_REVERSE)).translate(_REVERSE)
        return self.transfer(bytes(mosi))

    def spi_deselect(self) -> None:
        if self._mode_ok:
            self.deselected()

    # -- the device's side -------------------------------------------------------------
    def selected(self) -> None:
        """CS went active."""

    def transfer(self, mosi: bytes) -> bytes:
        """Bytes in, as many bytes out (MSB-first on the device's side)."""
        return b"\xff" * len(mosi)

    def deselected(self) -> None:
        """CS went inactive: the command ends."""
