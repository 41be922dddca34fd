"""Libunicorn's host clock, answered with virtual time while a core runs.

QEMU's generic timer (the A7's CNTPCT/CNTVCT, TVAL reads and writes) reads the host's
monotonic clock through ``clock_gettime``. ``HostClockRedirect`` points libunicorn's PLT
slot for ``clock_gettime`` at a Python function that answers with the running core's exact
virtual time, for the thread that started the run; other threads and calls outside a run
get the real clock. The slot is found once, from the library's jump-slot relocations.
"""

import ctypes
import functools
import threading
from collections.abc import Callable
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.relocation import RelocationSection

_CLOCK_GETTIME = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_void_p)


class _Timespec(ctypes.Structure):
    _fields_ = (("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long))


class _DlInfo(ctypes.Structure):
    _fields_ = (("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p))


class HostClockRedirect:
    """Serves libunicorn's ``clock_gettime`` from a virtual-time source during A7 runs."""

    def __init__(self, slot: ctypes.c_void_p, real: int) -> None:
        # The libc function itself, not the slot's old value: a lazily bound slot may still
        # point at the PLT resolver, which would overwrite our entry when first called.
        self._real = _CLOCK_GETTIME(real)
        self._source: Callable[[], int] | None = None
        self._thread: int | None = None
        self._hook = _CLOCK_GETTIME(self._clock_gettime)  # kept alive as long as we are
        slot.value = ctypes.cast(self._hook, ctypes.c_void_p).value

    def _clock_gettime(self, clock_id: int, timespec: int) -> int:
        source = self._source
        if source is None or threading.get_ident() != self._thread:
            return self._real(clock_id, timespec)
        ts = _Timespec.from_address(timespec)
        ts.tv_sec, ts.tv_nsec = divmod(source(), 1_000_000_000)
        return 0

    def serve(self, source: Callable[[], int]) -> tuple[Callable[[], int] | None, int | None]:
        """Answer from ``source`` on this thread; returns what ``restore`` puts back."""
        saved = self._source, self._thread
        self._source, self._thread = source, threading.get_ident()
        return saved

    def restore(self, saved: tuple[Callable[[], int] | None, int | None]) -> None:
        self._source, self._thread = saved


def _clock_gettime_slot() -> tuple[ctypes.c_void_p, int] | None:
    """libunicorn's GOT entry for clock_gettime (lazily bound, so it is writable)."""
    import unicorn.unicorn_py3.unicorn as binding

    lib = binding.uclib
    libc = ctypes.CDLL(None)
    if not hasattr(libc, "dladdr") or not hasattr(libc, "clock_gettime"):
        return None
    libc.dladdr.argtypes = (ctypes.c_void_p, ctypes.POINTER(_DlInfo))
    info = _DlInfo()
    if not libc.dladdr(ctypes.cast(lib.uc_version, ctypes.c_void_p), ctypes.byref(info)):
        return None
    offset = _relocation_offset(Path(lib._name), "clock_gettime")
    if offset is None or not info.dli_fbase:
        return None
    real = ctypes.cast(libc.clock_gettime, ctypes.c_void_p).value
    return ctypes.c_void_p.from_address(info.dli_fbase + offset), real


def _relocation_offset(path: Path, symbol: str) -> int | None:
    """Offset of ``symbol``'s PLT slot: only the jump-slot table is searched, by symbol index
    (the library has tens of thousands of other relocations; reading them costs seconds)."""
    try:
        with path.open("rb") as f:
            elf = ELFFile(f)
            plt = elf.get_section_by_name(".rela.plt") or elf.get_section_by_name(".rel.plt")
            if not isinstance(plt, RelocationSection):
                return None
            symtab = elf.get_section(plt["sh_link"])
            strtab = elf.get_section(symtab["sh_link"]).data()
            wanted = _symbol_indices(symtab.data(), symtab["sh_entsize"], strtab, symbol)
            for rel in plt.iter_relocations():
                if rel["r_info_sym"] in wanted:
                    return rel["r_offset"]
    except (OSError, ELFError):
        return None
    return None


def _symbol_indices(symbols: bytes, entry_size: int, names: bytes, symbol: str) -> set[int]:
    """Indices of the symbol-table entries named ``symbol``, read straight from the bytes
    (st_name is the first u32 of both ELF32 and ELF64 symbols)."""
    needle = b"\0" + symbol.encode() + b"\0"
    name_offsets = set()
    at = names.find(needle)
    while at >= 0:
        name_offsets.add(at + 1)
        at = names.find(needle, at + 1)
    view = memoryview(symbols)
    return {i for i in range(len(symbols) // entry_size)
            if int.from_bytes(view[i * entry_size:i * entry_size + 4], "little") in name_offsets}


@functools.cache
def host_clock_redirect() -> HostClockRedirect | None:
    """The process's one redirect (libunicorn is loaded once), or None where unsupported."""
    found = _clock_gettime_slot()
    return HostClockRedirect(*found) if found is not None else None
