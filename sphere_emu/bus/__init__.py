"""The system bus: memories, per-initiator address maps and access rules."""

from .bus import AddressMap, Mapping
from .memory import MemoryBlock

__all__ = ["AddressMap", "Mapping", "MemoryBlock"]
