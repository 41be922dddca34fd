"""MT3620 UART model, register level: what a driver sees through the 16550-style registers."""

import logging

import pytest

from sphere_emu.clock import Clock
from sphere_emu.peripherals.registers import BusAccess, PeripheralContext
from sphere_emu.peripherals.uart import Mt3620Uart
from sphere_emu.serial import SerialHub

RBR, IER, IIR, LCR, MCR, LSR, MSR, SCR = 0x00, 0x04, 0x08, 0x0C, 0x10, 0x14, 0x18, 0x1C
HIGHSPEED, SAMPLE_COUNT, SAMPLE_POINT, FRACDIV_L, FRACDIV_M = 0x24, 0x28, 0x2C, 0x54, 0x58
FCR_RD, RX_OFFSET, TX_OFFSET = 0x5C, 0x68, 0x6C
WHO = BusAccess("io0")
# The sample drivers' 115200 set-up: 26 MHz / (1 * 225) baud, 10-bit frames.
CHAR_NS_115200 = -(-10 * 1_000_000_000 * 225 // 26_000_000)


class Levels:
    """Stands in for an interrupt controller: records the line's level changes."""

    def __init__(self) -> None:
        self.history: list[bool] = []

    def set_irq_level(self, irq: int, level: bool) -> None:
        self.history.append(level)

    @property
    def level(self) -> bool:
        return bool(self.history) and self.history[-1]


class Uart:
    def __init__(self, name: str = "io0-uart") -> None:
        self.clock = Clock()
        self.hub = SerialHub(self.clock)
        self.model = Mt3620Uart(name, PeripheralContext(clock=self.clock, serial=self.hub))
        self.port = self.hub.ports[name]
        self.irq = Levels()
        self.model.irqs["irq"].connect(self.irq, 4)

    def r(self, offset: int) -> int:
        return self.model.read(offset, 4, WHO)

    def w(self, offset: int, value: int) -> None:
        self.model.write(offset, 4, value, WHO)

    def init_115200(self, fifo: bool = True) -> None:
        """The Microsoft RT samples' sequence, as firmware/rt/print.c does it."""
        self.w(LCR, 0xBF)
        self.w(IIR, 0x10)  # EFR
        self.w(LCR, 0x80)
        self.w(HIGHSPEED, 3)
        self.w(IER, 0)  # DLM
        self.w(RBR, 1)  # DLL
        self.w(SAMPLE_COUNT, 224)
        self.w(SAMPLE_POINT, 110)
        self.w(FRACDIV_M, 0)
        self.w(FRACDIV_L, 223)
        self.w(LCR, 0x03)
        self.w(IIR, 0x07 if fifo else 0x00)  # FCR

    def wait_chars(self, n: float) -> None:
        self.clock.advance_to(self.clock.now_ns + round(n * CHAR_NS_115200))


@pytest.fixture
def u() -> Uart:
    uart = Uart()
    uart.init_115200()
    return uart


def test_port_exists_before_the_guest_sends_anything():
    uart = Uart("isu3-uart")
    assert "isu3-uart" in uart.hub.ports
    assert uart.port.receiver is not None


def test_polled_output_reaches_the_port_and_thre_stays_set(u):
    for ch in b"hi\r\n":
        assert u.r(LSR) & 0x60 == 0x60
        u.w(RBR, ch)
    assert bytes(u.port.output) == b"hi\r\n"
    assert u.r(TX_OFFSET) == 0


def test_divisor_latch_banks_do_not_transmit_or_touch_ier(u):
    u.w(IER, 0x01)
    u.w(LCR, 0x83)
    u.w(RBR, 0x42)
    u.w(IER, 0x07)
    assert (u.r(RBR), u.r(IER)) == (0x42, 0x07)
    u.w(LCR, 0x03)
    assert u.r(IER) == 0x01
    assert u.port.output == b""
    assert u.model.regs["DLL"] == 0x42 and u.model.regs["DLM"] == 0x07


def test_enhanced_bank_holds_efr_and_xon_xoff_separately(u):
    u.w(MCR, 0x03)
    u.w(SCR, 0x5A)
    u.w(LCR, 0xBF)
    u.w(IIR, 0xD0)
    for offset, value in ((MCR, 0x11), (LSR, 0x13), (MSR, 0x22), (SCR, 0x33)):
        u.w(offset, value)
    assert [u.r(o) for o in (IIR, MCR, LSR, MSR, SCR)] == [0xD0, 0x11, 0x13, 0x22, 0x33]
    u.w(LCR, 0x03)
    assert (u.r(MCR), u.r(SCR)) == (0x03, 0x5A)
    assert u.r(FCR_RD) == 0x01  # EFR writes did not reach FCR (0x07 minus self-clearing bits)
    assert u.r(IIR) & 0x0F == 0x01


def test_host_bytes_arrive_one_character_time_apart(u):
    u.port.inject(b"ab")
    u.wait_chars(0.99)
    assert not u.r(LSR) & 0x01
    u.wait_chars(0.02)
    assert u.r(LSR) & 0x01 and u.r(RX_OFFSET) == 1
    u.wait_chars(1)
    assert (u.r(RBR), u.r(RBR)) == (ord("a"), ord("b"))
    assert not u.r(LSR) & 0x01


def test_character_time_follows_divisor_and_frame():
    uart = Uart()
    uart.w(LCR, 0x80)
    uart.w(RBR, 169)  # 26 MHz / (16 * 169) = 9615 baud, HIGHSPEED 0
    uart.w(LCR, 0x03 | 0x04 | 0x08)  # 8 data, parity, 2 stop: 12 bits
    assert uart.model.char_time_ns() == -(-12 * 10**9 * 169 * 16 // 26_000_000)


def test_rx_interrupt_follows_data_ready(u):
    u.w(IER, 0x01)
    u.port.inject(b"x")
    assert not u.irq.level
    u.wait_chars(1)
    assert u.irq.level
    assert u.r(IIR) & 0x0F == 0x04
    assert u.r(RBR) == ord("x")
    assert not u.irq.level and u.r(IIR) & 0x0F == 0x01


def test_thr_empty_interrupt_is_acknowledged_by_reading_iir(u):
    u.w(IER, 0x02)
    assert u.irq.level
    assert u.r(IIR) == 0xC2  # THR empty, FIFOs enabled
    assert not u.irq.level
    assert u.r(IIR) == 0xC1
    u.w(RBR, ord("z"))  # a THR write re-arms it
    assert u.irq.level and u.r(IIR) & 0x0F == 0x02
    u.w(IER, 0x00)
    u.w(IER, 0x02)  # so does re-enabling ETBEI
    assert u.irq.level


def test_iir_reports_the_highest_priority_source(u):
    u.w(IER, 0x07)
    u.port.inject(bytes(17))
    u.wait_chars(17)
    assert u.r(IIR) & 0x0F == 0x06  # receiver line status (overrun) first
    assert u.r(LSR) & 0x02
    assert u.r(IIR) & 0x0F == 0x04  # then received data
    for _ in range(16):
        u.r(RBR)
    assert u.r(IIR) & 0x0F == 0x02  # then THR empty
    assert u.r(IIR) & 0x0F == 0x01


def test_rx_fifo_overrun_keeps_sixteen_bytes_and_sets_oe_once(u):
    u.port.inject(bytes(range(20)))
    u.wait_chars(20)
    lsr = u.r(LSR)
    assert lsr & 0x03 == 0x03
    assert not u.r(LSR) & 0x02  # OE clears when LSR is read
    assert [u.r(RBR) for _ in range(16)] == list(range(16))
    assert not u.r(LSR) & 0x01


def test_a_guest_that_keeps_up_never_overruns(u):
    u.port.inject(bytes(range(64)))
    got = []
    for _ in range(64):
        u.wait_chars(1)
        while u.r(LSR) & 0x01:
            got.append(u.r(RBR))
    assert got == list(range(64))
    assert not u.r(LSR) & 0x02


def test_without_fifo_the_receiver_holds_one_byte():
    uart = Uart()
    uart.init_115200(fifo=False)
    uart.port.inject(b"12")
    uart.wait_chars(2)
    assert uart.r(LSR) & 0x03 == 0x03
    assert uart.r(RBR) == ord("1")
    assert uart.r(IIR) & 0xC0 == 0


def test_fcr_clears_the_rx_fifo(u):
    u.port.inject(b"abc")
    u.wait_chars(3)
    u.w(IIR, 0x03)
    assert not u.r(LSR) & 0x01
    assert u.r(FCR_RD) == 0x01


def test_loopback_returns_tx_to_rx_and_not_to_the_host(u):
    u.w(MCR, 0x10 | 0x03)
    for ch in b"loop":
        u.w(RBR, ch)
    assert u.port.output == b""
    assert bytes(u.r(RBR) for _ in range(4)) == b"loop"
    assert u.r(MSR) == 0x30  # DTR -> DSR, RTS -> CTS
    u.w(MCR, 0x00)
    u.w(RBR, ord("!"))
    assert u.port.output == b"!"


def test_guest_mistakes_are_logged_by_register_name(u, caplog):
    with caplog.at_level(logging.WARNING, "sphere_emu.peripherals"):
        u.w(LSR, 0xFF)
        u.w(FCR_RD, 1)
        u.r(0x80)
    text = caplog.text
    assert "io0-uart" in text and "LSR" in text and "FCR_RD" in text and "0x80" in text
    assert u.r(LSR) == 0x60


def test_reset_drops_pending_input(u):
    u.port.inject(b"abc")
    u.wait_chars(1)
    u.model.reset()
    u.wait_chars(5)
    assert not u.r(LSR) & 0x01
    assert not u.irq.level
