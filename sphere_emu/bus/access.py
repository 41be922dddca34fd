"""Who is making a bus access: what access rules (firewalls) and blocks decide on."""

from collections.abc import Callable


class BusAccess:
    """Who is making an access: what the bus's access rules (firewalls) decide on.

    ``privileged`` may be given as a function: a core passes one that reads its CPU state,
    so the register read is paid only by the blocks and rules that ask.
    """

    __slots__ = ("initiator", "secure", "_privileged")

    def __init__(self, initiator: str, secure: bool = False,
                 privileged: bool | Callable[[], bool] = True) -> None:
        self.initiator = initiator
        self.secure = secure
        self._privileged = privileged

    @property
    def privileged(self) -> bool:
        p = self._privileged
        return p() if callable(p) else p
