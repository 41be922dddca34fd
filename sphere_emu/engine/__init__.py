"""The counted-run engine every CPU model runs on (see ``run.py``)."""

from .counter import UNTIL_NEVER, RetiredCounter
from .cut import AccessCut
from .debug import DebugHooks
from .regs import CoprocessorRegister, Register, RegisterGroup
from .run import NS_PER_S, CpuModel, Engine, end_runs_by_count

__all__ = ["NS_PER_S", "UNTIL_NEVER", "AccessCut", "CoprocessorRegister", "CpuModel",
           "DebugHooks", "Engine", "Register", "RegisterGroup", "RetiredCounter",
           "end_runs_by_count"]
