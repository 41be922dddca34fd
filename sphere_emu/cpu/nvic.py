"""The ARMv7-M NVIC's exception state: pending, active, enabled, priorities.

Exception numbers follow the architecture: 2 NMI, 3 HardFault, ..., 15 SysTick, 16 + n
external interrupt n. The registers that expose this state live in the System Control
Space (``scs.py``); the core takes the exceptions (``cortex_m.py``).
"""

import logging

log = logging.getLogger("sphere_emu.cpu.nvic")

# Exception numbers
RESET, NMI, HARDFAULT, MEMMANAGE, BUSFAULT, USAGEFAULT = 1, 2, 3, 4, 5, 6
SVCALL, DEBUGMON, PENDSV, SYSTICK = 11, 12, 14, 15
FIRST_IRQ = 16
EXCEPTION_NAMES = {NMI: "NMI", HARDFAULT: "HardFault", MEMMANAGE: "MemManage",
                   BUSFAULT: "BusFault", USAGEFAULT: "UsageFault", SVCALL: "SVCall",
                   DEBUGMON: "DebugMonitor", PENDSV: "PendSV", SYSTICK: "SysTick"}
FIXED_PRIORITY = {RESET: -3, NMI: -2, HARDFAULT: -1}
THREAD_PRIORITY = 256  # below every configurable priority
_ENABLE_BITS = (MEMMANAGE, BUSFAULT, USAGEFAULT)  # the faults SHCSR enables


def exception_name(exc: int) -> str:
    if exc >= FIRST_IRQ:
        return f"IRQ{exc - FIRST_IRQ}"
    return EXCEPTION_NAMES.get(exc, f"exception {exc}")


