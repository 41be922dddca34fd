"""One A7 world's architectural state as plain data, read and written register by register.

Unicorn's ``context_save`` blob is a copy of QEMU's CPU structure, pointers included, so it
does not restore into another instance: a snapshot goes through the registers by name. The
banked registers are reached by switching CPSR.M (Unicorn banks them as the mode changes);
CP15 through ``cpr_read``/``cpr_write`` on the Non-secure bank, which is the one the guest
reaches (``a7_world.NS_BANK``). NSACR is written before CPACR, which it gates.
"""

import dataclasses
from typing import Any

from unicorn import arm_const as uc_arm

from ..snapshot import apply, capture
from .a7_world import GPR, MODE_FIQ, MODE_MASK, NS_BANK, MonitorState, World
from .core import CoreState
from .generic_timer import GenericTimer

_MONITOR = tuple(f.name for f in dataclasses.fields(MonitorState))
_CUT = ("armed", "pc", "record")

# Modes whose banked registers differ (User shares System's; Monitor and Hyp do not exist
# in Unicorn's A7): r13, r14 and SPSR each, r8-r12 as well in FIQ mode.
_MODES = {"sys": 0x1F, "fiq": MODE_FIQ, "irq": 0x12, "svc": 0x13, "abt": 0x17, "und": 0x1B}

# CP15 registers a guest can change, as (opc1, crn, crm, opc2); NSACR first. Left out:
# the constant ones (ADFSR, AIFSR, AMAIR0/1), which Unicorn 2.1.4 answers by clearing r0
# when written through cpr_write.
CP15_32 = {
    "NSACR": (0, 1, 1, 2), "SCTLR": (0, 1, 0, 0), "CPACR": (0, 1, 0, 2),
    "TTBCR": (0, 2, 0, 2), "DACR": (0, 3, 0, 0),
    "DFSR": (0, 5, 0, 0), "IFSR": (0, 5, 0, 1), "DFAR": (0, 6, 0, 0), "IFAR": (0, 6, 0, 2),
    "PRRR": (0, 10, 2, 0), "NMRR": (0, 10, 2, 1), "VBAR": (0, 12, 0, 0),
    "FCSEIDR": (0, 13, 0, 0), "CONTEXTIDR": (0, 13, 0, 1), "TPIDRURW": (0, 13, 0, 2),
    "TPIDRURO": (0, 13, 0, 3), "TPIDRPRW": (0, 13, 0, 4),
    "CNTFRQ": (0, 14, 0, 0), "CNTKCTL": (0, 14, 1, 0), "CNTP_CTL": (0, 14, 2, 1),
    "CNTV_CTL": (0, 14, 3, 1), "CSSELR": (2, 0, 0, 0),
}
# 64-bit views (MCRR/MRRC) as (opc1, crm): the whole of each register
CP15_64 = {"TTBR0": (0, 2), "TTBR1": (1, 2), "PAR": (0, 7), "CNTP_CVAL": (2, 14),
           "CNTV_CVAL": (3, 14)}

_VFP = {**{f"d{i}": getattr(uc_arm, f"UC_ARM_REG_D{i}") for i in range(32)},
        "fpscr": uc_arm.UC_ARM_REG_FPSCR, "fpexc": uc_arm.UC_ARM_REG_FPEXC}


