"""Libunicorn's host clock, answered with virtual time while a core runs.

QEMU's generic timer (the A7's CNTPCT/CNTVCT, TVAL reads and writes) reads the host's
monotonic clock through ``clock_gettime``. ``HostClockRedirect`` points libunicorn's PLT
slot for ``clock_gettime`` at a Python function that answers with the running core's exact
virtual time, for the thread that started the run; other threads and calls outside a run
get the real clock. The slot is found once, from the library's jump-slot relocations.
"""

import ctypes
import functools
import struct
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

SHT_RELA, SHT_REL = 4, 9
# Per ELF class: e_shoff .. e_shstrndx of the file header (after e_ident) as read from
# offset 16; a section header's name, type, offset, size, link and entsize; r_offset and
# r_info of a REL and a RELA entry; the shift that leaves r_info's symbol index.
_LAYOUTS = {
    1: ("16xI10xHHH", "II8xIII8xI", {SHT_REL: "II", SHT_RELA: "IIi"}, 8),
    2: ("24xQ10xHHH", "II16xQQI4x8xQ", {SHT_REL: "QQ", SHT_RELA: "QQq"}, 32),
}
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
    (the library has tens of thousands of other relocations). Read with ``struct`` from the
    section headers: a generic ELF reader costs a quarter of a second here."""
    try:
        with path.open("rb") as f:
            return _plt_slot(f, symbol)
    except (OSError, struct.error, ValueError, IndexError, ZeroDivisionError):
        return None


def _plt_slot(f: BinaryIO, symbol: str) -> int | None:
    ident = f.read(16)
    if ident[:4] != b"\x7fELF" or ident[4] not in _LAYOUTS or ident[5] not in (1, 2):
        return None
    header, section, rel, sym_shift = _LAYOUTS[ident[4]]
    order = "<" if ident[5] == 1 else ">"
    layout = struct.Struct(order + header)
    shoff, shentsize, shnum, shstrndx = layout.unpack(f.read(layout.size))
    sections = [struct.unpack_from(order + section, _read(f, shoff + i * shentsize, shentsize))
                for i in range(shnum)]
    # (name, type, offset, size, link, entsize) per section
    names = _read(f, sections[shstrndx][2], sections[shstrndx][3])
    by_name = {names[s[0]:names.index(b"\0", s[0])].decode(errors="replace"): s
               for s in sections}
    plt = by_name.get(".rela.plt") or by_name.get(".rel.plt")
    if plt is None or plt[1] not in (SHT_REL, SHT_RELA):
        return None
    symtab = sections[plt[4]]
    strtab = sections[symtab[4]]
    wanted = _symbol_indices(_read(f, symtab[2], symtab[3]), symtab[5],
                             _read(f, strtab[2], strtab[3]), symbol, order)
    fields = rel[plt[1]]
    size = plt[5] or struct.calcsize(order + fields)
    table = _read(f, plt[2], plt[3] // size * size)
    padding = size - struct.calcsize(order + fields)
    for r_offset, r_info, *_ in struct.iter_unpack(f"{order}{fields}{padding}x", table):
        if r_info >> sym_shift in wanted:
            return r_offset
    return None


def _read(f: BinaryIO, offset: int, size: int) -> bytes:
    f.seek(offset)
    data = f.read(size)
    if len(data) != size:
        raise ValueError("truncated ELF file")
    return data


def _symbol_indices(symbols: bytes, entry_size: int, names: bytes, symbol: str,
                    order: str) -> set[int]:
    """Indices of the symbol-table entries named ``symbol`` (st_name is the first u32 of
    both ELF32 and ELF64 symbols)."""
    needle = b"\0" + symbol.encode() + b"\0"
    name_offsets = set()
    at = names.find(needle)
    while at >= 0:
        name_offsets.add(at + 1)
        at = names.find(needle, at + 1)
    indices = set()
    for offset in name_offsets:  # each a u32 at the start of an entry: found by search
        needle, at = struct.pack(order + "I", offset), 0
        while (at := symbols.find(needle, at)) >= 0:
            if at % entry_size == 0:
                indices.add(at // entry_size)
            at += 1
    return indices


@functools.cache
def host_clock_redirect() -> HostClockRedirect | None:
    """The process's one redirect (libunicorn is loaded once), or None where unsupported."""
    found = _clock_gettime_slot()
    return HostClockRedirect(*found) if found is not None else None
