"""MMIO callbacks registered through ``uc_mmio_map`` directly, without the binding's layers.

The binding's ``mmio_map`` calls a Python callback through three Python frames per access
(its exception guard taking ``*args``, an adapter, then the callback). Here Unicorn calls
the bus's callback itself, with the C signature: ``read(handle, offset, size, user_data)``
and ``write(handle, offset, size, value, user_data)``. Each callback guards its own body
and hands what it caught to ``hooks.hook_failed``, which keeps the binding's contract: an
exception raised in a callback stops the run and ``emu_start`` raises it.
"""

import ctypes
from collections.abc import Callable

from unicorn import Uc, UcError

from .hooks import keep_alive
from .regs import _handle, _uclib

# (uc handle, offset, size, user data) -> value; (uc handle, offset, size, value, user data)
MmioRead = Callable[[int, int, int, int | None], int]
MmioWrite = Callable[[int, int, int, int, int | None], None]
MMIO_READ = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint,
                             ctypes.c_void_p)
MMIO_WRITE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint,
                              ctypes.c_uint64, ctypes.c_void_p)


def map_mmio(uc: Uc, base: int, size: int, read: MmioRead, write: MmioWrite) -> None:
    """Serve [base, base + size) of ``uc`` with ``read`` and ``write`` (guarded callbacks)."""
    handle = _handle(uc)
    if handle is None:  # another binding layout: through the binding
        uc.mmio_map(base, size, lambda _uc, offset, sz, _d: read(0, offset, sz, None), None,
                    lambda _uc, offset, sz, value, _d: write(0, offset, sz, value, None), None)
        return
    c_read, c_write = MMIO_READ(read), MMIO_WRITE(write)
    status = _uclib.uc_mmio_map(handle, base, size, ctypes.cast(c_read, ctypes.c_void_p), None,
                                ctypes.cast(c_write, ctypes.c_void_p), None)
    if status != 0:
        raise UcError(status)
    keep_alive(uc, c_read, c_write)

