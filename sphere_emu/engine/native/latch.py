"""A GPIO block's output latch served in C (``gpio_latch.c``), through ctypes.

A store to a GPIO output latch is a Unicorn MMIO callback; into Python (bus, access rules,
register framework, pads) it costs ~100 times a RAM store, so an RT app toggling a pin in a
tight loop ran ~130 times slower than the same loop writing RAM. ``gpio_latch.c`` is built
into the same optional library as the native counter (setup.py); its MMIO callbacks serve
whole-word accesses to DOUT, DOUT_SET and DOUT_RESET in C memory while the block has handed
the latch over, and pass every other access to the bus's Python callbacks. When the block
hands the latch over, and how it takes it back before anyone can see a pad, is the block's
business (``peripherals/gpio.py``); this module only holds the C side.

Without the library (no C compiler at install, or ``Machine(native_gpio=False)``) every
access takes the Python path, with the same results.
"""

import ctypes
from collections.abc import Callable
from pathlib import Path

from unicorn import Uc, UcError

from ..hooks import keep_alive
from ..mmio import MMIO_READ, MMIO_WRITE, MmioRead, MmioWrite
from ..regs import _handle, _uclib
from . import default_library

ABI = 2  # GPIO_LATCH_ABI in gpio_latch.c
NOT_SERVED = 1 << 63  # a port's dout_at while Python serves every access (gpio_latch.c)
DOUT, DOUT_RESET = 0x10, 0x18  # the latch registers' offsets in the block (DOUT_SET between)


class _LatchState(ctypes.Structure):
    """``struct gpio_latch`` (same order and types)."""

    _fields_ = [("dout", ctypes.c_uint32), ("writable", ctypes.c_uint32),
                ("owned", ctypes.c_uint32), ("writer", ctypes.c_uint32),
                ("stores", ctypes.c_uint64)]


class _PortState(ctypes.Structure):
    """``struct gpio_port`` (same order and types)."""

    _fields_ = [("latch", ctypes.POINTER(_LatchState)), ("dout_at", ctypes.c_uint64),
                ("index", ctypes.c_uint32), ("reserved", ctypes.c_uint32),
                ("python_read", MMIO_READ), ("python_write", MMIO_WRITE)]


class LatchLibrary:
    """The loaded ``gpio_latch.c``: its two MMIO callbacks as function pointers."""

    def __init__(self, path: Path) -> None:
        if _uclib is None:
            raise OSError("the unicorn binding does not expose its C library")
        lib = ctypes.CDLL(str(path))
        abi = lib.gpio_latch_abi()
        if abi != ABI:
            raise OSError(f"built from another gpio_latch.c (ABI {abi}, this is {ABI})")
        self.path = path
        self.read = ctypes.cast(lib.gpio_latch_read, ctypes.c_void_p)
        self.write = ctypes.cast(lib.gpio_latch_write, ctypes.c_void_p)
        self._lib = lib  # keeps the callbacks' code loaded


def choose_latch(native: bool | Path = True) -> LatchLibrary | None:
    """The library if wanted and usable (True: built at install, a Path: that file)."""
    if native is False:
        return None
    path = default_library() if native is True else Path(native)
    if path is None:
        return None
    try:
        return LatchLibrary(path)
    except (OSError, AttributeError):  # missing, stale or built without gpio_latch.c
        return None


class NativePort:
    """One core's view of a block: its MMIO run, served by the C callbacks."""

    def __init__(self, state: "_PortState", latch: _LatchState, initiator: str,
                 allowed: Callable[[], bool], dout_at: int | None) -> None:
        self.state = state
        self.initiator = initiator
        self._latch = latch
        self._allowed = allowed  # whether the view's access rules let the core in now
        self._dout_at = dout_at  # DOUT's run offset; None: the latch is not in this run

    @property
    def serving(self) -> bool:
        """Whether C serves this view's latch accesses now."""
        return self.state.dout_at != NOT_SERVED

    def rules_changed(self) -> None:
        """Re-evaluate the view's access rules; closed unless they let the core in."""
        self.state.dout_at = NOT_SERVED
        if self._dout_at is not None and self._latch.owned and self._allowed():
            self.state.dout_at = self._dout_at

    def close(self) -> None:
        """Python serves every access of this view."""
        self.state.dout_at = NOT_SERVED


class NativeLatch:
    """One block's latch in C memory, and the views (ports) that serve it."""

    def __init__(self, library: LatchLibrary, writable: int) -> None:
        self.library = library
        self.state = _LatchState(writable=writable)
        self.ports: list[NativePort] = []

    @property
    def owned(self) -> bool:
        return bool(self.state.owned)

    @property
    def stores(self) -> int:
        """Latch stores served in C so far (how a test sees the fast path taken)."""
        return self.state.stores

    def map(self, uc: Uc, base: int, size: int, block: tuple[int, int], reg_delta: int,
            read: MmioRead, write: MmioWrite, initiator: str,
            allowed: Callable[[], bool]) -> NativePort:
        """Map the MMIO run [base, base + size) of ``uc`` to the C callbacks. ``block``: the
        run offsets that are the block's; ``reg_delta``: run offset to register offset;
        ``read``/``write``: the bus's guarded callbacks for the rest (``engine/mmio.py``)."""
        py_read, py_write = MMIO_READ(read), MMIO_WRITE(write)
        dout_at: int | None = DOUT - reg_delta
        if not block[0] <= dout_at <= block[1] - (DOUT_RESET + 4 - DOUT):
            dout_at = None  # the run holds only part of the block, without the latch
        state = _PortState(ctypes.pointer(self.state), NOT_SERVED, len(self.ports), 0,
                           py_read, py_write)
        pointer = ctypes.cast(ctypes.pointer(state), ctypes.c_void_p)
        status = _uclib.uc_mmio_map(_handle(uc), base, size, self.library.read, pointer,
                                    self.library.write, pointer)
        if status != 0:
            raise UcError(status)
        port = NativePort(state, self.state, initiator, allowed, dout_at)
        self.ports.append(port)
        keep_alive(uc, py_read, py_write, state)
        port.rules_changed()
        return port

    def hand_over(self, dout: int) -> None:
        """C serves the latch from now on, starting from ``dout``."""
        self.state.dout = dout
        self.state.owned = 1
        for port in self.ports:
            port.rules_changed()

    def take_back(self) -> None:
        """Python serves every access again (call ``latched`` first to keep the value)."""
        self.state.owned = 0
        for port in self.ports:
            port.close()

    def latched(self) -> tuple[int, str]:
        """The latch and the initiator that stored it last."""
        state = self.state
        return state.dout, self.ports[state.writer].initiator if self.ports else ""
