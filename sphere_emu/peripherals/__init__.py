"""Peripheral models, one file per block, registered by the type name board files use."""

from ..pluton.mailbox import PlutonMailbox
from .gpt import Mt3620Gpt
from .mailbox import Mt3620Mailbox
from .registers import Peripheral
from .reset_control import IoCoreResetControl
from .uart import Mt3620Uart

PERIPHERAL_CLASSES: tuple[type[Peripheral], ...] = (
    Mt3620Uart, Mt3620Gpt, PlutonMailbox, Mt3620Mailbox, IoCoreResetControl)

PERIPHERAL_TYPES: dict[str, type[Peripheral]] = {cls.TYPE: cls for cls in PERIPHERAL_CLASSES}
