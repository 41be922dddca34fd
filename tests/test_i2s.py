"""I2S as firmware drives it and as a user hears it: the project's i2s-selftest loops a
pattern through I2S0 by CPU and by DMA at 48 kHz into a WAV sink (``--i2s0 out=``), and
receives frames from a WAV source (``--i2s0 in=``); bad WAV input is one line."""

import struct
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from conftest import PREBUILT, ROOT

from sphere_emu.audio import WavSink, WavSource
from sphere_emu.board import load_board
from sphere_emu.machine import Machine
from sphere_emu.runner import Outcome, Runner

BOARD = ROOT / "tests" / "data" / "serial-selftest.yaml"
APP = PREBUILT / "i2s-selftest.elf"
FRAMES = 2048


def pattern(i: int) -> int:  # as firmware/apps/i2s-selftest: left in 15:0, right in 31:16
    return ((0x8000 + 31 * i) & 0xFFFF) << 16 | ((97 * i) & 0xFFFF)


def run(*audio: str) -> subprocess.CompletedProcess:
    args = [arg for a in audio for arg in ("--i2s0", a)]
    return subprocess.run(
        [sys.executable, "-m", "sphere_emu", "run", str(BOARD), str(APP), "--core", "io0",
         "--timeout", "100ms", "--expect", r"^i2s-selftest: ", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300)


def write_wav(path, samples: list[int], channels: int = 1, width: int = 2) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(48000)
        wav.writeframes(struct.pack(f"<{len(samples)}{'h' if width == 2 else 'i'}", *samples))


def test_loopback_to_wav_and_source_from_wav_twice_identical(tmp_path):
    source = [(i * 523) % 20000 - 10000 for i in range(300)]  # mono, 16-bit
    write_wav(tmp_path / "in.wav", source)
    outputs = []
    for n in (1, 2):
        out = tmp_path / f"out{n}.wav"
        proc = run(f"out={out}", f"in={tmp_path / 'in.wav'}")
        assert proc.returncode == 0, proc.stderr
        assert "i2s-selftest: 8 passed, 0 failed" in proc.stdout, proc.stdout
        outputs.append((proc.stdout, out.read_bytes()))
    assert outputs[0] == outputs[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.wav", "out1.wav", "out2.wav"]

    with wave.open(str(tmp_path / "out1.wav")) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, 48000)
        words = struct.unpack(f"<{wav.getnframes()}I", wav.readframes(wav.getnframes()))
    # what the DL clocked out: the 4 CPU words, the empty value (0) until the link stopped,
    # then the 2048-frame DMA pattern
    assert list(words[:4]) == [pattern(i) for i in range(4)]
    start = words.index(pattern(0), 4)
    assert set(words[4:start]) == {0}
    assert list(words[start:start + FRAMES]) == [pattern(i) for i in range(FRAMES)]

    # the source: mono duplicated into both halves of each frame
    frames = [(s & 0xFFFF) * 0x10001 for s in source[:256]]
    assert f"source frames: first {frames[0]:#010x} sum of 256 " \
           f"{sum(frames) & 0xFFFFFFFF:#010x}" in outputs[0][0]


def test_without_a_source_the_uplink_receives_silence():
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert "source frames: first 0x00000000 sum of 256 0x00000000" in proc.stdout


@pytest.mark.parametrize("content, message", [
    (b"RIFF\x10\x00\x00\x00WAVEfmt ", "not a readable WAV file"),
    (b"not audio at all", "not a readable WAV file"),
    (None, "no such WAV file"),
])
def test_unreadable_wav_source_is_one_line(tmp_path, content, message):
    path = tmp_path / "in.wav"
    if content is not None:
        path.write_bytes(content)
    proc = run(f"in={path}")
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"sphere-emu: error: {path}: "), lines
    assert message in lines[0]


def test_unsupported_wav_format_and_bad_options_are_one_line(tmp_path):
    eight_bit = tmp_path / "u8.wav"
    with wave.open(str(eight_bit), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(8000)
        wav.writeframes(bytes(16))
    for option, message in ((f"in={eight_bit}", "16- or 32-bit PCM"),
                            ("sideways=x.wav", "expected out=FILE.wav or in=FILE.wav"),
                            (f"out={tmp_path / 'no' / 'x.wav'}", "no such directory")):
        proc = run(option)
        assert proc.returncode == 2, option
        assert len(proc.stderr.splitlines()) == 1 and message in proc.stderr, proc.stderr


def i2s_machine(source_wav):
    """i2s-selftest on io0 with a WAV sink and ``source_wav`` as the source, in process."""
    machine = Machine(load_board(BOARD))
    machine.load_elf("io0", APP)
    block = machine.peripherals["i2s0"]
    block.sink = WavSink(Path(source_wav).with_name("unused.wav"))  # never closed here
    block.source = WavSource.load(source_wav)
    return machine


def run_to_verdict(machine: Machine) -> list[tuple[int, str]]:
    runner = Runner(machine, expect=[r"^i2s-selftest: \d+ passed"])
    assert runner.run(100_000_000).outcome is Outcome.EXPECTED, runner.lines
    return [(e.time_ns, e.line) for e in runner.lines]


# 20 ms: in the 2048-frame DMA loopback, both links running, both rings part-filled and a
# stream event pending for each; 45 ms: part-way through the 256 frames from the WAV source.
@pytest.mark.parametrize("mid_ns, links", [(20_000_000, ["rx", "tx"]), (45_000_000, ["rx"])])
def test_a_snapshot_mid_stream_restores_into_a_run_with_the_same_wav_bytes(tmp_path, mid_ns,
                                                                          links):
    write_wav(tmp_path / "in.wav", [(i * 523) % 20000 - 10000 for i in range(300)])
    whole = i2s_machine(tmp_path / "in.wav")
    lines = run_to_verdict(whole)
    original = i2s_machine(tmp_path / "in.wav")
    original.run_until(mid_ns)
    snap = original.snapshot()
    i2s = snap["peripherals"]["i2s0"]
    assert [link for link in ("rx", "tx") if i2s[link]["rate_hz"] == 48000] == links

    restored = i2s_machine(tmp_path / "in.wav")
    restored.restore(snap)
    assert restored.snapshot() == snap
    assert run_to_verdict(restored) == [line for line in lines if line[0] > mid_ns]
    assert restored.serial.ports["io0-uart"].output == whole.serial.ports["io0-uart"].output
    sink, whole_sink = restored.peripherals["i2s0"].sink, whole.peripherals["i2s0"].sink
    assert sink.frames == whole_sink.frames == 2063
    assert sink.snapshot() == whole_sink.snapshot()  # every frame of the WAV data
