"""GPIO output cost: an RT app toggling a pin in a tight loop vs the same loop writing RAM.

    python benchmarks/bench_gpio.py [--repeat 5] [--fast] [--python-path]
    python benchmarks/bench_gpio.py --single {machine,bare,latch} --target {ram,gpio}

firmware/apps/bench-gpio stores i & 1 two million times either to GPIO0's output latch
(DOUT of group 0, with the pin an output) or to a plain SYSRAM word; the word at 0x22000000
selects which. Both run on io0 of boards/mt3620-rdb.yaml through the machine, each until
the slice in which the app prints "done" (the idle loop after it, identical in both, is not
in the figures); the figure is time per store and the ratio GPIO / RAM (issue 10 target:
<= 2.0). Time is this process's CPU time (``time.process_time``; the emulator runs on one
thread, so on an idle machine it is the wall time), so that other work on a shared machine
does not count while it holds the CPU; ``--wall`` takes wall time instead. Runs are
interleaved (RAM, GPIO, RAM, GPIO, ...) so machine noise hits
both alike (after one warm-up run of each, not counted); the best of each and the median of
the per-pair ratios are printed, with the load average.

The floor, measured in the same run: the app's loop (same five instructions) on a bare
Unicorn with no machine around it: code and the RAM word mapped with ``mem_map_ptr``, the
core's TLB fill (``engine/tlb.py``) and the same instruction counting as the machine
(Unicorn's per-instruction count, or with ``--fast`` the native block counter) in runs of
one scheduler slice, the GPIO page a ``uc_mmio_map`` run served by a C callback that only
stores the word (``gpio_latch_bare_write``), and once more by the project's C latch
(``gpio_latch.c``, 19 host instructions per store). What a store through Unicorn's MMIO
path costs there is what no model of a register can go below on this engine; the
machine's figure beside it says what sphere-emu adds.

GPIO0's pads are unwatched, so with the native library the latch is served in C
(``peripherals/gpio.py``); ``--python-path`` also measures the same loop with
``Machine(native_gpio=False)``, every store a Python call.

``--single`` runs one set-up once and prints its time: for a profiler or an instruction
count (``valgrind --tool=callgrind``), which no machine noise disturbs.
"""

import argparse
import ctypes
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from unicorn import UC_ARCH_ARM, UC_MODE_MCLASS, UC_MODE_THUMB, UC_PROT_ALL, Uc, UcError
from unicorn.arm_const import (
    UC_ARM_REG_PC,
    UC_ARM_REG_R1,
    UC_ARM_REG_R2,
    UC_ARM_REG_R3,
    UC_CPU_ARM_CORTEX_M4,
)

from sphere_emu.board import load_board
from sphere_emu.bus.memory import MemoryBlock
from sphere_emu.engine.counter import RetiredCounter
from sphere_emu.engine.native import NativeCounter, choose, default_library
from sphere_emu.engine.native.latch import NativeLatch, choose_latch
from sphere_emu.engine.run import end_runs_by_count
from sphere_emu.engine.tlb import IdentityTlb
from sphere_emu.machine import Machine
from sphere_emu.scheduler import Scheduler

try:
    from unicorn.unicorn_py3.unicorn import uclib
except ImportError:  # another binding layout
    uclib = None

ROOT = Path(__file__).resolve().parent.parent
BOARD = ROOT / "boards" / "mt3620-rdb.yaml"
ELF = ROOT / "firmware" / "prebuilt" / "bench-gpio.elf"
ITERATIONS = 2_000_000
SELECT = 0x22000000
RAM_WORD = 0x22000004
GPIO0 = 0x38010000
DOUT = 0x10
# The app's loop as the prebuilt has it: and.w r0, r3, #1; adds r3, #1; cmp r3, r1;
# str r0, [r2]; bne <and.w>; then (the floor's own) b . after it.
LOOP = bytes.fromhex("03f00100" "0133" "8b42" "1060" "f9d1")
CODE_BASE = 0x100000  # io0's TCM, as in the app


def machine_once(gpio: bool, native: bool = True, fast: bool = False,
                 clock: Callable[[], float] = time.process_time) -> float:
    """Wall time of the app on the whole machine until it prints "done"."""
    machine = Machine(load_board(BOARD), native_gpio=native, fast=fast)
    machine.load_elf("io0", ELF)
    machine.cores["io0"].address_map.write_memory(SELECT, (1 if gpio else 0).to_bytes(4, "little"))
    done: list[int] = []

    def finished(_port: object, time_ns: int, line: str) -> None:
        if "done" in line:
            done.append(time_ns)
            machine.scheduler.request_stop()

    machine.serial.ports["io0-uart"].line_listeners.append(finished)
    start = clock()
    while not done:
        machine.run_for(50_000_000)
    return clock() - start


