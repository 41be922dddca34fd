"""Peripheral models, one file per block, registered by the type name board files use."""

from .adc import Mt3620Adc
from .dma import Mt3620Dma
from .eint import Mt3620IrqConfig
from .firewall import Firewall
from .gpio import Mt3620Gpio
from .gpt import Mt3620Gpt
from .i2s import Mt3620I2s, Mt3620I2sPort
from .isu import Mt3620Isu
from .isu_i2c import Mt3620I2c
from .isu_spi import Mt3620SpiMaster
from .isu_spis import Mt3620SpiSlave
from .mailbox import Mt3620Mailbox
from .pluton_mailbox import PlutonMailbox
from .pwm import Mt3620Pwm
from .registers import Peripheral
from .reset_control import IoCoreResetControl
from .rgu import Mt3620Rgu
from .storage_flash import StorageFlash
from .uart import Mt3620Uart
from .wdt import Mt3620Wdt

PERIPHERAL_CLASSES: tuple[type[Peripheral], ...] = (
    Mt3620Uart, Mt3620Gpt, PlutonMailbox, Mt3620Mailbox, IoCoreResetControl,
    Mt3620I2c, Mt3620Dma, Mt3620SpiMaster, Mt3620Adc, Mt3620Wdt,
    Mt3620Isu, Mt3620Rgu, Firewall, Mt3620Gpio, Mt3620Pwm, Mt3620IrqConfig,
    Mt3620I2s, Mt3620I2sPort, Mt3620SpiSlave, StorageFlash)

PERIPHERAL_TYPES: dict[str, type[Peripheral]] = {cls.TYPE: cls for cls in PERIPHERAL_CLASSES}
