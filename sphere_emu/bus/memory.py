"""Host buffers that back guest memory.

One ``MemoryBlock`` is one host allocation. Mapping the same block into several cores'
Unicorn instances (``mem_map_ptr``) is how cores share RAM: a store by one core is seen by
the other at once, with no copying.
"""

import ctypes
import mmap

PAGE = 0x1000


class MemoryBlock:
    def __init__(self, name: str, size: int, *, readonly: bool = False) -> None:
        if size <= 0 or size % PAGE:
            raise ValueError(f"memory {name}: size {size:#x} is not a positive multiple of 4 KiB")
        self.name = name
        self.size = size
        self.readonly = readonly  # for the cores; the host (loaders, Pluton) may still write
        self._buffer = mmap.mmap(-1, size)
        self._c_view = ctypes.c_char.from_buffer(self._buffer)

    @property
    def address(self) -> int:
        """Host address of the buffer, for ``Uc.mem_map_ptr``."""
        return ctypes.addressof(self._c_view)

    @property
    def buffer(self) -> mmap.mmap:
        """The host buffer itself, for ``struct.pack_into``/``unpack_from`` where a core
        reads or writes memory on every exception (the caller checks the bounds)."""
        return self._buffer

    def read(self, offset: int, size: int) -> bytes:
        self._check(offset, size)
        return self._buffer[offset:offset + size]

    def write(self, offset: int, data: bytes) -> None:
        self._check(offset, len(data))
        self._buffer[offset:offset + len(data)] = data

    def _check(self, offset: int, size: int) -> None:
        if offset < 0 or size < 0 or offset + size > self.size:
            raise IndexError(f"memory {self.name}: [{offset:#x}, +{size:#x}) out of range")
