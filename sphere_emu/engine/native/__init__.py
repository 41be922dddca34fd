"""The optional native block-level instruction counter (``counter.c``), through ctypes.

Unicorn's counted runs (``emu_start(count=...)``, ``counter.py``) call a hook before every
instruction: about half of a CPU-bound core's time. ``counter.c`` is a plain shared library
built at install when a C compiler is present (setup.py, an optional extension); its block
hook counts a whole translated block at once and stops the run at the first block that
starts after the budget is spent. The IO cores use it in the ``--fast`` mode
(``Machine(fast=True)``), which is deterministic run to run but not identical to the exact
mode, for three reasons that Unicorn 2.1.4 gives no cheap way around:

- a slice ends after the block that crosses its budget (the few extra instructions are not
  charged), where the exact mode stops at the very instruction;
- Unicorn brings the PC up to date only for hooked instructions, so inside a block an MMIO
  access sees the block's start, not its own instruction. (A memory hook would fix that,
  but any memory hook sends every RAM access to Unicorn's slow path: measured 20 against
  200 MIPS.) The instruction is found from the registers instead (``accesses.py``) and the
  access timed at block start + its index; where that fails, at the block's start.
  Busy-waits are still skipped only when the polling load starts its block (the usual
  loop shape);
- Unicorn's per-instruction count skips the instructions of an IT block whose condition
  fails; a block counts all of its instructions (as the hardware spends them).

Which counter is available is reported by ``sphere-emu --version``; without the library (no
compiler at install, or ``Machine(native_counter=False)``) ``--fast`` runs the exact mode.
Thumb only (the Cortex-M4 IO cores); the A7 always uses Unicorn's counting.
"""

import ctypes
import importlib.machinery
from dataclasses import dataclass
from pathlib import Path

from unicorn import UC_HOOK_BLOCK, Uc, UcError
from unicorn.arm_const import UC_ARM_REG_PC

from ..counter import UNTIL_NEVER
from .accesses import AccessLocator

try:
    from unicorn.unicorn_py3.unicorn import uclib as _uclib
except ImportError:  # another binding layout: no native counter
    _uclib = None

LIBRARY_STEM = "_counter"


@dataclass(frozen=True)
class CounterChoice:
    """Which instruction counter the IO cores use, and why (for ``--version``)."""

    native: bool
    detail: str

    def describe(self) -> str:
        if self.native:
            return f"native block counter for --fast ({self.detail}); exact runs: Unicorn's"
        return f"Unicorn's per-instruction count only ({self.detail}); --fast runs exact"


class _Header(ctypes.Structure):
    """The head of ``struct counter`` in counter.c (same order and types)."""

    _fields_ = [("budget", ctypes.c_uint64), ("done", ctypes.c_uint64),
                ("last_start", ctypes.c_uint64), ("last_size", ctypes.c_uint32),
                ("last_count", ctypes.c_uint32), ("refused", ctypes.c_uint32),
                ("misses", ctypes.c_uint32)]


def default_library() -> Path | None:
    """The library built next to this file at install, if any."""
    here = Path(__file__).resolve().parent
    for suffix in (*importlib.machinery.EXTENSION_SUFFIXES, ".so"):
        path = here / f"{LIBRARY_STEM}{suffix}"
        if path.is_file():
            return path
    return None


class NativeLibrary:
    """The loaded ``counter.c`` with its prototypes and Unicorn's function pointers."""

    def __init__(self, path: Path) -> None:
        if _uclib is None:
            raise OSError("the unicorn binding does not expose its C library")
        lib = self._lib = ctypes.CDLL(str(path))
        self.path = path
        vp, u64 = ctypes.c_void_p, ctypes.c_uint64
        lib.counter_new.restype = vp
        lib.counter_new.argtypes = (vp, vp, vp, vp)
        lib.counter_free.argtypes = (vp,)
        lib.counter_clear.argtypes = (vp,)
        lib.counter_begin.argtypes = (vp, u64)
        lib.counter_started.restype = u64
        lib.counter_started.argtypes = (vp,)
        lib.counter_started_at.restype = u64
        lib.counter_started_at.argtypes = (vp, u64)
        lib.counter_truncate.argtypes = (vp, u64)
        self.block_hook = ctypes.cast(lib.counter_block_hook, vp)
        self.unicorn = tuple(ctypes.cast(getattr(_uclib, name), vp)
                             for name in ("uc_emu_stop", "uc_mem_read", "uc_reg_read"))
        self.lib = lib


