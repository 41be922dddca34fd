"""Unicorn hooks registered through the C API, without the binding's wrapper layers.

The binding calls a Python hook through three Python frames (its exception guard, a
per-kind adapter, then the callback, with keyword arguments). The M-profile core takes
every exception return through ``UC_HOOK_INTR``, so its hook is registered here with one
guard frame instead; the bus's MMIO callbacks (``mmio.py``) do the same. Every such guard
hands what it caught to ``hook_failed``, which keeps the binding's contract: an exception
raised in the hook stops the run and ``emu_start`` raises it.
"""

import ctypes
from collections.abc import Callable

from unicorn import UC_HOOK_INTR, Uc, UcError

from .regs import _handle, _uclib

_INTR_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_void_p)


def hook_failed(uc: Uc, error: BaseException) -> int:
    """What a guard does with an exception it caught, as the binding's guard does: keep the
    first one for ``emu_start`` to raise, stop the run. Returns a read's value (0)."""
    if uc._hook_exception is None:
        uc._hook_exception = error  # type: ignore[assignment]
    uc.emu_stop()
    return 0


def keep_alive(uc: Uc, *callbacks: object) -> None:
    """The C side holds only pointers: the callbacks must live as long as the engine."""
    uc._sphere_emu_callbacks = [*getattr(uc, "_sphere_emu_callbacks", ()), *callbacks]  # type: ignore[attr-defined]


def hook_interrupts(uc: Uc, callback: Callable[[int], None]) -> None:
    """Call ``callback(intno)`` on every CPU exception Unicorn reports (``UC_HOOK_INTR``)."""
    handle = _handle(uc)
    if handle is None:  # another binding layout: through the binding
        uc.hook_add(UC_HOOK_INTR, lambda _uc, intno, _data: callback(intno))
        return

    def guard(_handle: int, intno: int, _data: int) -> None:
        try:
            callback(intno)
        except BaseException as error:
            hook_failed(uc, error)

    trampoline = _INTR_CALLBACK(guard)
    hook = ctypes.c_size_t()
    status = _uclib.uc_hook_add(handle, ctypes.byref(hook), UC_HOOK_INTR,
                                ctypes.cast(trampoline, ctypes.c_void_p), None,
                                ctypes.c_uint64(1), ctypes.c_uint64(0))
    if status != 0:
        raise UcError(status)
    keep_alive(uc, trampoline)
