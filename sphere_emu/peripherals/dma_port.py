"""How a block with a DMA handshake meets the IO core's DMA engine.

When the guest starts a DMA channel whose FIXADDR points into a block (DREQ set), the engine
calls ``block.dma_connect(offset, to_peripheral, port)`` with a ``DmaPort``; stopping the
channel connects ``None``. The block then moves whole chunks through the port at the moments
its own bus timing says, never byte by byte: ``take(n)`` reads up to ``n`` bytes the channel
still has for the block (memory -> peripheral), ``give(data)`` stores bytes the block
produced (peripheral -> memory). Each call updates the channel's count and raises its completion
interrupt when the count runs out, at the caller's virtual time.
"""

from typing import Protocol


class DmaPort(Protocol):
    channel: int
    to_peripheral: bool  # direction: True = memory -> block (TX)

    def remaining(self) -> int:
        """Bytes the channel still has to move."""
        ...

    def until_interrupt(self) -> int | None:
        """Bytes to move before the channel's next interrupt condition (None: none ahead)."""
        ...

    def take(self, count: int) -> bytes: ...

    def give(self, data: bytes) -> int: ...