def world_snapshot(world: World) -> dict[str, Any]:
    uc = world.uc
    cpsr = uc.reg_read(uc_arm.UC_ARM_REG_CPSR)
    banked: dict[str, list[int]] = {}
    for name, mode in _MODES.items():
        uc.reg_write(uc_arm.UC_ARM_REG_CPSR, (cpsr & ~MODE_MASK) | mode)
        regs = [uc.reg_read(GPR[i]) for i in range(15)]  # r0-r14 as this mode sees them
        if name != "sys":
            regs.append(uc.reg_read(uc_arm.UC_ARM_REG_SPSR))
        banked[name] = regs
    uc.reg_write(uc_arm.UC_ARM_REG_CPSR, cpsr)
    return {
        "cpsr": cpsr, "pc": world.pc(), "banked": banked,
        "vfp": {name: uc.reg_read(reg) for name, reg in _VFP.items()},
        "cp15": {name: uc.cpr_read(15, *reg, NS_BANK, False) for name, reg in CP15_32.items()},
        "cp15_64": {name: uc.cpr_read(15, opc1, 0, crm, 0, NS_BANK, True)
                    for name, (opc1, crm) in CP15_64.items()},
        "fault_page": world._next_fault_page, "fault_pages": dict(world.fault_pages),
        "fpexc": world.fpexc, "vfp_denied": world.vfp_denied,  # FPEXC.EN held while denied
    }


def world_restore(world: World, state: dict[str, Any]) -> None:
    uc = world.uc
    cpsr = state["cpsr"]
    for name, mode in _MODES.items():
        uc.reg_write(uc_arm.UC_ARM_REG_CPSR, (cpsr & ~MODE_MASK) | mode)
        regs = state["banked"][name]
        first = 8 if name == "fiq" else 13  # the registers this mode banks
        if name == "sys":
            first = 0
        for i in range(first, 15):
            uc.reg_write(GPR[i], regs[i])
        if name != "sys":
            uc.reg_write(uc_arm.UC_ARM_REG_SPSR, regs[15])
    uc.reg_write(uc_arm.UC_ARM_REG_CPSR, cpsr)
    for name, reg in _VFP.items():
        uc.reg_write(reg, state["vfp"][name])
    for name, reg in CP15_32.items():
        uc.cpr_write(15, *reg, NS_BANK, False, state["cp15"][name])
    for name, (opc1, crm) in CP15_64.items():
        uc.cpr_write(15, opc1, 0, crm, 0, NS_BANK, True, state["cp15_64"][name])
    uc.reg_write(uc_arm.UC_ARM_REG_CPSR, cpsr)  # again, after the CP15 it depends on
    world.set_pc(state["pc"], bool(cpsr & 0x20))
    world.fpexc, world.vfp_denied = state["fpexc"], state["vfp_denied"]
    world._next_fault_page = state["fault_page"]
    world.fault_pages.clear()
    world.fault_pages.update(state["fault_pages"])
    world.flush_tlb()


class A7Snapshots:
    """``snapshot``/``restore`` of the A7 core (a mixin of ``CortexA7``): both worlds, the
    Monitor's state, the GIC, the generic timers and the run state between slices."""

    _RUN_STATE = ("instructions_retired", "halt_reason", "_exception_streak", "_complete_cut")

    def event_owners(self: Any) -> dict[str, object]:
        return {timer.name: timer for timer in self.timers.timers}

    def snapshot(self: Any) -> dict[str, Any]:
        return {
            "state": self.state.value, **capture(self, self._RUN_STATE),
            "world": self.world.name, "monitor": capture(self.monitor, _MONITOR),
            "secure": world_snapshot(self.secure), "normal": world_snapshot(self.normal),
            "gic": self.gic.snapshot(),
            "timers": [capture(t, GenericTimer.STATE) for t in self.timers.timers],
            "cut": capture(self.engine.cut, _CUT),
        }

    def restore(self: Any, state: dict[str, Any]) -> None:
        clock = self.clock
        world_restore(self.secure, state["secure"])
        world_restore(self.normal, state["normal"])
        self.world = self.secure if state["world"] == "secure" else self.normal
        apply(self.monitor, state["monitor"], clock)
        self.gic.restore(state["gic"])
        for timer, saved in zip(self.timers.timers, state["timers"], strict=True):
            apply(timer, saved, clock)
        apply(self.engine.cut, state["cut"], clock)
        apply(self, {k: state[k] for k in self._RUN_STATE}, clock)
        self.state = CoreState(state["state"])
        self.debug_stop = None
