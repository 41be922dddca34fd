"""MT3620 ISU I2C (ISU + 0x200): the master's packet engine, its FIFOs and a slave.

A master transaction is up to three packets (PACK_CON0), each an address phase plus
PKn bytes, written or read. Setting MM_CON0.START_EN starts it: BUS_BUSY goes high and the
whole transaction completes at the virtual time its bit count takes at the programmed SCL
rate (9 bits per byte plus start and stop), when the devices on the bus see it. Then ACK_VAL
holds the NACKs (bit 8+k: packet k's address, bit i: data byte i), the RX FIFO (or the RX
DMA channel) holds what was read, MM_INT_STA is set and the level interrupt follows
STA & EN. An address nobody answers is NACKed and the transaction still completes.

Timing: SCL = 40 MHz / sum(phase + 1) over the four phase fields of MM_CNT_VAL_PHL/PHH
(MediaTek's source clock; Codethink assumes 26 MHz — docs/peripherals.md).

With DMA_CON0.HS_EN the write bytes come from the DMA channel connected at MM_FIFO_DATA
(ISU TX channel) instead of the TX FIFO, and read bytes go to the RX channel: the >8-byte
path both published drivers use.

The slave (S_CON0.SLAVE_EN) answers at S_ID_CON0 on the same bus: a master write lands in
its RX FIFO, a master read drains its TX FIFO (0xFF when empty); each completed slave
transaction sets S_INT_STA.
"""

from collections import deque
from typing import Any

from ..devices.i2c import I2cBus, I2cDevice
from .dma_port import DmaPort
from .registers import (
    RO,
    SC,
    W1C,
    Field,
    Peripheral,
    PeripheralContext,
    Register,
    peripheral_ref,
)
from .timed_transfer import TimedTransferBlock

SOURCE_CLOCK_HZ = 40_000_000
FIFO_DEPTH = 8
MM_INT_STA = Field("MM_INT_STA", 0, access=W1C)  # INT_CTRL
MM_INT_EN = Field("MM_INT_EN", 1)
MM_INT_MSK = Field("MM_INT_MSK", 2)
S_INT_STA = Field("S_INT_STA", 4, access=W1C)
S_INT_EN = Field("S_INT_EN", 5)
S_INT_MSK = Field("S_INT_MSK", 6)
BUS_BUSY = Field("BUS_BUSY", 0, access=RO)  # MM_STATUS
ARB_LOSE = Field("MM_ARB_LOSE", 1, access=W1C)
MM_START_READY = Field("MM_START_READY", 2, access=RO, reset=1)
SLAVE_EN = Field("SLAVE_EN", 15)  # S_CON0
START_EN, GMODE, MASTER_EN = 0x1, 1 << 14, 1 << 15  # MM_CON0
CLR_RX, CLR_TX = 0x1, 0x2  # FIFO_CON0
DMA_HS_EN, DMA_HS_SLAVE = 1 << 4, 1 << 5  # DMA_CON0
MM_FIFO_DATA, S_FIFO_DATA = 0x90, 0xF0


class I2cFifos:
    """An 8-byte RX and TX FIFO pair with the pointer and status views drivers read."""

    STATE = ("rx", "tx", "rx_rptr", "rx_wptr", "rx_flags", "tx_rptr", "tx_wptr", "tx_flags")

    def __init__(self) -> None:
        self.rx: deque[int] = deque()
        self.tx: deque[int] = deque()
        self.clear(CLR_RX | CLR_TX)

    def clear(self, which: int) -> None:
        if which & CLR_RX:
            self.rx.clear()
            self.rx_rptr = self.rx_wptr = 0
            self.rx_flags = 0
        if which & CLR_TX:
            self.tx.clear()
            self.tx_rptr = self.tx_wptr = 0
            self.tx_flags = 0

    def push_tx(self, byte: int) -> None:
        if len(self.tx) >= FIFO_DEPTH:
            self.tx_flags |= 0x80  # TX_OVF
            return
        self.tx.append(byte & 0xFF)
        self.tx_wptr = (self.tx_wptr + 1) & 0xF

    def pop_tx(self, count: int) -> bytes:
        n = min(count, len(self.tx))
        if n < count:
            self.tx_flags |= 0x40  # TX_UDR
        out = bytes(self.tx.popleft() for _ in range(n))
        self.tx_rptr = (self.tx_rptr + n) & 0xF
        return out

    def push_rx(self, data: bytes) -> None:
        room = FIFO_DEPTH - len(self.rx)
        if len(data) > room:
            self.rx_flags |= 0x08  # RX_OVF
        self.rx.extend(data[:room])
        self.rx_wptr = (self.rx_wptr + min(room, len(data))) & 0xF

    def pop_rx(self) -> int:
        if not self.rx:
            self.rx_flags |= 0x04  # RX_UDR
            return 0
        self.rx_rptr = (self.rx_rptr + 1) & 0xF
        return self.rx.popleft()

    def status(self) -> int:
        return ((0x01 if not self.rx else 0) | (0x02 if len(self.rx) >= FIFO_DEPTH else 0)
                | self.rx_flags | (0x10 if not self.tx else 0)
                | (0x20 if len(self.tx) >= FIFO_DEPTH else 0) | self.tx_flags)

    def pointers(self) -> int:
        return self.rx_rptr | self.rx_wptr << 4 | self.tx_rptr << 8 | self.tx_wptr << 12