def _never(*_args: object) -> int:
    raise AssertionError("the floor's loop only stores whole words to DOUT")


def _map_bare(uc: Uc, cell: ctypes.c_uint32) -> bool:
    """Map the GPIO page to ``gpio_latch.c``'s bare callbacks (a word, no model); False
    if the library is not built or predates them."""
    path = default_library()
    if path is None:
        return False
    lib = ctypes.CDLL(str(path))
    if not hasattr(lib, "gpio_latch_bare_write"):
        return False
    pointer = ctypes.cast(ctypes.pointer(cell), ctypes.c_void_p)
    status = uclib.uc_mmio_map(uc._uch, GPIO0, 0x1000,
                               ctypes.cast(lib.gpio_latch_bare_read, ctypes.c_void_p), pointer,
                               ctypes.cast(lib.gpio_latch_bare_write, ctypes.c_void_p), pointer)
    if status != 0:
        raise UcError(status)
    return True


def floor_once(gpio: bool, callback: str, fast: bool = False,
               clock: Callable[[], float] = time.process_time) -> float:
    """Wall time of the same loop on a bare Unicorn (see the module docstring); the GPIO
    page served by ``callback``: "bare" (a word) or "latch" (the project's GPIO latch)."""
    frequency = load_board(BOARD).cores["io0"].frequency_hz
    slice_count = Scheduler.DEFAULT_QUANTUM_NS * frequency // 1_000_000_000
    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
    uc.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_M4)
    end_runs_by_count(uc)
    tcm, sysram = MemoryBlock("tcm", 0x10000), MemoryBlock("sysram", 0x10000)
    uc.mem_map_ptr(CODE_BASE, tcm.size, UC_PROT_ALL, tcm.address)
    uc.mem_map_ptr(SELECT, sysram.size, UC_PROT_ALL, sysram.address)
    uc.mem_write(CODE_BASE, LOOP + bytes.fromhex("fee7"))
    latch, cell = None, ctypes.c_uint32()
    if callback == "bare":
        assert _map_bare(uc, cell), "needs the native library, rebuilt with gpio_latch.c"
    else:
        library = choose_latch()
        assert library is not None, "needs the native library"
        latch = NativeLatch(library, writable=0xFFFFFFFF)
        latch.map(uc, GPIO0, 0x1000, (0, 0x1000), 0, _never, _never, "io0", lambda: True)
        latch.hand_over(0)
    IdentityTlb(uc, lambda a: "peripheral" if a >> 12 == GPIO0 >> 12 else "ram")
    counter: RetiredCounter | NativeCounter = RetiredCounter(uc)
    if fast:
        native, _ = choose()
        assert native is not None, "--fast needs the native library"
        counter = NativeCounter(uc, native)
    uc.reg_write(UC_ARM_REG_R1, ITERATIONS)
    uc.reg_write(UC_ARM_REG_R2, GPIO0 + DOUT if gpio else RAM_WORD)
    uc.reg_write(UC_ARM_REG_R3, 0)
    pc = CODE_BASE | 1
    start = clock()
    while uc.reg_read(UC_ARM_REG_R3) < ITERATIONS:
        counter.run(uc, pc, slice_count, None)
        pc = uc.reg_read(UC_ARM_REG_PC) | 1
    elapsed = clock() - start
    if gpio:  # every store went where it should
        assert latch.stores == ITERATIONS if latch else cell.value == (ITERATIONS - 1) & 1
    return elapsed


