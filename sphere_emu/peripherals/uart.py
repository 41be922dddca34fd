"""MT3620 UART: the IO cores' debug UARTs and the ISU UARTs (a 16550 with MediaTek extras).

Every register is 8 bits wide on a 32-bit stride. Offsets 0x00-0x1C are banked by LCR, as on
a 16550/16650: with LCR bit 7 (DLAB) set, 0x00/0x04 are the divisor latch DLL/DLM; with LCR
= 0xBF ("enhanced access") 0x08 is EFR and 0x10-0x1C are XON1/XON2/XOFF1/XOFF2. The framework
dispatches one register per offset, so each banked offset is declared under its normal-mode
name and its read/write methods pick the bank (``_bank``); the other banks' values live in
``regs`` under their own names.

Timing: transmit is instantaneous (infinite baud, as in QEMU), so THRE/TEMT always read set
and polled output costs no virtual time. Receive is paced: host bytes wait "on the wire" and
enter the RX FIFO one character time apart at the programmed baud rate, so a guest that
drains its FIFO in time never loses a byte (however much the host pastes at once), and one
that does not overruns exactly as on silicon.
"""

from collections import deque
from typing import Any

from ..clock import Event
from ..units import parse_frequency_hz
from .registers import RO, Peripheral, PeripheralContext, Register

# LSR
DR, OE, THRE, TEMT = 0x01, 0x02, 0x20, 0x40
# IER
ERBFI, ETBEI, ELSI = 0x01, 0x02, 0x04
# IIR interrupt identifiers, highest priority first
IIR_LINE_STATUS, IIR_RX_DATA, IIR_THR_EMPTY, IIR_NONE = 0x06, 0x04, 0x02, 0x01
IIR_FIFOS_ON = 0xC0
# FCR
FIFOE, CLRR, CLRT = 0x01, 0x02, 0x04
# MCR
LOOP = 0x10
# LCR
DLAB, ENHANCED_ACCESS = 0x80, 0xBF

FIFO_DEPTH = 16
BYTE = 0xFF
DEFAULT_CLOCK_HZ = 26_000_000
FALLBACK_CHAR_NS = 86_806  # 10 bits at 115200 baud, while no divisor is programmed

# Oversampling per HIGHSPEED (RATE_STEP) value; 3 takes SAMPLE_COUNT + 1 instead.
_OVERSAMPLE = {0: 16, 1: 8, 2: 4}


