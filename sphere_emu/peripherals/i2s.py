"""MT3620 I2S controller (0x380D0000 / 0x380E0000) and its data port (0x380F0000 / 0x38100000).

The registers are those of mt3620-peripherals.md §8 (MediaTek ``hdl_i2s.h`` names). What
moves is the audio stream, in virtual time at the programmed sample rate:

- The downlink (TX, "DL") runs while GLB_CONTROL.I2S_EN and DL_CONTROL.DL_EN are set, the
  uplink (RX, "UL") while I2S_EN and UL_CONTROL.UL_EN. The rate is DL/UL_CONTROL bits 11:8
  (MediaTek's codes: 0 8 kHz, 2 12 kHz, 4 16 kHz, 6 24 kHz, 8 32 kHz, 10 48 kHz).
- A frame is one 32-bit word on the data port: the left sample in bits 15:0, the right in
  bits 31:16 (16-bit stereo, the layout of a 16-bit stereo WAV frame; ``bits per sample`` 1
  gives 32-bit samples, two words a frame).
- Frames move in chunks, never one event per frame: a clock event at the time a chunk's last
  frame is due moves the whole chunk, and the chunk ends where the connected DMA channel's
  next interrupt condition (threshold, half, done) is reached, so a driver's callbacks come
  at the frame they would on silicon. Reads of the block catch the stream up to the reading
  core's time first.
- TX frames come from the DL FIFO (CPU writes to the data port), then from the DMA channel
  connected to the port when DMA_IF_CONTROL's DL request is on; a frame nobody supplied is
  the empty value (DL_EMPTY_VALUE_LR with GLB.DL_EMPTY_VALUE_EN, else 0). They go to the
  block's sink (a WAV file, ``--i2s0 out=FILE.wav``).
- RX frames are the TX frames of the same instant in loopback (GLB_CONTROL.LOOPBACK), else
  the block's source (``--i2s0 in=FILE.wav``), else silence; they go to the DMA channel
  connected to the port when the UL request is on, else into the UL FIFO (CPU reads).

Choices where the record is silent are in docs/peripherals.md (I2S).
"""

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..clock import Event
from .dma_port import DmaPort
from .registers import (
    RO,
    WO,
    BusAccess,
    Peripheral,
    PeripheralContext,
    Register,
    peripheral_ref,
)

NS_PER_S = 1_000_000_000
RATES_HZ = {0x0: 8000, 0x2: 12000, 0x4: 16000, 0x6: 24000, 0x8: 32000, 0xA: 48000}
FIFO_WORDS = 32  # depth of each CPU-side FIFO (not documented: the model's choice)
MAX_CHUNK_FRAMES = 256  # a stream event moves at most this many frames
# GLB_CONTROL
I2S_EN, DL_EMPTY_VALUE_EN, LOOPBACK = 1 << 0, 1 << 22, 1 << 31
# DL/UL_CONTROL
LINK_EN = 1 << 0
# SW_RESET
SW_RST, GLB_SW_RST, DL_SW_RST, UL_SW_RST = 1 << 0, 1 << 1, 1 << 4, 1 << 8
# FIFO control words
ALMOST, FULL_OR_EMPTY, CLEAR, READY = 1 << 0, 1 << 1, 1 << 2, 1 << 24
# GLOBAL_INT_EN / _STS: DL full, DL empty, DL W_READY, DL R_READY, then UL at +8
DL_FULL, DL_EMPTY, DL_W_READY, DL_R_READY = 1 << 0, 1 << 1, 1 << 4, 1 << 5


class AudioSink(Protocol):
    """Where a downlink's frames go (a WAV file)."""

    def write(self, data: bytes, rate_hz: int, sample_bytes: int) -> None: ...

    def snapshot(self) -> dict[str, Any]: ...

    def restore(self, state: dict[str, Any]) -> None: ...


class AudioSource(Protocol):
    """Where an uplink's frames come from (a WAV file): ``frames`` frames of
    ``sample_bytes``-wide stereo samples, silence once it has run out."""

    def read(self, frames: int, sample_bytes: int) -> bytes: ...

    def snapshot(self) -> dict[str, Any]: ...

    def restore(self, state: dict[str, Any]) -> None: ...


