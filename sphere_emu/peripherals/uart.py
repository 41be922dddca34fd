"""MT3620 UART: the IO cores' debug UARTs and the ISU UARTs (a 16550 with MediaTek extras).

Every register is 8 bits wide on a 32-bit stride. Offsets 0x00-0x1C are banked by LCR, as on
a 16550/16650: with LCR bit 7 (DLAB) set, 0x00/0x04 are the divisor latch DLL/DLM; with LCR
= 0xBF ("enhanced access") 0x08 is EFR and 0x10-0x1C are XON1/XON2/XOFF1/XOFF2. Both banks
are declared (``Bank``); RBR/THR and IIR/FCR share their offsets as read-only/write-only
pairs.

Timing: transmit is instantaneous (infinite baud, as in QEMU), so THRE/TEMT always read set
and polled output costs no virtual time. Receive is paced: host bytes wait "on the wire" and
enter the RX FIFO one character time apart at the programmed baud rate, so a guest that
drains its FIFO in time never loses a byte (however much the host pastes at once), and one
that does not overruns exactly as on silicon.
"""

from collections import deque
from typing import Any

from ..clock import Event
from ..engine.busywait import Status
from ..units import parse_frequency_hz
from .registers import RC, RO, SC, WO, Bank, Field, Peripheral, PeripheralContext, Register

# Interrupt identifiers IIR reads, highest priority first, and its FIFOs-enabled bits.
IIR_LINE_STATUS, IIR_RX_DATA, IIR_THR_EMPTY, IIR_NONE = 0x06, 0x04, 0x02, 0x01
IIR_FIFOS_ON = 0xC0
ENHANCED_ACCESS = 0xBF  # the LCR value that opens the enhanced bank

# Fields (each is also its bit's named constant: ``DR.mask``).
DR, OE = Field("DR", 0, access=RO), Field("OE", 1, access=RC)
THRE, TEMT = Field("THRE", 5, access=RO, reset=1), Field("TEMT", 6, access=RO, reset=1)
ERBFI, ETBEI, ELSI = Field("ERBFI", 0), Field("ETBEI", 1), Field("ELSI", 2)
FIFOE, CLRR, CLRT = Field("FIFOE", 0), Field("CLRR", 1, access=SC), Field("CLRT", 2, access=SC)
LOOP = Field("LOOP", 4)
DLAB = Field("DLAB", 7)
# update() runs after every access: its masks as plain ints, not attribute lookups.
_ELSI, _OE, _ERBFI, _ETBEI, _DLAB = ELSI.mask, OE.mask, ERBFI.mask, ETBEI.mask, DLAB.mask

FIFO_DEPTH = 16
_EVENTS_ONLY = Status()
VFF_RX_HANDSHAKE, VFF_TX_HANDSHAKE = 0x1, 0x2  # EXTEND_ADD bits
BYTE = 0xFF
DEFAULT_CLOCK_HZ = 26_000_000
FALLBACK_CHAR_NS = 86_806  # 10 bits at 115200 baud, while no divisor is programmed

# Oversampling per HIGHSPEED (RATE_STEP) value; 3 takes SAMPLE_COUNT + 1 instead.
_OVERSAMPLE = {0: 16, 1: 8, 2: 4}


