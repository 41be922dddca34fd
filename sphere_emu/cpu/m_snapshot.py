"""``snapshot``/``restore`` of the Cortex-M4 core (a mixin of ``CortexM4``).

The registers go by name, through the debugger's accessors (which reach MSP/PSP and the
masks from any mode); the mode comes back first (xPSR, then CONTROL), so the stack
pointers land in the right banks. The NVIC, SysTick and the SCS registers follow, then the
run state the core keeps between time slices.
"""

from typing import Any

from unicorn import arm_const as A

from ..snapshot import apply, capture
from .core import CoreState
from .m_debug import XPSR_WRITE
from .m_exceptions import XPSR_T

NVIC_STATE = ("pending", "active", "irq_enabled", "fault_enabled", "priority", "prigroup",
              "levels")
SYSTICK_STATE = ("enabled", "tickint", "reload", "_anchor_ns", "_base_tick", "_base_value",
                 "_flag_since", "_flag_latched", "_event")
_RUN_STATE = ("instructions_retired", "halt_reason", "_boot_vector_table", "_unmask_stop",
              "_step_next", "_run_count", "_slice_given_up", "_reset_requested",
              "_taken_fault_pc", "debug_hold")
_CUT = ("armed", "pc", "record")
_MODE = ("xpsr", "control")
_STACKS = ("msp", "psp", "primask", "basepri", "faultmask")


class M4Snapshots:
    def event_owners(self: Any) -> dict[str, object]:
        return {"systick": self.systick}

    def snapshot(self: Any) -> dict[str, Any]:
        registers = {name: self.read_register(name) for name in self.register_names()
                     if name != "sp"}  # sp is MSP or PSP, both saved
        return {"state": self.state.value, "registers": registers,
                "nvic": capture(self.nvic, NVIC_STATE),
                "systick": capture(self.systick, SYSTICK_STATE),
                "scs": self.scs.snapshot(), "cut": capture(self.engine.cut, _CUT),
                "carried": self.engine.carried,  # --fast: ran into the next slice
                **capture(self, _RUN_STATE)}

    def restore(self: Any, state: dict[str, Any]) -> None:
        clock = self.clock
        registers = state["registers"]
        self._clear_run_state()
        self.uc.reg_write(XPSR_WRITE, XPSR_T | 1)  # Handler mode on the main stack first
        self.uc.reg_write(A.UC_ARM_REG_CONTROL, 0)
        for name in (*_MODE, *_STACKS):
            self.write_register(name, registers[name])
        for name, value in registers.items():
            if name not in _MODE and name not in _STACKS:
                self.write_register(name, value)
        self.scs.restore(state["scs"])
        apply(self.nvic, state["nvic"], clock)
        apply(self.systick, state["systick"], clock)
        apply(self.engine.cut, state["cut"], clock)
        self.engine.carried = state.get("carried", 0)
        apply(self, {k: state[k] for k in _RUN_STATE}, clock)
        self.state = CoreState(state["state"])
        self.debug_stop = None