@dataclass
class Stream:
    """One direction of the link: running since ``start_ns`` at ``rate_hz``."""

    tx: bool
    rate_hz: int = 0
    words_per_frame: int = 1
    start_ns: int = 0
    frames: int = 0  # frames moved since start_ns
    event: Event | None = None

    def due(self, now_ns: int) -> int:
        return (now_ns - self.start_ns) * self.rate_hz // NS_PER_S - self.frames

    def time_of(self, frame: int) -> int:
        """When frame number ``frame`` (counted from the start) has been clocked out."""
        return self.start_ns + -(-frame * NS_PER_S // self.rate_hz)


class Mt3620I2s(Peripheral):
    TYPE = "mt3620-i2s"
    IRQS = ("irq",)
    SIZE = 0x100  # +0x100 is the GPIO sub-block of the I2S pins
    STATE = ("dl", "ul", "tx", "rx", "_looped", "_looped_frames")

    def registers(self) -> list[Register]:
        return [
            Register("GLB_CONTROL", 0x00, writable=0xBFFDFFBF, write=self._write_glb),
            Register("DL_CONTROL", 0x04, writable=0x7FFEFFBF, write=self._write_dl),
            Register("UL_CONTROL", 0x08, writable=0xFFFFFFBF, write=self._write_ul),
            Register("SW_RESET", 0x0C, writable=0x113, write=self._write_sw_reset),
            Register("DL_FIFO_W_CONTROL", 0x10, writable=0xFF0004,
                     read=lambda: self._fifo_word(self.dl, write_side=True)),
            Register("DL_FIFO_R_CONTROL", 0x14, writable=0xFF0004,
                     read=lambda: self._fifo_word(self.dl, write_side=False)),
            Register("UL_FIFO_W_CONTROL", 0x18, writable=0xFF0004,
                     read=lambda: self._fifo_word(self.ul, write_side=True)),
            Register("UL_FIFO_R_CONTROL", 0x1C, writable=0xFF0004,
                     read=lambda: self._fifo_word(self.ul, write_side=False)),
            Register("DL_EMPTY_VALUE_LR", 0x20),
            Register("DL_EMPTY_VALUE_L1R1", 0x24),
            Register("DEBUG_CONTROL", 0x28),
            Register("DEBUG_PROBE", 0x2C, access=RO),
            Register("DMA_IF_CONTROL", 0x30, writable=0x80338013),
            Register("GLOBAL_INT_EN", 0x40, writable=0x3333),
            Register("GLOBAL_STS_CLR", 0x44, access=WO, writable=0x3333),
            Register("GLOBAL_INT_STS", 0x48, access=RO, read=self._status),
        ]

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.dl: deque[int] = deque()  # CPU-written TX words
        self.ul: deque[int] = deque()  # RX words for CPU reads
        self.tx = Stream(tx=True)
        self.rx = Stream(tx=False)
        self.dma: dict[bool, DmaPort] = {}  # to_peripheral -> the channel at the data port
        self.sink: AudioSink | None = None
        self.source: AudioSource | None = None
        self._looped: deque[bytes] = deque()  # TX frames an RX in loopback has not taken
        self._looped_frames = 0  # TX frames put in _looped since the RX started
        super().__init__(name, ctx)
        self.core_now = self.now_ns

    def snapshot(self) -> dict[str, Any]:
        """Registers, FIFOs and streams, plus how far the host's sink and source have got
        (the frames written so far, the read position), so a restored run goes on writing
        and reading where the original was."""
        state = super().snapshot()
        for name in ("sink", "source"):
            host = getattr(self, name)
            state[name] = host.snapshot() if host is not None else None
        return state

    def restore(self, state: dict[str, Any]) -> None:
        """Back to a ``snapshot``. A sink or source saved there goes on in the one attached
        here, if any (with none attached, as on a run without it, the frames go nowhere)."""
        for name in ("sink", "source"):
            host, saved = getattr(self, name), state.get(name)
            if host is not None and saved is not None:
                host.restore(saved)
        super().restore({k: v for k, v in state.items() if k not in ("sink", "source")})

    def use_core_time(self, now_ns: Callable[[], int]) -> None:
        """The time of the core accessing this shared block (set by the machine)."""
        self.core_now = now_ns

    def reset(self) -> None:
        super().reset()
        for stream in (self.tx, self.rx):
            self._stop(stream)
        self.dl.clear()
        self.ul.clear()
        self.update()

    # -- bus side ------------------------------------------------------------------------
    def read(self, offset: int, size: int, access: BusAccess) -> int:
        self.catch_up()
        return super().read(offset, size, access)

    def write(self, offset: int, size: int, value: int, access: BusAccess) -> None:
        self.catch_up()
        super().write(offset, size, value, access)

    def update(self) -> None:
        self.irqs["irq"].set(bool(self._status() & self.regs["GLOBAL_INT_EN"]))

    # -- the data port (Mt3620I2sPort forwards here) -----------------------------------
    def port_write(self, value: int) -> None:
        self.catch_up()
        if len(self.dl) >= FIFO_WORDS:
            self.guest_error(f"data port write of {value:#x} with the DL FIFO full: dropped")
            return
        self.dl.append(value)
        self.update()

    def port_read(self) -> int:
        self.catch_up()
        if not self.ul:
            self.guest_error("data port read with the UL FIFO empty")
            return 0
        value = self.ul.popleft()
        self.update()
        return value

    def dma_connect(self, to_peripheral: bool, port: DmaPort | None) -> None:
        self.catch_up()
        if port is None:
            self.dma.pop(to_peripheral, None)
        else:
            self.dma[to_peripheral] = port
        for stream in (self.tx, self.rx):
            if stream.rate_hz:
                self._schedule(stream)

    def dma_swptr(self, to_peripheral: bool) -> None:
        """The driver moved a ring's software pointer: the next interrupt condition moved,
        so the stream's next chunk ends somewhere else."""
        self.catch_up()
        stream = self.tx if to_peripheral else self.rx
        if stream.rate_hz:
            self._schedule(stream)

    # -- registers -----------------------------------------------------------------------
    def _write_glb(self, value: int) -> None:
        self.regs["GLB_CONTROL"] = value & 0xBFFDFFBF
        self._retime()

    def _write_dl(self, value: int) -> None:
        self.regs["DL_CONTROL"] = value & 0x7FFEFFBF
        self._retime()

    def _write_ul(self, value: int) -> None:
        self.regs["UL_CONTROL"] = value & 0xFFFFFFBF
        self._retime()

    def _write_sw_reset(self, value: int) -> None:
        rising = value & ~self.regs["SW_RESET"]
        self.regs["SW_RESET"] = value & 0x113
        if rising & (SW_RST | GLB_SW_RST | DL_SW_RST):
            self.dl.clear()
        if rising & (SW_RST | GLB_SW_RST | UL_SW_RST):
            self.ul.clear()

    def _fifo_word(self, fifo: deque[int], write_side: bool) -> int:
        name = ("DL" if fifo is self.dl else "UL") + ("_FIFO_W_CONTROL" if write_side
                                                      else "_FIFO_R_CONTROL")
        stored = self.regs[name]
        threshold = (stored >> 16) & 0xFF
        count = len(fifo)
        if write_side:
            flags = (ALMOST if threshold and count >= threshold else 0) | \
                (FULL_OR_EMPTY if count >= FIFO_WORDS else 0) | \
                (READY if count < FIFO_WORDS else 0)
        else:
            flags = (ALMOST if count <= threshold else 0) | \
                (FULL_OR_EMPTY if not count else 0) | (READY if count else 0)
        return flags | (stored & (CLEAR | 0xFF0000)) | count << 8

    def _status(self) -> int:
        status = 0
        for fifo, shift in ((self.dl, 0), (self.ul, 8)):
            n = len(fifo)
            status |= ((DL_FULL if n >= FIFO_WORDS else 0) | (DL_EMPTY if not n else 0) |
                       (DL_W_READY if n < FIFO_WORDS else 0) | (DL_R_READY if n else 0)) << shift
        return status

    # -- the streams ---------------------------------------------------------------------
    def _link_rate(self, control: str) -> int:
        """The stream's rate if it should run now, else 0."""
        word = self.regs[control]
        if not (self.regs["GLB_CONTROL"] & I2S_EN and word & LINK_EN):
            return 0
        code = (word >> 8) & 0xF
        if code not in RATES_HZ:
            self.guest_error(f"{control}: sample-rate code {code:#x} is not one of "
                             f"{sorted(RATES_HZ)}: the link stays idle")
            return 0
        return RATES_HZ[code]

    def _retime(self) -> None:
        for stream, control in ((self.tx, "DL_CONTROL"), (self.rx, "UL_CONTROL")):
            rate = self._link_rate(control)
            words = 2 if (self.regs[control] >> 13) & 3 else 1
            if rate == stream.rate_hz and words == stream.words_per_frame:
                continue
            self._stop(stream)
            if rate:
                stream.rate_hz, stream.words_per_frame = rate, words
                stream.start_ns, stream.frames = self.core_now(), 0
                if not stream.tx:
                    self._looped.clear()
                    self._looped_frames = 0
                self._schedule(stream)

    def _stop(self, stream: Stream) -> None:
        if stream.event is not None:
            stream.event.cancel()
        stream.event = None
        stream.rate_hz = 0

    def _dma_port(self, stream: Stream) -> DmaPort | None:
        dmaif = self.regs["DMA_IF_CONTROL"]
        requested = dmaif & 0x3 if stream.tx else (dmaif >> 16) & 0x3
        return self.dma.get(stream.tx) if requested else None

    def _schedule(self, stream: Stream) -> None:
        """The next event: when the chunk up to the DMA channel's next interrupt is due."""
        if stream.event is not None:
            stream.event.cancel()
        chunk = MAX_CHUNK_FRAMES
        port = self._dma_port(stream)
        if port is not None:
            distance = getattr(port, "until_interrupt", lambda: None)()
            if distance:
                chunk = max(1, min(chunk, -(-distance // (4 * stream.words_per_frame))))
        stream.event = self.clock.schedule_at(stream.time_of(stream.frames + chunk),
                                              self._tick, stream.tx)

    def _tick(self, tx: bool) -> None:
        stream = self.tx if tx else self.rx
        stream.event = None
        self._advance(stream, self.clock.now_ns)
        if stream.rate_hz:
            self._schedule(stream)

    def catch_up(self) -> None:
        """Move the frames due by the accessing core's time (a poll sees them on time)."""
        now = self.core_now()
        for stream in (self.tx, self.rx):
            if stream.rate_hz and stream.due(now) > 0:
                self._advance(stream, now)

    def _advance(self, stream: Stream, now_ns: int) -> None:
        frames = stream.due(now_ns)
        if frames <= 0:
            return
        if stream.tx:
            self._clock_out(stream, frames)
        else:
            if self.regs["GLB_CONTROL"] & LOOPBACK and self.tx.rate_hz:
                self._advance(self.tx, now_ns)  # the frames the RX samples exist first
            self._clock_in(stream, frames)
        stream.frames += frames

    def _clock_out(self, stream: Stream, frames: int) -> None:
        nbytes = 4 * stream.words_per_frame * frames
        data = bytearray()
        while self.dl and len(data) < nbytes:
            data += self.dl.popleft().to_bytes(4, "little")
        port = self._dma_port(stream)
        if port is not None and len(data) < nbytes:
            data += port.take(nbytes - len(data))
        if len(data) < nbytes:  # underrun: the line carries the empty value
            glb = self.regs["GLB_CONTROL"]
            empty = self.regs["DL_EMPTY_VALUE_LR"] if glb & DL_EMPTY_VALUE_EN else 0
            data += empty.to_bytes(4, "little") * ((nbytes - len(data)) // 4)
        if self.sink is not None:
            self.sink.write(bytes(data), stream.rate_hz, 2 * stream.words_per_frame)
        if self.regs["GLB_CONTROL"] & LOOPBACK and self.rx.rate_hz:
            self._looped.append(bytes(data))
            self._looped_frames += frames
        self.update()

    def _clock_in(self, stream: Stream, frames: int) -> None:
        nbytes = 4 * stream.words_per_frame * frames
        if self.regs["GLB_CONTROL"] & LOOPBACK:
            data = bytearray()
            while self._looped and len(data) < nbytes:
                data += self._looped.popleft()
            if len(data) > nbytes:  # keep the rest for the next RX chunk
                self._looped.appendleft(bytes(data[nbytes:]))
                del data[nbytes:]
            data += bytes(nbytes - len(data))
        elif self.source is not None:
            data = bytearray(self.source.read(frames, 2 * stream.words_per_frame))
        else:
            data = bytearray(nbytes)
        port = self._dma_port(stream)
        if port is not None:
            given = port.give(bytes(data))
            if given < nbytes:
                self.guest_error(f"UL overrun: the DMA ring had room for {given} of "
                                 f"{nbytes} bytes")
        else:
            for i in range(0, nbytes, 4):
                if len(self.ul) < FIFO_WORDS:
                    self.ul.append(int.from_bytes(data[i:i + 4], "little"))
        self.update()


class Mt3620I2sPort(Peripheral):
    """The data port of an I2S block (its ``i2s`` option): the DMA channels' FIXADDR;
    a CPU write queues a TX word, a read takes an RX word."""

    TYPE = "mt3620-i2s-port"
    SIZE = 0x10000
    OPTIONS = {"i2s": peripheral_ref}

    def __init__(self, name: str, ctx: PeripheralContext) -> None:
        self.i2s: Mt3620I2s | None = None
        super().__init__(name, ctx)

    def link(self, option: str, other: Peripheral) -> None:
        if not isinstance(other, Mt3620I2s):
            raise TypeError(f"{self.name}: option {option} must name an mt3620-i2s block")
        self.i2s = other

    def read(self, offset: int, size: int, access: BusAccess) -> int:
        return self.i2s.port_read() if self.i2s is not None else 0

    def write(self, offset: int, size: int, value: int, access: BusAccess) -> None:
        if self.i2s is not None:
            self.i2s.port_write(value)

    def dma_connect(self, offset: int, to_peripheral: bool, port: DmaPort | None) -> None:
        if self.i2s is not None:
            self.i2s.dma_connect(to_peripheral, port)

    def dma_swptr(self, offset: int, to_peripheral: bool) -> None:
        if self.i2s is not None:
            self.i2s.dma_swptr(to_peripheral)