class Nvic:
    """Exception state of one core: what is pending, active and enabled, and priorities.

    Exception numbers follow the architecture: 2 NMI, 3 HardFault, ..., 15 SysTick, 16 + n
    external interrupt n. External inputs are level-sensitive: a rising level pends the
    interrupt, and a level still high when its handler returns pends it again.
    """

    def __init__(self, irqs: int, priority_bits: int) -> None:
        self.irqs = irqs
        self.count = FIRST_IRQ + irqs
        self.priority_mask = (0xFF << (8 - priority_bits)) & 0xFF
        self.on_change = lambda: None  # an exception may have become deliverable
        self.reset()

    def reset(self) -> None:
        self.pending: set[int] = set()
        self.active: set[int] = set()
        self.irq_enabled = 0  # bit n: external interrupt n
        self.fault_enabled: set[int] = set()  # MemManage/BusFault/UsageFault (SHCSR)
        self.priority = [0] * self.count
        self.prigroup = 0
        self.levels = 0  # bit n: input n is high

    # -- the lines peripherals drive (InterruptController) -------------------------------
    def set_irq_level(self, irq: int, level: bool) -> None:
        if not 0 <= irq < self.irqs:
            log.warning("interrupt input %d does not exist (this NVIC has %d)", irq, self.irqs)
            return
        bit = 1 << irq
        if level and not self.levels & bit:
            self.levels |= bit
            self.set_pending(FIRST_IRQ + irq)
        elif not level:
            self.levels &= ~bit

    # -- state changes -------------------------------------------------------------------
    def set_pending(self, exc: int) -> None:
        self.pending.add(exc)
        self.on_change()

    def clear_pending(self, exc: int) -> None:
        self.pending.discard(exc)
        self._repend_if_high(exc)

    def activate(self, exc: int) -> None:
        self.pending.discard(exc)
        self.active.add(exc)

    def deactivate(self, exc: int) -> None:
        self.active.discard(exc)
        if exc >= FIRST_IRQ and self.levels >> (exc - FIRST_IRQ) & 1:
            self.pending.add(exc)  # a level still high pends its interrupt again

    def _repend_if_high(self, exc: int) -> None:
        if exc >= FIRST_IRQ and self.levels >> (exc - FIRST_IRQ) & 1 and exc not in self.active:
            self.pending.add(exc)

    def set_enabled(self, exc: int, enabled: bool) -> None:
        if exc >= FIRST_IRQ:
            bit = 1 << (exc - FIRST_IRQ)
            self.irq_enabled = self.irq_enabled | bit if enabled else self.irq_enabled & ~bit
        elif enabled:
            self.fault_enabled.add(exc)
        else:
            self.fault_enabled.discard(exc)
        self.on_change()

    def enabled(self, exc: int) -> bool:
        if exc >= FIRST_IRQ:
            return bool(self.irq_enabled >> (exc - FIRST_IRQ) & 1)
        return exc not in _ENABLE_BITS or exc in self.fault_enabled

    def set_priority(self, exc: int, value: int) -> None:
        if exc >= FIRST_IRQ or exc in (MEMMANAGE, BUSFAULT, USAGEFAULT, SVCALL, DEBUGMON,
                                       PENDSV, SYSTICK):
            self.priority[exc] = value & self.priority_mask
            self.on_change()

    def set_prigroup(self, prigroup: int) -> None:
        self.prigroup = prigroup & 7
        self.on_change()

    # -- priorities ----------------------------------------------------------------------
    @property
    def group_mask(self) -> int:
        return (0xFF << (self.prigroup + 1)) & 0xFF

    def group_priority(self, exc: int) -> int:
        """What preemption compares: the priority without its subpriority bits."""
        fixed = FIXED_PRIORITY.get(exc)
        return fixed if fixed is not None else self.priority[exc] & self.group_mask

    def highest_pending(self) -> int | None:
        """The enabled pending exception to take first: group, then subpriority, then number."""
        best = self._best_pending()
        return None if best is None else best[2]

    def _best_pending(self) -> tuple[int, int, int] | None:
        """(group priority, priority, number) of the exception ``highest_pending`` names.
        Inlined rather than built on ``enabled``/``group_priority``: it runs on every
        interrupt entry and return (issue 16's interrupt cost)."""
        group_mask = (0xFF << (self.prigroup + 1)) & 0xFF
        priority, irq_enabled = self.priority, self.irq_enabled
        best = None
        for exc in self.pending:
            if exc >= FIRST_IRQ:
                if not irq_enabled >> (exc - FIRST_IRQ) & 1:
                    continue
                value = priority[exc]
                key = (value & group_mask, value, exc)
            elif exc in FIXED_PRIORITY:
                value = FIXED_PRIORITY[exc]
                key = (value, value, exc)
            else:
                if exc in _ENABLE_BITS and exc not in self.fault_enabled:
                    continue
                value = priority[exc]
                key = (value & group_mask, value, exc)
            if best is None or key < best:
                best = key
        return best

    def execution_priority(self, primask: int = 0, basepri: int = 0, faultmask: int = 0) -> int:
        """The priority an exception must beat (be lower than) to preempt."""
        group_mask = (0xFF << (self.prigroup + 1)) & 0xFF
        priority = THREAD_PRIORITY
        for exc in self.active:
            value = FIXED_PRIORITY.get(exc)
            if value is None:
                value = self.priority[exc] & group_mask
            if value < priority:
                priority = value
        basepri &= self.priority_mask
        if basepri and basepri & group_mask < priority:
            priority = basepri & group_mask
        if primask & 1 and priority > 0:
            priority = 0
        if faultmask & 1 and priority > -1:
            priority = -1
        return priority

    def preempting(self, primask: int, basepri: int, faultmask: int) -> int | None:
        """The exception to take now with these masks: ``deliverable`` of the execution
        priority they give, in one call that stops at the first thing that holds the best
        pending exception back (the core asks on every interrupt entry)."""
        if not self.pending:
            return None
        best = self._best_pending()
        if best is None:
            return None
        group = best[0]
        if faultmask & 1 and group >= -1 or primask & 1 and group >= 0:
            return None
        group_mask = (0xFF << (self.prigroup + 1)) & 0xFF
        basepri &= self.priority_mask
        if basepri and group >= basepri & group_mask:
            return None
        for exc in self.active:
            value = FIXED_PRIORITY.get(exc)
            if group >= (self.priority[exc] & group_mask if value is None else value):
                return None
        return best[2]

    def deliverable(self, execution_priority: int) -> int | None:
        """The exception to take now, if one can preempt ``execution_priority``."""
        if not self.pending:
            return None
        best = self._best_pending()
        return best[2] if best is not None and best[0] < execution_priority else None
