"""GPIO output cost: an RT app toggling a pin in a tight loop vs the same loop writing RAM.

    python benchmarks/bench_gpio.py [--repeat 3] [--python-path]

firmware/apps/bench-gpio stores i & 1 two million times either to GPIO0's output latch
(DOUT of group 0, with the pin an output) or to a plain SYSRAM word; the word at 0x22000000
selects which. Both run on io0 of boards/mt3620-rdb.yaml through the machine, each until
the slice in which the app prints "done" (so the idle loop after it, identical in both, is
not in the figures: earlier figures ran both to 100 ms of virtual time, about half of it
that idle loop); the figure is wall time per store and the ratio GPIO / RAM (issue 10
target: <= 2.0). The best of
``--repeat`` runs of each is taken, interleaved, so machine noise affects both alike.

GPIO0's pads are unwatched, so with the native library the latch is served in C
(``peripherals/gpio.py``); ``--python-path`` also measures the same loop with
``Machine(native_gpio=False)``, every store a Python call.
"""

import argparse
import time
from pathlib import Path

from sphere_emu.board import load_board
from sphere_emu.engine.native.latch import choose_latch
from sphere_emu.machine import Machine

ROOT = Path(__file__).resolve().parent.parent
BOARD = ROOT / "boards" / "mt3620-rdb.yaml"
ELF = ROOT / "firmware" / "prebuilt" / "bench-gpio.elf"
ITERATIONS = 2_000_000
SELECT = 0x22000000


def run_once(gpio: bool, native: bool = True) -> float:
    machine = Machine(load_board(BOARD), native_gpio=native)
    machine.load_elf("io0", ELF)
    machine.cores["io0"].address_map.write_memory(SELECT, (1 if gpio else 0).to_bytes(4, "little"))
    done: list[int] = []

    def finished(_port: object, time_ns: int, line: str) -> None:
        if "done" in line:
            done.append(time_ns)
            machine.scheduler.request_stop()

    machine.serial.ports["io0-uart"].line_listeners.append(finished)
    start = time.perf_counter()
    while not done:
        machine.run_for(50_000_000)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--python-path", action="store_true",
                        help="also measure the GPIO loop without the native latch")
    args = parser.parse_args()
    native = choose_latch() is not None
    ram, gpio, python = [], [], []
    for _ in range(args.repeat):
        ram.append(run_once(False))
        gpio.append(run_once(True))
        if args.python_path:
            python.append(run_once(True, native=False))
    best_ram, best_gpio = min(ram), min(gpio)
    print(f"RAM word : {best_ram:.3f} s for {ITERATIONS} stores "
          f"({best_ram / ITERATIONS * 1e9:.0f} ns/store)")
    path = "native latch" if native else "Python path: native library not built"
    print(f"GPIO DOUT: {best_gpio:.3f} s for {ITERATIONS} stores "
          f"({best_gpio / ITERATIONS * 1e9:.0f} ns/store; {path})")
    print(f"ratio GPIO/RAM: {best_gpio / best_ram:.2f} (target <= 2.0)")
    if python:
        best = min(python)
        print(f"GPIO DOUT, Python path: {best:.3f} s ({best / ITERATIONS * 1e9:.0f} ns/store); "
              f"ratio to RAM {best / best_ram:.2f}")


if __name__ == "__main__":
    main()
