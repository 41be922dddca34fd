"""A 4 KiB SPI flash read by DMA: virtual time against the clock rate, and wall time.

    python benchmarks/bench_serial.py [--runs 3]

Runs firmware/prebuilt/spi-dma-bench.elf on io0 with a W25Q32 on ISU0 CS A whose contents
come from a file of known bytes. The MT3620 SPI master carries 32 data bytes per transfer,
so the read is 128 READ commands of 4 + 32 bytes at SCLK 40 MHz (80 MHz / 2): each should
take (4 + 32) * 8 bits / 40 MHz = 7.2 us of virtual time, measured by the firmware from the
TX DMA channel's start to the SPI interrupt with GPT4 (the 197.6 MHz core clock), within
one byte time (8 bits = 0.2 us). The guest sleeps in WFI during every transfer. Also
printed: the checksum of what arrived against the file, and the wall time of the run.
"""

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sphere_emu.testing import EmulatedDevice  # noqa: E402

HCLK_HZ = 197_600_000
SCLK_HZ = 40_000_000
TRANSFER_BITS = (4 + 32) * 8
BYTE_NS = 8 * 1e9 / SCLK_HZ
LINE = re.compile(r"total (\d+) cycles, per transfer min (\d+) max (\d+) cycles, "
                  r"checksum (0x[0-9a-f]+)")


def checksum(data: bytes) -> int:
    value = 0
    for byte in data:
        value = (value * 31 + byte) & 0xFFFFFFFF
    return value


def run_once(tmp: Path) -> tuple[float, float, float, float, bool, float]:
    """(total, min, max transfer ns), wall s of the run, data intact, wall s to build."""
    data = bytes((i * 7 + (i >> 8)) & 0xFF for i in range(4096))
    (tmp / "flash.bin").write_bytes(data)
    board = tmp / "board.yaml"
    board.write_text(f"include: {ROOT / 'boards' / 'mt3620-rdb.yaml'}\n"
                     "peripherals:\n  isu0: {function: spi}\n"
                     "devices:\n  flash: {type: spi-nor-flash, bus: isu0-spim, cs: 0, "
                     f"file: {tmp / 'flash.bin'}}}\n")
    start = time.perf_counter()
    dev = EmulatedDevice(board, io0=ROOT / "firmware" / "prebuilt" / "spi-dma-bench.elf")
    built = time.perf_counter()
    line = dev.wait_for_line(r"^spi-dma-bench: ", timeout="100ms").line
    wall = time.perf_counter() - built
    total, lo, hi, csum = LINE.search(line).groups()
    to_ns = 1e9 / HCLK_HZ
    return (int(total) * to_ns, int(lo) * to_ns, int(hi) * to_ns, wall,
            int(csum, 16) == checksum(data), built - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    expect_ns = TRANSFER_BITS * 1e9 / SCLK_HZ
    ok = True
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            total, lo, hi, wall, intact, setup = run_once(Path(tmp))
        within = max(abs(lo - expect_ns), abs(hi - expect_ns)) <= BYTE_NS
        ok &= within and intact
        print(f"run {run + 1}: 128 transfers of 36 bytes, virtual {total / 1e3:.1f} us "
              f"(bus time {128 * expect_ns / 1e3:.1f} us); per transfer {lo:.0f}..{hi:.0f} ns, "
              f"expected {expect_ns:.0f} +- {BYTE_NS:.0f} ns: {'OK' if within else 'OUT'}; "
              f"data {'intact' if intact else 'CORRUPT'}; wall {wall * 1e3:.0f} ms for the "
              f"4 KiB ({wall / 128 * 1e6:.0f} us per transfer), machine build "
              f"{setup * 1e3:.0f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