class _SlaveEnd(I2cDevice):
    """The ISU's own slave function as a device on its bus."""

    def __init__(self, block: "Mt3620I2c") -> None:
        self.name = f"{block.name} slave"
        self.address = 0
        self.block = block

    def i2c_start(self, read: bool) -> bool:
        b = self.block
        b.regs["S_ID_RECEIVED0"] = b.regs["S_ID_CON0"] & 0x7F | (0x80 if read else 0)
        return True

    def i2c_write(self, data: bytes) -> int:
        port = self.block.dma.get((S_FIFO_DATA, False))
        if port is not None and self.block.regs["DMA_CON0"] & DMA_HS_SLAVE:
            port.give(data)
        else:
            self.block.slave.push_rx(data)
        return len(data)

    def i2c_read(self, count: int) -> bytes:
        data = self.block.slave.pop_tx(count)
        return data + b"\xff" * (count - len(data))

    def i2c_stop(self) -> None:
        self.block.regs["INT_CTRL"] |= S_INT_STA.mask
        self.block.update()


class Mt3620I2c(TimedTransferBlock):
    TYPE = "mt3620-i2c"
    STATE = (*TimedTransferBlock.STATE, "master", "slave")
    IRQS = ("irq",)
    SIZE = 0x100
    OPTIONS = {"isu": peripheral_ref}

    def registers(self) -> list[Register]:
        return [
            Register("INT_CTRL", 0x00, fields=(
                MM_INT_STA, MM_INT_EN, MM_INT_MSK, S_INT_STA, S_INT_EN, S_INT_MSK)),
            Register("MM_PAD_CON0", 0x40, writable=0xFF),
            Register("MM_CNT_VAL_PHL", 0x44, writable=0xFFFF),
            Register("MM_CNT_VAL_PHH", 0x48, writable=0xFFFF),
            Register("MM_CNT_BYTE_VAL_PK0", 0x54, writable=0xFFFF),
            Register("MM_CNT_BYTE_VAL_PK1", 0x58, writable=0xFFFF),
            Register("MM_CNT_BYTE_VAL_PK2", 0x5C, writable=0xFFFF),
            Register("MM_ID_CON0", 0x60, writable=0x7F),
            Register("MM_PACK_CON0", 0x68, writable=0x37),
            Register("MM_ACK_VAL", 0x6C, access=RO),
            Register("MM_CON0", 0x70, writable=START_EN | GMODE | MASTER_EN,
                     write=self._write_mm_con0),
            Register("MM_STATUS", 0x74, access=RO, fields=(
                BUS_BUSY, ARB_LOSE, MM_START_READY)),
            Register("MM_FIFO_CON0", 0x78, access=SC, writable=CLR_RX | CLR_TX,
                     write=self.master.clear),
            Register("MM_FIFO_STATUS", 0x80, access=RO, read=self.master.status),
            Register("MM_FIFO_PTR", 0x84, access=RO, read=self.master.pointers),
            Register("MM_FIFO_DATA", 0x90, read=self.master.pop_rx,
                     write=self.master.push_tx),
            Register("DMA_CON0", 0xC0, writable=DMA_HS_EN | DMA_HS_SLAVE),
            Register("S_CON0", 0xC4, writable=0xFFFF, fields=(
                SLAVE_EN.on(write=lambda _: self._attach_slave()),)),
            Register("S_ID_CON0", 0xC8, writable=0x7F, reset=0x20,
                     write=self._write_s_id_con0),
            Register("S_ID_RECEIVED0", 0xCC, access=RO),
            Register("S_ID_RECEIVED1", 0xD0, access=RO),
            Register("S_FIFO_CON0", 0xD8, access=SC, writable=CLR_RX | CLR_TX,
                     write=self.slave.clear),
            Register("S_FIFO_STATUS", 0xE0, access=RO, read=self.slave.status),
            Register("S_FIFO_PTR", 0xE4, access=RO, read=self.slave.pointers),
            Register("S_FIFO_DATA", 0xF0, read=self.slave.pop_rx, write=self.slave.push_tx),
        ]

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.master = I2cFifos()
        self.slave = I2cFifos()
        self.dma: dict[tuple[int, bool], DmaPort] = {}  # (offset, to_peripheral) -> port
        self._slave_end: _SlaveEnd | None = None
        super().__init__(name, ctx)
        self.bus = I2cBus(name)

    def reset(self) -> None:
        super().reset()
        self.master.clear(CLR_RX | CLR_TX)
        self.slave.clear(CLR_RX | CLR_TX)
        if self._done is not None:
            self._done.cancel()
            self._done = None
        self.update()

    def time_sources(self) -> dict[int, Any]:
        """INT_CTRL, MM_CON0, MM_STATUS and the master FIFO's status and pointers."""
        return self._transfer_status((0x00, 0x70, 0x74, 0x80, 0x84))

    def update(self) -> None:
        ctrl = self.regs["INT_CTRL"]
        self.irqs["irq"].set(bool(MM_INT_STA.get(ctrl) and MM_INT_EN.get(ctrl))
                             or bool(S_INT_STA.get(ctrl) and S_INT_EN.get(ctrl)))

    def link(self, option: str, other: Peripheral) -> None:
        """The ``isu`` option: the ISU whose function this block is."""
        self.isu = other

    def isu_function(self) -> str | None:
        """How the board uses this block's ISU (None: not said)."""
        return getattr(self.isu, "function", None) if self.isu is not None else None

    def i2c_attach(self, device: Any) -> None:
        """A board device on this bus (``devices:`` with ``bus: isuN-i2c``)."""
        self.bus.attach(device.part)

    def dma_connect(self, offset: int, to_peripheral: bool, port: DmaPort | None) -> None:
        if port is None:
            self.dma.pop((offset, to_peripheral), None)
        else:
            self.dma[(offset, to_peripheral)] = port

    # -- the master's transaction ------------------------------------------------------
    def scl_hz(self) -> float:
        phl, phh = self.regs["MM_CNT_VAL_PHL"], self.regs["MM_CNT_VAL_PHH"]
        cycles = sum(((v >> s) & 0xFF) + 1 for v in (phl, phh) for s in (0, 8))
        return SOURCE_CLOCK_HZ / cycles

    def _packets(self) -> list[tuple[bool, int]]:
        pack = self.regs["MM_PACK_CON0"]
        count = min(((pack >> 4) & 3) + 1, 3)
        return [(bool(pack >> k & 1), self.regs[f"MM_CNT_BYTE_VAL_PK{k}"]) for k in range(count)]

    def _write_mm_con0(self, value: int) -> None:
        self.regs["MM_CON0"] = value & (START_EN | GMODE | MASTER_EN)
        if value & START_EN and value & MASTER_EN and self._done is None:
            packets = self._packets()
            bits = sum(1 + 9 + 9 * length for _, length in packets) + 1
            duration = round(bits * 1e9 / self.scl_hz())
            self.regs["MM_STATUS"] = BUS_BUSY.mask
            self._done = self.clock.schedule_at(self.core_now() + duration, self._complete)
        elif value & START_EN:
            self.guest_error("MM_CON0.START_EN without MASTER_EN (or while busy): ignored")
            self.regs["MM_CON0"] &= ~START_EN

    def _complete(self, at_ns: int | None = None) -> None:
        self._done = None
        self._bus_time = at_ns if at_ns is not None else self.clock.now_ns
        try:
            self._transfer()
        finally:
            self._bus_time = None

    def _transfer(self) -> None:
        address = self.regs["MM_ID_CON0"] & 0x7F
        use_dma = bool(self.regs["DMA_CON0"] & DMA_HS_EN)
        tx_port = self.dma.get((MM_FIFO_DATA, True)) if use_dma else None
        rx_port = self.dma.get((MM_FIFO_DATA, False)) if use_dma else None
        ack = 0
        data_index = 0
        for k, (read, length) in enumerate(self._packets()):
            if not self.bus.start(address, read):
                ack |= 1 << (8 + k)
                break
            if read:
                data = self.bus.read(length)
                if rx_port is not None:
                    rx_port.give(data)
                else:
                    self.master.push_rx(data)
            else:
                source = tx_port.take if tx_port is not None else self.master.pop_tx
                data = source(length)
                acked = self.bus.write(data)
                if acked < len(data):
                    if data_index + acked < 8:
                        ack |= 1 << (data_index + acked)
                    break
            data_index += length
        self.bus.stop()
        self.regs["MM_ACK_VAL"] = ack
        self.regs["MM_CON0"] &= ~START_EN
        self.regs["MM_STATUS"] = MM_START_READY.mask
        self.regs["INT_CTRL"] |= MM_INT_STA.mask
        self.update()

    # -- registers ---------------------------------------------------------------------
    def _write_s_id_con0(self, value: int) -> None:
        self.regs["S_ID_CON0"] = value & 0x7F
        self._attach_slave()

    def _attach_slave(self) -> None:
        """Answer on the bus at S_ID_CON0 while SLAVE_EN."""
        if self._slave_end is not None:
            self.bus.devices.pop(self._slave_end.address, None)
            self._slave_end = None
        if SLAVE_EN.get(self.regs["S_CON0"]):
            end = _SlaveEnd(self)
            end.address = self.regs["S_ID_CON0"] & 0x7F
            if end.address in self.bus.devices:
                self.guest_error(f"slave address {end.address:#04x} is taken by "
                                 f"{self.bus.devices[end.address].name}: slave not attached")
                return
            self.bus.devices[end.address] = end
            self._slave_end = end

    def restore(self, state: dict[str, Any]) -> None:
        super().restore(state)
        self._attach_slave()  # the slave end answers as S_CON0/S_ID_CON0 say
