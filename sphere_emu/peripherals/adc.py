"""MT3620 ADC controller (0x38000100) and its sample FIFO (0x38000200).

Eight 12-bit channels; each samples the voltage of the analog input the board (or the
CLI/pytest) connects to it: code = V * 4096 / 2.5 V, clamped to 4095 (MediaTek's scale;
docs/peripherals.md on the VREF conflict). A FIFO entry is ``code << 4 | channel``.

- One-shot (CTL0.PMODE = 0): FSM_EN 0 -> 1 converts every channel of CH_MAP once, in
  ascending order; the samples enter the FIFO together when the last conversion ends,
  REG_T_INIT ADC clocks plus 20 ADC clocks per channel after the start (2 MHz ADC clock).
- Periodic (PMODE = 1): the same batch every REG_PERIOD + 1 ADC clocks while FSM_EN.
- FIFO: 32 entries; RBR pops; FIFO_DEBUG16 holds the 5-bit read and write pointers
  drivers compute the count from; LSR.DR when not empty. The level interrupt follows
  IER.RXFEN && count >= FIFO_TRI_LVL[6:2]. With DMA_EN.RX the samples go to the DMA
  channel connected at RBR (virtual-FIFO channel 29) instead.
"""

from collections import deque
from collections.abc import Callable

from ..clock import Event
from ..devices.analog import AnalogInput
from .dma_port import DmaPort
from .registers import RO, BusAccess, Peripheral, PeripheralContext, Register

ADC_CLOCK_HZ = 2_000_000
CONVERSION_CLOCKS = 20
FIFO_DEPTH = 32
CHANNELS = 8
FSM_EN, PMODE = 0x1, 0x100
RXFEN = 0x1
DMA_RX_EN = 0x1
RBR = 0x100  # offset of ADC_FIFO_RBR in this block (block base 0x38000100)
# IIR identifiers (UART style)
IIR_NONE, IIR_RX_DATA = 0x01, 0x04


