"""How many instructions a counted Unicorn run started before it stopped.

The scheduler hands a core a budget of instructions per time slice. A run can stop early
for reasons the model then handles itself (SVC, SMC, an abort, an MMIO access that cuts
the slice, WFI); to carry on in the same slice with exactly the instructions that are left,
the core must know how many the stopped run used. Unicorn counts them for
``emu_start(count=...)`` in its engine struct (``emu_counter``, next to ``emu_count``) and
has no API to read the count.

The field's offset is found once, on a scratch engine, by running two different known
instruction counts and looking for the (counter, limit) pair both times. ``unicorn`` is
pinned in pyproject.toml; if a different build lays the struct out otherwise the probe
finds nothing and ``RetiredCounter.available`` is False: cores then end the slice at every
early stop, which is coarser but just as deterministic.
"""

import ctypes
import functools

from unicorn import UC_ARCH_ARM, UC_MODE_ARM, Uc, UcError

UNTIL_NEVER = 0xFFFFFFFF  # odd and never an ARM instruction address: runs end by count
_SCAN_WORDS = 512  # the pair sits 0x558 bytes in on 2.1.4; the struct is far larger
_PROBE_BASE = 0x1000
_NOP = bytes.fromhex("00f020e3")  # ARM "nop"


def _engine_address(uc: Uc) -> int:
    return int(uc._uch.value)  # the uc_engine pointer the binding holds


def _pairs(uc: Uc, started: int, limit: int) -> set[int]:
    words = (ctypes.c_uint64 * _SCAN_WORDS).from_address(_engine_address(uc))
    return {i for i in range(_SCAN_WORDS - 1) if words[i] == started and words[i + 1] == limit}


@functools.cache
def counter_offset() -> int | None:
    """Byte offset of ``emu_counter`` in Unicorn's engine struct, or None if not found."""
    try:
        uc = Uc(UC_ARCH_ARM, UC_MODE_ARM)
        uc.mem_map(0, 0x10000)
        uc.mem_write(_PROBE_BASE, _NOP * 256)
        found: set[int] | None = None
        for steps, limit in ((37, 1000), (91, 5003)):
            uc.emu_start(_PROBE_BASE, _PROBE_BASE + 4 * steps, count=limit)
            hits = _pairs(uc, steps, limit)
            found = hits if found is None else found & hits
        if found and len(found) == 1:
            return 8 * found.pop()
    except (UcError, AttributeError, TypeError, ValueError):
        pass
    return None


class RetiredCounter:
    """Reads the started-instruction count of the engine's current or last counted run."""

    def __init__(self, uc: Uc) -> None:
        offset = counter_offset()
        self._cell = (ctypes.c_uint64.from_address(_engine_address(uc) + offset)
                      if offset is not None else None)

    @property
    def available(self) -> bool:
        return self._cell is not None

    def started(self) -> int:
        """Instructions begun by the run so far (including one that faulted or was cut)."""
        return self._cell.value if self._cell is not None else 0

    def run(self, uc: Uc, begin: int, count: int, _cut_pc: int | None
            ) -> tuple[int | None, int | None]:
        """One counted run: (instructions begun or None if unknown, Unicorn error or None).
        A run that used its whole count reports ``count + 1`` begun."""
        error = None
        try:
            uc.emu_start(begin, UNTIL_NEVER, count=count)
        except UcError as err:
            error = err.errno
        return (self.started() if self._cell is not None else None), error

    def exception_at(self, _pc: int) -> None:
        """Unicorn counts instruction by instruction: nothing to correct."""

    def clear(self) -> None:
        """Nothing is cached per block."""
