"""The A7 core's debugger interface: registers by name, breakpoints, watchpoints, single
steps, and where a virtual address lands (used by the GDB server through ``Core``).

A mixin of ``CortexA7``: breakpoints and watchpoints are the engine's tables over both
worlds' instances; a watchpoint stops before the access, which happens on resume.
"""

from typing import Any

from unicorn import Uc
from unicorn import arm_const as uc_arm

from ..engine import DebugHooks
from . import a7_mmu as mmu
from .a7_world import CPSR_T, MODE_MASK, REGISTERS, Stop, World
from .core import CoreState, DebugStop


class CortexA7Debug:
    world: World
    _debug: DebugHooks

    # -- debugger ------------------------------------------------------------------------
    def register_names(self) -> list[str]:
        return list(REGISTERS)

    def read_register(self, name: str) -> int:
        return self.world.uc.reg_read(REGISTERS[name])

    def write_register(self, name: str, value: int) -> None:
        if name == "pc":
            self.world.set_pc(value, bool(self.world.cpsr() & CPSR_T))
        else:
            self.world.uc.reg_write(REGISTERS[name], value)

    def add_breakpoint(self, address: int) -> None:
        self._debug.add_breakpoint(address)

    def remove_breakpoint(self, address: int) -> None:
        self._debug.remove_breakpoint(address)

    def add_watchpoint(self, address: int, size: int, kind: str) -> None:
        self._debug.add_watchpoint(address, size, kind)

    def remove_watchpoint(self, address: int, size: int, kind: str) -> None:
        self._debug.remove_watchpoint(address, size, kind)

    def _on_breakpoint(self, uc: Uc, address: int) -> None:
        if self._skip_breakpoint == address:
            self._skip_breakpoint = None
            return
        self.debug_stop = DebugStop("breakpoint", address)
        self._skip_breakpoint = address
        if self._stop is None:
            self._stop = Stop("debug", address=address)
        uc.emu_stop()

    def _on_watch(self, uc: Uc, where: int, kind: str) -> None:
        """Stop before the access; it happens when the core resumes."""
        pc = uc.reg_read(uc_arm.UC_ARM_REG_PC)
        if self._skip_watchpoint == pc:
            self._skip_watchpoint = None  # the access we stopped before: let it happen
            return
        self._skip_watchpoint = pc
        self.debug_stop = DebugStop("watchpoint", where, kind)
        if self._stop is None:
            self._stop = Stop("debug", address=where)
        uc.emu_stop()

    def step(self) -> None:
        self.debug_stop = None
        if self.state is CoreState.SLEEPING:
            self.state = CoreState.RUNNING
        self._skip_breakpoint = self.world.pc()
        self.engine.begin_slice()
        try:
            if not self._complete_cut:
                self._take_interrupt()
            self._complete_cut = False
            if self.state is CoreState.RUNNING:
                self._run_once(1)
        finally:
            self.engine.end_slice()
        self._sample_timers()
        if self.debug_stop is None:
            self.debug_stop = DebugStop("step", self.world.pc())

    def virtual_to_physical(self, va: int) -> int | None:
        """Where ``va`` lands in the current world's translation regime (for debuggers, which
        see physical memory through ``address_map``); None if it would fault."""
        world = self.world
        pa = mmu.translate(world.mmu_registers(), va, mmu.Access(), world.read_physical_word)
        return pa if isinstance(pa, int) else None

    def describe(self) -> dict[str, Any]:
        """Where the core is, for reports: world, mode, PC."""
        cpsr = self.world.cpsr()
        return {"world": self.world.name, "mode": cpsr & MODE_MASK, "pc": self.world.pc(),
                "cpsr": cpsr}