class Pairs:
    """Interleaved RAM/GPIO timings of one set-up."""

    def __init__(self, name: str, once: Callable[[bool], float]) -> None:
        self.name, self.once = name, once
        self.ram: list[float] = []
        self.gpio: list[float] = []

    def measure(self) -> None:
        self.ram.append(self.once(False))
        self.gpio.append(self.once(True))

    @property
    def best(self) -> float:
        return min(self.gpio) / min(self.ram)

    @property
    def median(self) -> float:
        return statistics.median(g / r for g, r in zip(self.gpio, self.ram, strict=True))

    def extra_ns(self) -> float:
        """What a GPIO store costs over a RAM store (best runs), in ns."""
        return (min(self.gpio) - min(self.ram)) / ITERATIONS * 1e9

    def report(self) -> None:
        ram, gpio = min(self.ram), min(self.gpio)
        print(f"{self.name}:")
        print(f"  RAM  {ram:.3f} s ({ram / ITERATIONS * 1e9:.1f} ns/iteration), "
              f"GPIO {gpio:.3f} s ({gpio / ITERATIONS * 1e9:.1f} ns/iteration)")
        print(f"  ratio GPIO/RAM: best {self.best:.2f}, median {self.median:.2f}; "
              f"a GPIO store costs {self.extra_ns():.1f} ns more than a RAM store")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fast", action="store_true",
                        help="the --fast mode (native block counter) instead of the exact mode")
    parser.add_argument("--python-path", action="store_true",
                        help="also measure the GPIO loop without the native latch")
    parser.add_argument("--wall", action="store_true",
                        help="wall time instead of the process's CPU time")
    parser.add_argument("--single", choices=("machine", "bare", "latch"),
                        help="run only this set-up, once (the floor's: bare or latch)")
    parser.add_argument("--target", choices=("ram", "gpio"), default="gpio")
    args = parser.parse_args()
    clock = time.perf_counter if args.wall else time.process_time
    if args.single:
        gpio = args.target == "gpio"
        seconds = (machine_once(gpio, fast=args.fast, clock=clock)
                   if args.single == "machine" else floor_once(gpio, args.single, args.fast, clock))
        print(f"{args.single} {args.target}: {seconds:.3f} s")
        return
    if LOOP not in ELF.read_bytes():
        raise SystemExit(f"{ELF.name} no longer holds the loop the floor runs: update LOOP")
    native = choose_latch() is not None
    path = "native latch" if native else "Python path: native library not built or stale"
    mode = "--fast (native block counter)" if args.fast else "exact (the default)"
    machine = Pairs(f"sphere-emu, io0 of mt3620-rdb, {mode}, {path}",
                    lambda gpio: machine_once(gpio, fast=args.fast, clock=clock))
    setups = [machine]
    floors: list[Pairs] = []
    if native and _map_bare(Uc(UC_ARCH_ARM, UC_MODE_THUMB), ctypes.c_uint32()):
        floors = [Pairs("floor: bare Unicorn, same loop and counting, the GPIO page a "
                        "uc_mmio_map run served by a C callback that stores the word",
                        lambda gpio: floor_once(gpio, "bare", args.fast, clock)),
                  Pairs("bare Unicorn as above, the page served by the project's C latch "
                        "(gpio_latch.c)", lambda gpio: floor_once(gpio, "latch", args.fast, clock))]
        setups += floors
    python: list[float] = []
    for setup in setups:  # warm-up (imports, first translations): not counted
        setup.once(False)
    for _ in range(args.repeat):
        for setup in setups:
            setup.measure()
        if args.python_path:
            python.append(machine_once(True, native=False, fast=args.fast, clock=clock))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    timer = "wall time" if args.wall else "CPU time of this process"
    print(f"{ITERATIONS} stores, {args.repeat} interleaved runs of each, {timer}; "
          f"load average {load}")
    for setup in setups:
        setup.report()
    verdict = {True: "meets", False: "misses"}
    if floors:
        bare, latch = floors
        print(f"sphere-emu against the floor: ratio {machine.best:.2f} against {bare.best:.2f} "
              f"(best), {machine.median:.2f} against {bare.median:.2f} (median). Per GPIO "
              f"store sphere-emu adds {machine.extra_ns() - bare.extra_ns():+.1f} ns "
              f"({(machine.extra_ns() / bare.extra_ns() - 1) * 100:+.0f} %) to the floor's "
              f"{bare.extra_ns():.1f} ns (the latch's C alone: "
              f"{latch.extra_ns() - bare.extra_ns():+.1f} ns)")
        print(f"target ratio <= 2.0 (issue 10): sphere-emu {verdict[machine.best <= 2.0]} it "
              f"by its best figure, {verdict[machine.median <= 2.0]} it by its median; the bare "
              f"engine {verdict[bare.best <= 2.0]} / {verdict[bare.median <= 2.0]} it")
    else:
        print("floor not measured: the native library is not built or predates the floor's "
              "callbacks (python3 setup.py build_ext --inplace)")
        print(f"target ratio <= 2.0 (issue 10): sphere-emu {verdict[machine.best <= 2.0]} it "
              f"by its best figure, {verdict[machine.median <= 2.0]} it by its median")
    if python:
        best = min(python)
        print(f"GPIO DOUT, Python path: {best:.3f} s ({best / ITERATIONS * 1e9:.0f} ns/store); "
              f"ratio to RAM {best / min(machine.ram):.2f}")


if __name__ == "__main__":
    main()
