"""Bus-master access for a DMA engine through its core's address map, in whole chunks.

RAM moves as one slice per contiguous run; a peripheral register (a FIFO data port) is
accessed unit by unit through the block's own read/write, with the side effects a core's
access would have.
"""

from typing import Any

from .registers import BusAccess


class DmaBus:
    def __init__(self, initiator: str) -> None:
        self.map: Any = None  # the owning core's bus.AddressMap
        self.access = BusAccess(initiator)

    def read(self, address: int, count: int, unit: int, increment: bool) -> bytes | None:
        """``count`` bytes from ``address`` (fixed address: ``count/unit`` reads of one
        register). None if nothing is there."""
        m = self.map.find(address) if self.map is not None else None
        if m is None or not self.map.master_may(address, count if increment else unit, False):
            return None
        if m.peripheral is not None:
            out = bytearray()
            for i in range(0, count, unit):
                at = address + i if increment else address
                out += m.peripheral.read(at - m.base, unit, self.access).to_bytes(unit, "little")
            return bytes(out)
        data = self._memory(address, count if increment else unit, write=None)
        return data if increment or data is None else data * (count // unit)

    def write(self, address: int, data: bytes, unit: int, increment: bool) -> bool:
        m = self.map.find(address) if self.map is not None else None
        if m is None or not self.map.master_may(address, len(data) if increment else unit, True):
            return False
        if m.peripheral is not None:
            for i in range(0, len(data), unit):
                at = address + i if increment else address
                value = int.from_bytes(data[i:i + unit], "little")
                m.peripheral.write(at - m.base, unit, value, self.access)
            return True
        if m.kind == "rom":
            return False
        return self._memory(address, len(data), write=data) is not None

    def _memory(self, address: int, count: int, write: bytes | None) -> bytes | None:
        """Read (write=None) or write RAM across consecutive mappings; None if a byte of
        the range is not RAM."""
        out = bytearray()
        pos = 0
        while pos < count:
            m = self.map.find(address + pos)
            if m is None or m.memory is None:
                return None
            chunk = min(count - pos, m.end - (address + pos))
            at = m.offset + address + pos - m.base
            if write is None:
                out += m.memory.read(at, chunk)
            else:
                m.memory.write(at, write[pos:pos + chunk])
            pos += chunk
        return bytes(out)

    def peripheral_at(self, address: int) -> tuple[object, int] | None:
        m = self.map.find(address) if self.map is not None else None
        if m is None or m.peripheral is None:
            return None
        # A port moves data both ways: the core must own the block outright.
        if not (self.map.master_may(address, 4, False) and self.map.master_may(address, 4, True)):
            return None
        return m.peripheral, address - m.base