class Mt3620Uart(Peripheral):
    TYPE = "mt3620-uart"
    STATE = ("rx_fifo", "rx_wire", "thre_pending", "_rx_event")
    IRQS = ("irq",)
    SIZE = 0x100  # ISU UARTs share their ISU's 4 KiB page with I2C and SPI
    OPTIONS = {"clock": parse_frequency_hz}  # UART reference clock, default 26 MHz

    def registers(self) -> list[Register]:
        regs = self.regs  # changed in place only (reset, restore): asked on every access
        dlab = Bank("dlab", lambda: regs["LCR"] & _DLAB != 0)  # 0xBF has DLAB too
        enhanced = Bank("enhanced", lambda: regs["LCR"] == ENHANCED_ACCESS)
        return [
            Register("RBR", 0x00, access=RO, read=self._read_rbr),
            Register("THR", 0x00, access=WO, write=self._transmit),
            Register("DLL", 0x00, writable=BYTE, bank=dlab),
            Register("IER", 0x04, writable=BYTE, fields=(
                ERBFI, ETBEI.on(write=self._etbei_changed), ELSI)),
            Register("DLM", 0x04, writable=BYTE, bank=dlab),
            Register("IIR", 0x08, access=RO, read=self._read_iir),
            Register("FCR", 0x08, access=WO, writable=BYTE, fields=(
                FIFOE.on(write=self._clear_rx), CLRR.on(write=self._clear_rx), CLRT)),
            Register("EFR", 0x08, writable=BYTE, bank=enhanced),
            Register("LCR", 0x0C, writable=BYTE, fields=(DLAB,)),
            Register("MCR", 0x10, writable=BYTE, fields=(LOOP,)),
            Register("XON1", 0x10, writable=BYTE, bank=enhanced),
            Register("LSR", 0x14, access=RO, fields=(
                DR.on(read=lambda: 1 if self.rx_fifo else 0), OE, THRE, TEMT)),
            Register("XON2", 0x14, writable=BYTE, bank=enhanced),
            Register("MSR", 0x18, access=RO, read=self._read_msr),
            Register("XOFF1", 0x18, writable=BYTE, bank=enhanced),
            Register("SCR", 0x1C, writable=BYTE),
            Register("XOFF2", 0x1C, writable=BYTE, bank=enhanced),
            Register("RX_LEVEL_CTL", 0x20, writable=BYTE),
            Register("HIGHSPEED", 0x24, writable=0x03),
            Register("SAMPLE_COUNT", 0x28, writable=BYTE),
            Register("SAMPLE_POINT", 0x2C, writable=BYTE),
            Register("AUTOBAUD", 0x30, writable=BYTE),
            Register("RATE_FIX", 0x34, writable=BYTE),
            Register("GUARD", 0x3C, writable=BYTE),
            Register("ESCAPE_DAT", 0x40, writable=BYTE),
            Register("ESCAPE_EN", 0x44, writable=BYTE),
            Register("SW_RTO_LIMIT", 0x48, writable=BYTE),
            Register("VFIFO_EN", 0x4C, writable=BYTE),
            Register("RXTRIG", 0x50, writable=BYTE),
            Register("FRACDIV_L", 0x54, writable=BYTE),
            Register("FRACDIV_M", 0x58, writable=0x03),
            Register("FCR_RD", 0x5C, access=RO, read=lambda: self.regs["FCR"]),
            Register("EXTEND_ADD", 0x64, writable=BYTE, write=self._write_extend_add),
            Register("RX_OFFSET", 0x68, access=RO, read=lambda: len(self.rx_fifo)),
            Register("TX_OFFSET", 0x6C, access=RO),
            Register("INTERRUPT_STA", 0x70, access=RO),
        ]

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self._dma: dict[bool, Any] = {}  # to_peripheral -> DmaPort at THR/RBR
        self.clock_hz: int = ctx.options.get("clock", DEFAULT_CLOCK_HZ)
        self.rx_fifo: deque[int] = deque()
        self.rx_wire: deque[int] = deque()  # host bytes still being shifted in
        self.thre_pending = False
        self._rx_event: Event | None = None
        super().__init__(name, ctx)
        # Created now so a host route (CLI, test) can attach before the guest says anything.
        self.port = ctx.serial.port(name)
        self.port.receiver = self.receive

    def reset(self) -> None:
        super().reset()
        self.rx_fifo.clear()
        self.rx_wire.clear()
        self.thre_pending = False
        if self._rx_event is not None:
            self._rx_event.cancel()
            self._rx_event = None
        self.update()

    # -- state-derived values ----------------------------------------------------------
    @property
    def loopback(self) -> bool:
        return bool(self.regs["MCR"] & LOOP.mask)

    @property
    def fifo_depth(self) -> int:
        return FIFO_DEPTH if self.regs["FCR"] & FIFOE.mask else 1

    def _iir_id(self) -> int:
        ier = self.regs["IER"]
        if ier & _ELSI and self.regs["LSR"] & _OE:
            return IIR_LINE_STATUS
        if ier & _ERBFI and self.rx_fifo:
            return IIR_RX_DATA
        if ier & _ETBEI and self.thre_pending:
            return IIR_THR_EMPTY
        return IIR_NONE

    def update(self) -> None:
        self.irqs["irq"].set(self._iir_id() != IIR_NONE)

    def time_sources(self) -> dict[int, Any]:
        """LSR as a status a busy-wait may poll (engine/busywait.py): received bytes enter
        the FIFO at clock events and leave it by reads, so it changes at no other time."""
        return {0x14: lambda: _EVENTS_ONLY}

    def char_time_ns(self) -> int:
        """One character on the wire at the programmed rate and frame format."""
        divisor = self.regs["DLM"] << 8 | self.regs["DLL"]
        step = self.regs["HIGHSPEED"]
        oversample = _OVERSAMPLE.get(step, self.regs["SAMPLE_COUNT"] + 1)
        if divisor == 0:
            return FALLBACK_CHAR_NS
        lcr = self.regs["LCR"]
        bits = 1 + (5 + (lcr & 0x03)) + (1 if lcr & 0x08 else 0) + (2 if lcr & 0x04 else 1)
        return -(-bits * 1_000_000_000 * divisor * oversample // self.clock_hz)

    # -- receive path ------------------------------------------------------------------
    def receive(self, data: bytes) -> None:
        """Host bytes arriving on the RX pin (the SerialPort's receiver)."""
        self.rx_wire.extend(data)
        if self._rx_event is None and self.rx_wire:
            self._rx_event = self.clock.schedule_in(self.char_time_ns(), self._rx_shift_done)

    def _rx_shift_done(self) -> None:
        self._rx_event = None
        self._rx_push(self.rx_wire.popleft())
        if self.rx_wire:
            self._rx_event = self.clock.schedule_in(self.char_time_ns(), self._rx_shift_done)

    def _rx_push(self, byte: int) -> None:
        rx_dma = self._dma.get(False)
        if rx_dma is not None and self._dma_handshake(VFF_RX_HANDSHAKE):
            rx_dma.give(bytes((byte,)))  # into the RX virtual FIFO, not the 16-byte FIFO
            return
        if len(self.rx_fifo) >= self.fifo_depth:
            self.regs["LSR"] |= OE.mask  # the new byte is lost; the FIFO keeps what it had
        else:
            self.rx_fifo.append(byte)
        self.update()

    # -- register behaviour ------------------------------------------------------------
    def _read_rbr(self) -> int:
        if self.rx_fifo:
            self.regs["RBR"] = self.rx_fifo.popleft()
            self.update()
        return self.regs["RBR"]

    def _transmit(self, value: int) -> None:
        self._send(bytes((value & BYTE,)))
        self.thre_pending = True  # the byte left at once: THR is empty again

    def _send(self, data: bytes) -> None:
        if self.loopback:
            for byte in data:
                self._rx_push(byte)
        else:
            self.port.transmit(data, self.now_ns())

    # -- DMA (VFIFO_EN + EXTEND_ADD handshakes; the DMA engine connects at THR/RBR) ------
    def _dma_handshake(self, bit: int) -> bool:
        return bool(self.regs["VFIFO_EN"] & 1 and self.regs["EXTEND_ADD"] & bit)

    def dma_connect(self, offset: int, to_peripheral: bool, port: Any) -> None:
        if offset != 0:
            return
        if port is None:
            self._dma.pop(to_peripheral, None)
        else:
            self._dma[to_peripheral] = port

    def _write_extend_add(self, value: int) -> None:
        self.regs["EXTEND_ADD"] = value & BYTE
        self.dma_kick(0)  # a TX handshake switched on finds bytes already waiting

    def dma_kick(self, offset: int) -> None:
        """The TX channel has bytes: they leave at once, as THR writes do (infinite baud)."""
        port = self._dma.get(True)
        if port is not None and self._dma_handshake(VFF_TX_HANDSHAKE):
            data = port.take(port.remaining())
            if data:
                self._send(data)

    def _etbei_changed(self, enabled: int) -> None:
        if enabled:
            self.thre_pending = True  # enabling ETBEI with THR empty raises the interrupt

    def _read_iir(self) -> int:
        ident = self._iir_id()
        if ident == IIR_THR_EMPTY:
            self.thre_pending = False  # reading IIR acknowledges a THR-empty interrupt
            self.update()
        return ident | (IIR_FIFOS_ON if self.regs["FCR"] & FIFOE.mask else 0)

    def _clear_rx(self, _value: int) -> None:
        # Switching FIFO mode or writing CLRR empties the RX FIFO. CLRT has nothing to
        # clear: the TX FIFO is always empty.
        self.rx_fifo.clear()

    def _read_msr(self) -> int:
        if not self.loopback:
            return 0  # no modem lines are modelled
        mcr = self.regs["MCR"]
        # Loopback wires DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD.
        return ((mcr & 0x01) << 5) | ((mcr & 0x02) << 3) | ((mcr & 0x0C) << 4)