def choose(native: bool | Path = True) -> tuple[NativeLibrary | None, CounterChoice]:
    """The native library if wanted and loadable, else None; with the reason either way.

    ``native``: True = the library built at install, a Path = that file, False = never.
    """
    if native is False:
        return None, CounterChoice(False, "native counter turned off")
    path = default_library() if native is True else Path(native)
    if path is None:
        return None, CounterChoice(False, "native library not built (no C compiler at "
                                          "install?)")
    try:
        library = NativeLibrary(path)
    except (OSError, AttributeError) as err:
        return None, CounterChoice(False, f"native library not usable: {err}")
    return library, CounterChoice(True, str(path))


class NativeCounter:
    """One core's native counter: the block hook and the runs it ends."""

    available = True

    def __init__(self, uc: Uc, library: NativeLibrary) -> None:
        handle = uc._uch
        lib = self._lib = library.lib
        state = lib.counter_new(handle, *library.unicorn)
        if not state:
            raise MemoryError("native counter state")
        self._state = state
        self._header = _Header.from_address(state)
        self._library = library  # keeps the library (and the hook's code) loaded
        hook = ctypes.c_size_t()
        status = _uclib.uc_hook_add(handle, ctypes.byref(hook), UC_HOOK_BLOCK,
                                    library.block_hook, state, ctypes.c_uint64(1),
                                    ctypes.c_uint64(0))
        if status != 0:
            raise UcError(status)
        self._pc = ctypes.c_uint64()
        self._locator: AccessLocator | None = None
        self._execution: tuple[int, int, int] | None = None  # the block execution resolved in
        self._resolved = -1  # index in it of the instruction that made the last access
        self._overshoot = 0  # instructions the last refused run ran past its count

    def __del__(self) -> None:
        state, self._state = getattr(self, "_state", None), None
        if state:
            self._lib.counter_free(state)

    def clear(self) -> None:
        """Code may have changed under cached blocks (a load, a reset)."""
        self._lib.counter_clear(self._state)
        if self._locator is not None:
            self._locator.clear()

    def locate_accesses(self, locator: AccessLocator) -> None:
        """Time register accesses at their own instruction (``access``)."""
        self._locator = locator

    def access(self, address: int, _size: int, is_write: bool) -> None:
        """A register access is being made: find its instruction in the current block,
        now, while the registers are those it computed its address from."""
        header = self._header
        execution = (header.done, header.last_start, header.last_size)
        if execution != self._execution:
            self._execution, self._resolved = execution, -1
        if self._locator is not None:
            index = self._locator.locate(header.last_start, header.last_size, self._resolved,
                                         address, is_write)
            if index is not None:
                self._resolved = index

    def started(self) -> int:
        """Instructions begun by the current run: to the instruction of the register access
        in progress if it was found, else to the PC Unicorn last brought up to date (inside
        a block: the block's start, see the module docstring)."""
        started = self._lib.counter_started(self._state)
        if self._resolved >= 0:
            header = self._header
            if (header.done, header.last_start, header.last_size) == self._execution:
                return max(started, header.done - header.last_count + self._resolved + 1)
        return started

    def take_overshoot(self) -> int:
        """Instructions the block that crossed the last run's count ran past it (once)."""
        overshoot, self._overshoot = self._overshoot, 0
        return overshoot

    def exception_at(self, pc: int) -> None:
        """An exception hook fired at ``pc`` and the run goes on elsewhere: the rest of the
        block it was in never runs."""
        self._lib.counter_truncate(self._state, pc & ~1)

    def run(self, uc: Uc, begin: int, count: int, _cut_pc: int | None
            ) -> tuple[int, int | None]:
        """One run of about ``count`` instructions: (instructions begun, Unicorn error).

        A run that used its count reports ``count + 1``, as Unicorn's counting does.
        """
        lib, state = self._lib, self._state
        lib.counter_begin(state, count)
        self._execution, self._resolved, self._overshoot = None, -1, 0
        error = None
        try:
            uc.emu_start(begin, UNTIL_NEVER, count=0)
        except UcError as err:
            error = err.errno
        if error is None and self._header.refused:
            self._overshoot = self._header.done - count
            return count + 1, None
        return min(count, lib.counter_started_at(state, self.stop_pc(uc))), error

    def stop_pc(self, uc: Uc) -> int:
        """The PC after a run (exact: Unicorn restores it when a run stops)."""
        self._pc.value = 0
        _uclib.uc_reg_read(uc._uch, UC_ARM_REG_PC, ctypes.byref(self._pc))
        return self._pc.value & ~1
