"""Keeping guest stores on Unicorn's fast path.

Unicorn (QEMU's softmmu) sends every store to a page through its slow path while the
page's TLB entry is executable (so self-modifying code is caught) or the page is covered by
a memory hook. Mapping RAM read/write/execute and hooking invalid accesses everywhere, as
a plain set-up does, makes every RAM store slow: about a third of CPU time.

So the cores run Unicorn in virtual-TLB mode and fill its TLB themselves:

- a data fill (load or store) gets read/write **without execute**, unless the page has been
  fetched from before; a fetch fill gets execute and marks the page a code page for good,
  so stores to code pages stay on the slow path and self-modifying code still works;
- the invalid-memory hook covers only the address ranges nothing is mapped at
  (``unmapped_ranges``), never RAM.

Code pages are tracked at the TLB's own page size, which Unicorn reports (1 KB for the
Cortex-M4): with a coarser grain, data sharing a 4 KB page with code (an RT app's ``.bss``
right after its ``.text`` in TCM) took the slow path on every store: bench-cpu ran about
twice as fast free-running once its buffers' 1 KB pages stopped counting as code.

What is enforced is what the region allows (ROM is never writable; MMIO is never
executable). The architecture's execute-never attributes of the ARMv7-M default memory map
(Peripheral, Device and System regions) are not modelled beyond that: mapped RAM executes
wherever it is.
"""

from collections.abc import Callable, Iterable

from unicorn import (
    UC_HOOK_TLB_FILL,
    UC_MEM_FETCH,
    UC_PROT_ALL,
    UC_PROT_EXEC,
    UC_PROT_READ,
    UC_PROT_WRITE,
    UC_TLB_VIRTUAL,
    Uc,
)

PAGE_SHIFT = 12
KindAt = Callable[[int], str | None]  # address -> the kind of mapping there, or None
ADDRESS_SPACE_END = 1 << 32


def grant(kind: int, allowed: int, page: int, code_pages: set[int]) -> int:
    """The permissions a TLB entry gets: execute only for code pages (see the docstring)."""
    if kind == UC_MEM_FETCH:
        code_pages.add(page)
        return allowed
    if page in code_pages:
        return allowed
    return allowed & ~UC_PROT_EXEC


def region_permissions(kind: str | None) -> int:
    """What a mapping kind allows ("ram", "rom", "peripheral", "unimplemented", None)."""
    if kind == "ram":
        return UC_PROT_ALL
    if kind == "rom":
        return UC_PROT_READ | UC_PROT_EXEC
    if kind is None:
        return UC_PROT_ALL  # nothing there: the access faults as unmapped, not as protected
    return UC_PROT_READ | UC_PROT_WRITE


class IdentityTlb:
    """The TLB of a core without an MMU (the Cortex-M4): virtual = physical."""

    def __init__(self, uc: Uc, kind_at: KindAt,
                 on_code_page: Callable[[int], None] | None = None) -> None:
        self._kind_at = kind_at
        self._on_code_page = on_code_page  # told each page's address when first fetched from
        self.page_size = uc.ctl_get_page_size()  # the CPU model must be set before
        self._shift = self.page_size.bit_length() - 1
        self.code_pages: set[int] = set()  # page numbers at ``page_size``
        self._allowed: dict[int, int] = {}
        uc.ctl_set_tlb_mode(UC_TLB_VIRTUAL)
        uc.hook_add(UC_HOOK_TLB_FILL, self._fill)

    def _fill(self, _uc: Uc, va: int, kind: int, entry: object, _data: object) -> bool:
        page = va >> self._shift
        allowed = self._allowed.get(page)
        if allowed is None:
            allowed = self._allowed[page] = region_permissions(self._kind_at(va))
        entry.paddr = va  # type: ignore[attr-defined]
        if kind == UC_MEM_FETCH and page not in self.code_pages and self._on_code_page:
            self._on_code_page(page << self._shift)
        entry.perms = grant(kind, allowed, page, self.code_pages)  # type: ignore[attr-defined]
        return True


def unmapped_ranges(mapped: Iterable[tuple[int, int]], page: int = 1 << PAGE_SHIFT
                    ) -> list[tuple[int, int]]:
    """Inclusive (begin, end) ranges of whole pages outside every ``(base, end)`` mapping:
    where an invalid-memory hook may go without covering any mapped page."""
    covered = sorted((base & ~(page - 1), -(-end // page) * page) for base, end in mapped)
    gaps = []
    at = 0
    for base, end in covered:
        if base > at:
            gaps.append((at, base - 1))
        at = max(at, end)
    if at < ADDRESS_SPACE_END:
        gaps.append((at, ADDRESS_SPACE_END - 1))
    return gaps