class Mt3620Uart(Peripheral):
    TYPE = "mt3620-uart"
    IRQS = ("irq",)
    SIZE = 0x100  # ISU UARTs share their ISU's 4 KiB page with I2C and SPI
    OPTIONS = {"clock": parse_frequency_hz}  # UART reference clock, default 26 MHz

    REGISTERS = (
        Register("RBR", 0x00, writable=BYTE),           # write: THR; DLAB: DLL
        Register("IER", 0x04, writable=BYTE),           # DLAB: DLM
        Register("IIR", 0x08, reset=IIR_NONE, writable=BYTE),  # write: FCR; 0xBF: EFR
        Register("LCR", 0x0C, writable=BYTE),
        Register("MCR", 0x10, writable=BYTE),           # 0xBF: XON1
        Register("LSR", 0x14, reset=THRE | TEMT),       # 0xBF: XON2 (else read-only)
        Register("MSR", 0x18),                          # 0xBF: XOFF1 (else read-only)
        Register("SCR", 0x1C, writable=BYTE),           # 0xBF: XOFF2
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
        Register("FCR_RD", 0x5C, access=RO),
        Register("EXTEND_ADD", 0x64, writable=BYTE),
        Register("RX_OFFSET", 0x68, access=RO),
        Register("TX_OFFSET", 0x6C, access=RO),
        Register("INTERRUPT_STA", 0x70, access=RO),
    )
    # Registers reached only through a bank of the offsets above: reset values.
    BANKED = {"DLL": 0, "DLM": 0, "FCR": 0, "EFR": 0,
              "XON1": 0, "XON2": 0, "XOFF1": 0, "XOFF2": 0}

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
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
        self.regs.update(self.BANKED)
        self.rx_fifo.clear()
        self.rx_wire.clear()
        self.thre_pending = False
        if self._rx_event is not None:
            self._rx_event.cancel()
            self._rx_event = None
        self.update()

    # -- state-derived values ----------------------------------------------------------
    def _bank(self) -> str:
        lcr = self.regs["LCR"]
        if lcr == ENHANCED_ACCESS:
            return "enhanced"
        return "dlab" if lcr & DLAB else "normal"

    @property
    def loopback(self) -> bool:
        return bool(self.regs["MCR"] & LOOP)

    @property
    def fifo_depth(self) -> int:
        return FIFO_DEPTH if self.regs["FCR"] & FIFOE else 1

    def _iir_id(self) -> int:
        ier = self.regs["IER"]
        if ier & ELSI and self.regs["LSR"] & OE:
            return IIR_LINE_STATUS
        if ier & ERBFI and self.rx_fifo:
            return IIR_RX_DATA
        if ier & ETBEI and self.thre_pending:
            return IIR_THR_EMPTY
        return IIR_NONE

    def update(self) -> None:
        self.irqs["irq"].set(self._iir_id() != IIR_NONE)

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
        if len(self.rx_fifo) >= self.fifo_depth:
            self.regs["LSR"] |= OE  # the new byte is lost; the FIFO keeps what it had
        else:
            self.rx_fifo.append(byte)
        self.update()

    # -- registers ---------------------------------------------------------------------
    def read_RBR(self) -> int:
        if self._bank() != "normal":
            return self.regs["DLL"]
        if self.rx_fifo:
            self.regs["RBR"] = self.rx_fifo.popleft()
            self.update()
        return self.regs["RBR"]

    def write_RBR(self, value: int) -> None:
        if self._bank() != "normal":
            self.regs["DLL"] = value & BYTE
            return
        byte = value & BYTE
        if self.loopback:
            self._rx_push(byte)
        else:
            self.port.transmit(bytes((byte,)), self.now_ns())
        self.thre_pending = True  # the byte left at once: THR is empty again

    def read_IER(self) -> int:
        return self.regs["DLM"] if self._bank() != "normal" else self.regs["IER"]

    def write_IER(self, value: int) -> None:
        if self._bank() != "normal":
            self.regs["DLM"] = value & BYTE
            return
        if value & ETBEI and not self.regs["IER"] & ETBEI:
            self.thre_pending = True  # enabling ETBEI with THR empty raises the interrupt
        self.regs["IER"] = value & BYTE

    def read_IIR(self) -> int:
        if self._bank() == "enhanced":
            return self.regs["EFR"]
        ident = self._iir_id()
        if ident == IIR_THR_EMPTY:
            self.thre_pending = False  # reading IIR acknowledges a THR-empty interrupt
            self.update()
        return ident | (IIR_FIFOS_ON if self.regs["FCR"] & FIFOE else 0)

    def write_IIR(self, value: int) -> None:
        if self._bank() == "enhanced":
            self.regs["EFR"] = value & BYTE
            return
        if (value ^ self.regs["FCR"]) & FIFOE or value & CLRR:
            self.rx_fifo.clear()  # switching FIFO mode also empties the FIFOs
        # CLRT has nothing to clear: the TX FIFO is always empty.
        self.regs["FCR"] = value & BYTE & ~(CLRR | CLRT)

    def read_MCR(self) -> int:
        return self.regs["XON1"] if self._bank() == "enhanced" else self.regs["MCR"]

    def write_MCR(self, value: int) -> None:
        self.regs["XON1" if self._bank() == "enhanced" else "MCR"] = value & BYTE

    def read_LSR(self) -> int:
        if self._bank() == "enhanced":
            return self.regs["XON2"]
        value = (DR if self.rx_fifo else 0) | (self.regs["LSR"] & OE) | THRE | TEMT
        if value & OE:
            self.regs["LSR"] &= ~OE  # error bits clear when LSR is read
            self.update()
        return value

    def write_LSR(self, value: int) -> None:
        if self._bank() == "enhanced":
            self.regs["XON2"] = value & BYTE
        else:
            self.guest_error(f"write of {value:#x} to read-only register LSR")

    def read_MSR(self) -> int:
        if self._bank() == "enhanced":
            return self.regs["XOFF1"]
        if not self.loopback:
            return 0  # no modem lines are modelled
        mcr = self.regs["MCR"]
        # Loopback wires DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD.
        return ((mcr & 0x01) << 5) | ((mcr & 0x02) << 3) | ((mcr & 0x0C) << 4)

    def write_MSR(self, value: int) -> None:
        if self._bank() == "enhanced":
            self.regs["XOFF1"] = value & BYTE
        else:
            self.guest_error(f"write of {value:#x} to read-only register MSR")

    def read_SCR(self) -> int:
        return self.regs["XOFF2"] if self._bank() == "enhanced" else self.regs["SCR"]

    def write_SCR(self, value: int) -> None:
        self.regs["XOFF2" if self._bank() == "enhanced" else "SCR"] = value & BYTE

    def read_FCR_RD(self) -> int:
        return self.regs["FCR"]

    def read_RX_OFFSET(self) -> int:
        return len(self.rx_fifo)

    # -- snapshots ---------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {"regs": dict(self.regs), "rx_fifo": bytes(self.rx_fifo),
                "rx_wire": bytes(self.rx_wire), "thre_pending": self.thre_pending}