class Mt3620Adc(Peripheral):
    TYPE = "mt3620-adc"
    STATE = ("fifo", "rptr", "wptr", "_batch_at", "_batch")
    IRQS = ("irq",)
    SIZE = 0x200  # 0x38000100-0x380002FF; 0x38000000-0xFF is the GPIO41-48 block

    def registers(self) -> list[Register]:
        return [
            Register("ADC_CTL0", 0x000, write=self._write_ctl0),
            Register("REG_PERIOD", 0x004),
            Register("ADC_CTL2", 0x008),
            Register("ADC_CTL3", 0x00C),
            Register("ADC_CTL4", 0x010, access=RO),
            Register("ADC_FIFO_RBR", 0x100, access=RO, read=self._pop),
            Register("ADC_FIFO_IER", 0x104, writable=0x5),
            Register("ADC_FIFO_IIR", 0x108, access=RO, read=self._iir),
            Register("ADC_FIFO_LCR", 0x10C),
            Register("ADC_FIFO_LSR", 0x114, access=RO, read=lambda: 1 if self.fifo else 0),
            Register("ADC_FIFO_SLEEP_EN", 0x148),
            Register("ADC_FIFO_DMA_EN", 0x14C, writable=0x5),
            Register("ADC_FIFO_RTOCNT", 0x154, writable=0x3FFFF),
            Register("ADC_FIFO_TRI_LVL", 0x160, reset=0x1C, writable=0xFF),
            Register("ADC_FIFO_WAK", 0x164),
            Register("ADC_FIFO_WAT_TIME", 0x168),
            Register("ADC_FIFO_HANDSHAKE", 0x16C, writable=0x7),
            Register("ADC_FIFO_DEBUG16", 0x1D4, access=RO,
                     read=lambda: self.rptr | self.wptr << 5),
        ]

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.inputs: dict[int, AnalogInput] = {}
        self.fifo: deque[int] = deque()
        self.rptr = self.wptr = 0
        self.dma: DmaPort | None = None
        self._batch_at = 0
        self._batch: Event | None = None
        super().__init__(name, ctx)
        self.core_now = self.now_ns

    def use_core_time(self, now_ns: Callable[[], int]) -> None:
        """The time of the core accessing this shared block (set by the machine)."""
        self.core_now = now_ns

    def read(self, offset: int, size: int, access: BusAccess) -> int:
        batch = self._batch
        if batch is not None and self.core_now() >= batch.when_ns:
            batch.cancel()  # converted by this core's time: the poll sees it on time
            self._convert()
        return super().read(offset, size, access)

    def connect(self, device: AnalogInput) -> None:
        self.inputs[device.channel] = device

    def reset(self) -> None:
        super().reset()
        self.fifo.clear()
        self.rptr = self.wptr = 0
        if self._batch is not None:
            self._batch.cancel()
            self._batch = None
        self.update()

    def _level(self) -> int:
        return (self.regs["ADC_FIFO_TRI_LVL"] >> 2) & 0x1F

    def update(self) -> None:
        self.irqs["irq"].set(bool(self.regs["ADC_FIFO_IER"] & RXFEN)
                             and len(self.fifo) >= max(1, self._level()))

    def dma_connect(self, offset: int, to_peripheral: bool, port: DmaPort | None) -> None:
        if offset == RBR and not to_peripheral:
            self.dma = port

    # -- conversions -------------------------------------------------------------------
    def _channels(self) -> list[int]:
        ch_map = self.regs["ADC_CTL0"] >> 16
        return [ch for ch in range(CHANNELS) if ch_map >> ch & 1]

    def _schedule_batch(self, first: bool) -> None:
        ctl0 = self.regs["ADC_CTL0"]
        if first:
            clocks = ((ctl0 >> 9) & 0x7F) + CONVERSION_CLOCKS * len(self._channels())
        else:
            clocks = self.regs["REG_PERIOD"] + 1
        delay = -(-max(clocks, 1) * 1_000_000_000 // ADC_CLOCK_HZ)
        start = self.core_now() if first else self._batch_at
        self._batch_at = start + delay
        self._batch = self.clock.schedule_at(self._batch_at, self._convert)

    def _convert(self) -> None:
        self._batch = None
        samples = [(self._code(ch) << 4) | ch for ch in self._channels()]
        if self.dma is not None and self.regs["ADC_FIFO_DMA_EN"] & DMA_RX_EN:
            self.dma.give(b"".join(s.to_bytes(4, "little") for s in samples))
        else:
            for sample in samples:
                if len(self.fifo) < FIFO_DEPTH:
                    self.fifo.append(sample)
                    self.wptr = (self.wptr + 1) % FIFO_DEPTH
        if self.regs["ADC_CTL0"] & PMODE and self.regs["ADC_CTL0"] & FSM_EN:
            self._schedule_batch(first=False)
        self.update()

    def _code(self, channel: int) -> int:
        device = self.inputs.get(channel)
        return device.code() if device is not None else 0

    # -- registers ---------------------------------------------------------------------
    def _write_ctl0(self, value: int) -> None:
        was = self.regs["ADC_CTL0"] & FSM_EN
        self.regs["ADC_CTL0"] = value
        if value & FSM_EN and not was and self._channels():
            self._schedule_batch(first=True)
        elif not value & FSM_EN and self._batch is not None and value & PMODE:
            self._batch.cancel()  # periodic sampling stops; a one-shot batch completes
            self._batch = None

    def _pop(self) -> int:
        if not self.fifo:
            return 0
        self.rptr = (self.rptr + 1) % FIFO_DEPTH
        value = self.fifo.popleft()
        self.update()
        return value

    def _iir(self) -> int:
        ready = self.regs["ADC_FIFO_IER"] & RXFEN and len(self.fifo) >= max(1, self._level())
        return IIR_RX_DATA if ready else IIR_NONE
