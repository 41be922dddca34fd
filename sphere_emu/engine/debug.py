"""Breakpoint and watchpoint tables of one core, installed in each of its Unicorn instances.

A breakpoint is a code hook bounded to one address and a watchpoint a memory hook bounded
to its range, so nothing runs in Python on other instructions or accesses (DESIGN §3).
Translated code keeps the hooks it was translated with, so adding or removing one drops
the affected translations. What a hit means (stop before or after the access, skip the
breakpoint being resumed from) is the core's business: the tables only call back.
"""

from collections.abc import Callable, Sequence

from unicorn import (
    UC_CTL_IO_WRITE,
    UC_CTL_TLB_FLUSH,
    UC_HOOK_CODE,
    UC_HOOK_MEM_READ,
    UC_HOOK_MEM_WRITE,
    Uc,
)

WATCH_KINDS = {"watch": UC_HOOK_MEM_WRITE, "rwatch": UC_HOOK_MEM_READ,
               "awatch": UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE}

BreakpointHit = Callable[[Uc, int], None]  # (instance, address)
WatchpointHit = Callable[[Uc, int, str], None]  # (instance, data address, kind)


class DebugHooks:
    def __init__(self, ucs: Sequence[Uc], on_breakpoint: BreakpointHit,
                 on_watchpoint: WatchpointHit) -> None:
        self._ucs = tuple(ucs)
        self._on_breakpoint = on_breakpoint
        self._on_watchpoint = on_watchpoint
        self.breakpoints: dict[int, list[int]] = {}  # address -> one hook per instance
        self.watchpoints: dict[tuple[int, int, str], list[int]] = {}

    def add_breakpoint(self, address: int) -> None:
        if address in self.breakpoints:
            return
        hooks = []
        for uc in self._ucs:
            hooks.append(uc.hook_add(UC_HOOK_CODE, self._breakpoint_hit,
                                     begin=address, end=address))
            uc.ctl_remove_cache(address, address + 4)
        self.breakpoints[address] = hooks

    def remove_breakpoint(self, address: int) -> None:
        self._remove(self.breakpoints.pop(address, None))

    def add_watchpoint(self, address: int, size: int, kind: str) -> None:
        if kind not in WATCH_KINDS or size <= 0:
            raise ValueError(f"bad watchpoint: {kind} {address:#x}+{size}")
        key = (address, size, kind)
        if key in self.watchpoints:
            return

        def hit(uc: Uc, _access: int, where: int, _size: int, _value: int, _d: object) -> None:
            self._on_watchpoint(uc, where, kind)

        hooks = []
        for uc in self._ucs:
            hooks.append(uc.hook_add(WATCH_KINDS[kind], hit, begin=address,
                                     end=address + size - 1))
            uc.ctl_flush_tb()
            # A page already in the TLB may be on the fast path, which skips memory hooks.
            uc.ctl(UC_CTL_TLB_FLUSH, UC_CTL_IO_WRITE)
        self.watchpoints[key] = hooks

    def remove_watchpoint(self, address: int, size: int, kind: str) -> None:
        self._remove(self.watchpoints.pop((address, size, kind), None))

    def _breakpoint_hit(self, uc: Uc, address: int, _size: int, _data: object) -> None:
        self._on_breakpoint(uc, address)

    def _remove(self, hooks: list[int] | None) -> None:
        if hooks is None:
            return
        for uc, hook in zip(self._ucs, hooks, strict=True):
            uc.hook_del(hook)
            uc.ctl_flush_tb()  # code translated with the hook stays instrumented (and slow)
