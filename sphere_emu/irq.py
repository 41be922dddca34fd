"""Interrupt lines: how a peripheral signals an interrupt controller without knowing it.

A peripheral owns ``IrqLine`` outputs and only ever sets their level. The machine connects
each line to one or more controller inputs (an NVIC or GIC input number) when it builds the
board; an unconnected line goes nowhere.
"""

from collections.abc import Callable
from typing import Protocol


class InterruptController(Protocol):
    def set_irq_level(self, irq: int, level: bool) -> None: ...


class IrqLine:
    def __init__(self, name: str) -> None:
        self.name = name
        self.level = False
        self._sinks: list[Callable[[bool], None]] = []

    def connect(self, controller: InterruptController, irq: int) -> None:
        self._sinks.append(lambda level: controller.set_irq_level(irq, level))
        if self.level:
            controller.set_irq_level(irq, True)

    def set(self, level: bool) -> None:
        level = bool(level)
        if level == self.level:
            return
        self.level = level
        for sink in self._sinks:
            sink(level)

    def pulse(self) -> None:
        self.set(True)
        self.set(False)
