"""Peripheral models, one file per block, registered by the type name board files use."""

from .registers import Peripheral

PERIPHERAL_CLASSES: tuple[type[Peripheral], ...] = ()

PERIPHERAL_TYPES: dict[str, type[Peripheral]] = {cls.TYPE: cls for cls in PERIPHERAL_CLASSES}
