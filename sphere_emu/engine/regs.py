"""Reading and writing Unicorn registers without the binding's per-call overhead.

The Python binding spends about 2-4 us on every register it reads or writes, its batch API
included (it rebuilds ctypes arguments on each call, and its prototypes convert every
argument again). The cores call Unicorn's C functions through prototype-free function
pointers on arguments built once, and move values with ``struct`` rather than ctypes
element access: a batch of a dozen registers costs about as much as one register through
the binding. An exception entry or return moves some twenty registers, so the cores use
batches (``RegisterGroup``) and ``Register`` for single registers read on every interrupt
or slice. Values go through 64-bit slots: 32-bit registers use the low half, the D
registers all of it. If the binding does not expose its library handle, both fall back to
``reg_read``/``reg_write``.
"""

import ctypes
import struct
from collections.abc import Sequence

from unicorn import Uc
from unicorn.arm_const import UC_ARM_REG_CP_REG

try:
    from unicorn.unicorn_py3.unicorn import uclib as _uclib
except ImportError:  # another binding layout: use the slow path
    _uclib = None

# Fresh function pointers (indexing the library does not share the binding's prototypes):
# arguments go through unconverted, as the ctypes objects built below. They come from a
# ``PyDLL`` view of the same library, so a call keeps the GIL: register accesses are short
# and never call back into Python, and releasing and taking the GIL again costs about a
# tenth of such a call.
_regs_lib = ctypes.PyDLL(_uclib._name, handle=_uclib._handle) if _uclib is not None else None
_reg_read = _regs_lib["uc_reg_read"] if _regs_lib is not None else None
_reg_write = _regs_lib["uc_reg_write"] if _regs_lib is not None else None
_reg_read_batch = _regs_lib["uc_reg_read_batch"] if _regs_lib is not None else None
_reg_write_batch = _regs_lib["uc_reg_write_batch"] if _regs_lib is not None else None


def _handle(uc: Uc) -> ctypes.c_void_p | None:
    handle = getattr(uc, "_uch", None) if _uclib is not None else None
    return handle if isinstance(handle, ctypes.c_void_p) else None


class RegisterGroup:
    """A fixed list of registers read or written in one C call."""

    def __init__(self, uc: Uc, regs: Sequence[int]) -> None:
        self._uc = uc
        self._regs = tuple(regs)
        count = self._count = len(self._regs)
        self._struct = struct.Struct(f"<{count}Q")  # compiled once: no format cache lookup
        self._ids = (ctypes.c_int * count)(*self._regs)
        # Reads and writes use separate buffers: a 32-bit read fills only the low half of
        # its slot, so the high halves of the read buffer stay zero for good.
        self._in = (ctypes.c_uint64 * count)()
        self._out = (ctypes.c_uint64 * count)()
        self._in_pointers = self._pointers(self._in)
        self._out_pointers = self._pointers(self._out)
        self._handle = _handle(uc)
        # The C calls' arguments as tuples: ctypes takes a call's arguments as a tuple, so
        # ``f(*args)`` hands it this one instead of building another.
        self._read_args = (self._handle, self._ids, self._in_pointers, count)
        self._write_args = (self._handle, self._ids, self._out_pointers, count)

    def _pointers(self, values: ctypes.Array) -> ctypes.Array:
        base = ctypes.addressof(values)
        return (ctypes.c_void_p * self._count)(*(base + 8 * i for i in range(self._count)))

    def read(self) -> tuple[int, ...]:
        if self._handle is None:
            return tuple(self._uc.reg_read(reg) for reg in self._regs)
        _reg_read_batch(*self._read_args)
        return self._struct.unpack(self._in)

    def write(self, values: Sequence[int]) -> None:
        """Write in order: later registers see the effect of earlier ones (IPSR, CONTROL)."""
        if self._handle is None:
            for reg, value in zip(self._regs, values, strict=True):
                self._uc.reg_write(reg, value)
            return
        self._struct.pack_into(self._out, 0, *values)
        _reg_write_batch(*self._write_args)


class Register:
    """One Unicorn register read and written through the C API directly."""

    def __init__(self, uc: Uc, reg: int) -> None:
        self._reg = reg
        self._in = ctypes.c_uint64()  # only ever read into: its high half stays zero
        self._out = ctypes.c_uint64()
        self._in_pointer = ctypes.c_void_p(ctypes.addressof(self._in))
        self._out_pointer = ctypes.c_void_p(ctypes.addressof(self._out))
        self._handle = _handle(uc)
        self._read_args = (self._handle, reg, self._in_pointer)  # as RegisterGroup's
        self._write_args = (self._handle, reg, self._out_pointer)
        if self._handle is None:
            self.read = lambda: uc.reg_read(reg)  # type: ignore[method-assign]
            self.write = lambda value: uc.reg_write(reg, value)  # type: ignore[method-assign]

    def read(self) -> int:
        _reg_read(*self._read_args)
        return self._in.value

    def write(self, value: int) -> None:
        self._out.value = value
        _reg_write(*self._write_args)


class _CoprocessorSlot(ctypes.Structure):
    """Unicorn's ``uc_arm_cp_reg``: which register, and its value."""

    _fields_ = (("cp", ctypes.c_uint32), ("is64", ctypes.c_uint32), ("sec", ctypes.c_uint32),
                ("crn", ctypes.c_uint32), ("crm", ctypes.c_uint32), ("opc1", ctypes.c_uint32),
                ("opc2", ctypes.c_uint32), ("val", ctypes.c_uint64))


class CoprocessorRegister:
    """One ARM coprocessor register (as MRC/MCR name it, or MRRC/MCRR when ``is64``) read
    and written through the C API on a slot built once: the binding's ``cpr_read`` builds
    and checks its arguments anew on every call (about 10 us)."""

    def __init__(self, uc: Uc, cp: int, opc1: int, crn: int, crm: int, opc2: int, sec: int,
                 is64: bool = False) -> None:
        self._slot = _CoprocessorSlot(cp, int(is64), sec, crn, crm, opc1, opc2, 0)
        self._pointer = ctypes.c_void_p(ctypes.addressof(self._slot))
        self._handle = _handle(uc)
        if self._handle is None:
            self.read = lambda: uc.cpr_read(  # type: ignore[method-assign]
                cp, opc1, crn, crm, opc2, sec, is64)
            self.write = lambda value: uc.cpr_write(  # type: ignore[method-assign]
                cp, opc1, crn, crm, opc2, sec, is64, value)

    def read(self) -> int:
        _reg_read(self._handle, UC_ARM_REG_CP_REG, self._pointer)
        return self._slot.val

    def write(self, value: int) -> None:
        self._slot.val = value
        _reg_write(self._handle, UC_ARM_REG_CP_REG, self._pointer)
