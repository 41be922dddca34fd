"""Reading and writing Unicorn registers without the binding's per-call overhead.

The Python binding spends about 2 us on every register it reads or writes, its batch API
included (it rebuilds ctypes arguments on each call); a direct C call on a buffer built
once costs about 0.7 us. An exception entry or return moves some twenty registers, so the
cores use Unicorn's C batch calls on buffers built once per group (``RegisterGroup``) and
``Register`` for single registers read on every interrupt or slice. Values go through
64-bit slots: 32-bit registers use the low half, the D registers all of it. If the binding
does not expose its library handle, both fall back to ``reg_read``/``reg_write``.
"""

import ctypes
from collections.abc import Sequence

from unicorn import Uc

try:
    from unicorn.unicorn_py3.unicorn import uclib as _uclib
except ImportError:  # another binding layout: use the slow path
    _uclib = None


class RegisterGroup:
    def __init__(self, uc: Uc, regs: Sequence[int]) -> None:
        self._uc = uc
        self._regs = tuple(regs)
        count = len(self._regs)
        self._ids = (ctypes.c_int * count)(*self._regs)
        self._values = (ctypes.c_uint64 * count)()
        base = ctypes.addressof(self._values)
        self._pointers = (ctypes.c_void_p * count)(*(base + 8 * i for i in range(count)))
        self._handle = getattr(uc, "_uch", None) if _uclib is not None else None

    def read(self) -> list[int]:
        if self._handle is None:
            return [self._uc.reg_read(reg) for reg in self._regs]
        ctypes.memset(self._values, 0, ctypes.sizeof(self._values))  # 32-bit reads fill half
        _uclib.uc_reg_read_batch(self._handle, self._ids, self._pointers, len(self._regs))
        return list(self._values)

    def write(self, values: Sequence[int]) -> None:
        """Write in order: later registers see the effect of earlier ones (IPSR, CONTROL)."""
        if self._handle is None:
            for reg, value in zip(self._regs, values, strict=True):
                self._uc.reg_write(reg, value)
            return
        for i, value in enumerate(values):
            self._values[i] = value
        _uclib.uc_reg_write_batch(self._handle, self._ids, self._pointers, len(self._regs))


class Register:
    """One Unicorn register read and written through the C API directly."""

    def __init__(self, uc: Uc, reg: int) -> None:
        self._uc = uc
        self._reg = reg
        self._value = ctypes.c_uint64()
        self._pointer = ctypes.addressof(self._value)
        self._handle = getattr(uc, "_uch", None) if _uclib is not None else None
        if self._handle is None:
            self.read = lambda: uc.reg_read(reg)  # type: ignore[method-assign]
            self.write = lambda value: uc.reg_write(reg, value)  # type: ignore[method-assign]

    def read(self) -> int:
        self._value.value = 0
        _uclib.uc_reg_read(self._handle, self._reg, self._pointer)
        return self._value.value

    def write(self, value: int) -> None:
        self._value.value = value
        _uclib.uc_reg_write(self._handle, self._reg, self._pointer)
