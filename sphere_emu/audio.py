"""Audio on the host: WAV files as the I2S blocks' sinks and sources (``--i2s0 out=FILE.wav``,
``--i2s0 in=FILE.wav``).

A source is read and checked before anything runs (a file that is not 16- or 32-bit PCM WAV
is a one-line error); a sink collects the frames the downlink clocks out and is written when
the run ends, to a temporary file renamed over FILE, so a reader never sees half a file.
"""

import io
import os
import tempfile
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SphereEmuError
from .files import read_file

DIRECTIONS = ("out", "in")
DEFAULT_RATE_HZ = 48000  # the header of a sink whose link never ran


@dataclass(frozen=True)
class AudioSpec:
    """What one ``--i2sN`` option asked for."""

    block: str
    out: Path | None = None
    source: "WavSource | None" = None


def parse_audio_options(block: str, values: tuple[str, ...]) -> AudioSpec | None:
    """``--BLOCK out=FILE`` / ``in=FILE`` (repeatable, one of each at most)."""
    if not values:
        return None
    seen: dict[str, str] = {}
    for value in values:
        key, sep, path = value.partition("=")
        if not sep or key not in DIRECTIONS or not path:
            raise SphereEmuError(f"--{block} {value!r}: expected out=FILE.wav or in=FILE.wav")
        if key in seen:
            raise SphereEmuError(f"--{block}: {key}= given twice ({seen[key]}, {path})")
        seen[key] = path
    out = Path(seen["out"]) if "out" in seen else None
    if out is not None and not out.parent.is_dir():
        raise SphereEmuError(f"--{block} out={out}: no such directory {out.parent}")
    source = WavSource.load(seen["in"]) if "in" in seen else None
    return AudioSpec(block, out, source)


class WavSource:
    """The frames of a PCM WAV file, handed out as stereo samples of the width asked for
    (mono is duplicated, 16 <-> 32 bits shifted); silence after the last frame."""

    def __init__(self, path: Path, channels: int, width: int, rate_hz: int, data: bytes):
        self.path, self.channels, self.width, self.rate_hz = path, channels, width, rate_hz
        self._data = data
        self._converted: dict[int, bytes] = {}
        self._pos: dict[int, int] = {}  # sample width -> frames handed out

    @classmethod
    def load(cls, path: str | Path) -> "WavSource":
        path = Path(path)
        raw = read_file(path, "WAV file")
        try:
            with wave.open(io.BytesIO(raw), "rb") as wav:
                channels, width = wav.getnchannels(), wav.getsampwidth()
                rate, frames = wav.getframerate(), wav.readframes(wav.getnframes())
        except (wave.Error, EOFError, ValueError) as err:
            raise SphereEmuError(f"{path}: not a readable WAV file ({str(err) or 'truncated'})") \
                from None
        if width not in (2, 4) or channels not in (1, 2):
            raise SphereEmuError(f"{path}: {8 * width}-bit {channels}-channel WAV: the I2S "
                                 "source takes 16- or 32-bit PCM, mono or stereo")
        if len(frames) % (width * channels):
            raise SphereEmuError(f"{path}: not a readable WAV file (truncated frame data)")
        return cls(path, channels, width, rate, frames)

    def _stereo(self, width: int) -> bytes:
        data = self._converted.get(width)
        if data is None:
            samples = array("h" if self.width == 2 else "i", self._data)
            if width != self.width:
                values = ((v << 16) if width == 4 else (v >> 16) for v in samples)
                samples = array("h" if width == 2 else "i", values)
            if self.channels == 1:
                stereo = array(samples.typecode, bytes(2 * len(samples) * width))
                stereo[0::2] = samples
                stereo[1::2] = samples
                samples = stereo
            data = self._converted[width] = samples.tobytes()
        return data

    def snapshot(self) -> dict[str, Any]:
        return {"pos": dict(self._pos)}  # the file itself is an input, not state

    def restore(self, state: dict[str, Any]) -> None:
        self._pos = dict(state["pos"])

    def read(self, frames: int, sample_bytes: int) -> bytes:
        data = self._stereo(sample_bytes)
        frame = 2 * sample_bytes
        pos = self._pos.get(sample_bytes, 0)
        chunk = data[pos * frame:(pos + frames) * frame]
        self._pos[sample_bytes] = pos + frames
        return chunk + bytes(frames * frame - len(chunk))


class WavSink:
    """Frames a downlink clocked out, written as a stereo PCM WAV file on ``close``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rate_hz: int | None = None
        self.sample_bytes = 2
        self._frames = bytearray()
        self.dropped = 0  # bytes sent in another format than the first (not written)

    def write(self, data: bytes, rate_hz: int, sample_bytes: int) -> None:
        if self.rate_hz is None:
            self.rate_hz, self.sample_bytes = rate_hz, sample_bytes
        if (rate_hz, sample_bytes) != (self.rate_hz, self.sample_bytes):
            self.dropped += len(data)
            return
        self._frames += data

    def snapshot(self) -> dict[str, Any]:
        return {"rate_hz": self.rate_hz, "sample_bytes": self.sample_bytes,
                "frames": bytes(self._frames), "dropped": self.dropped}

    def restore(self, state: dict[str, Any]) -> None:
        self.rate_hz, self.sample_bytes = state["rate_hz"], state["sample_bytes"]
        self._frames[:] = state["frames"]
        self.dropped = state["dropped"]

    @property
    def frames(self) -> int:
        return len(self._frames) // (2 * self.sample_bytes)

    def close(self) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as out, wave.open(out, "wb") as wav:
                wav.setnchannels(2)
                wav.setsampwidth(self.sample_bytes)
                wav.setframerate(self.rate_hz or DEFAULT_RATE_HZ)
                wav.writeframes(bytes(self._frames))
            os.replace(tmp, self.path)
        except OSError as err:
            os.unlink(tmp)
            raise SphereEmuError(f"{self.path}: cannot write the WAV file ({err.strerror})") \
                from None
        except BaseException:
            os.unlink(tmp)
            raise


class AudioIO:
    """Connects the ``--i2sN`` sinks and sources to a machine's I2S blocks."""

    def __init__(self, peripherals: dict[str, object], specs: list[AudioSpec]) -> None:
        self.sinks: list[WavSink] = []
        for spec in specs:
            block = peripherals.get(spec.block)
            if block is None or not hasattr(block, "sink"):
                raise SphereEmuError(f"--{spec.block}: the board has no I2S block "
                                     f"{spec.block}")
            if spec.out is not None:
                sink = WavSink(spec.out)
                block.sink = sink  # type: ignore[attr-defined]
                self.sinks.append(sink)
            if spec.source is not None:
                block.source = spec.source  # type: ignore[attr-defined]

    def close(self) -> None:
        for sink in self.sinks:
            sink.close()
