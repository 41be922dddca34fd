"""Interrupt cost: IO-core exception entry + return, and the A7 GIC's update.

    python benchmarks/bench_interrupt.py [--interrupts 20000] [--trials 40]

- io0: a vector table whose IRQ0 handler is ``bx lr`` and a ``b .`` main loop, written into
  io0's TCM of boards/mt3620-rdb.yaml. Each round pends IRQ0 and runs a 10-instruction
  slice: the model takes the interrupt (stacking, vector fetch), the handler returns
  (EXC_RETURN, unstacking). The same slices without the interrupt are subtracted, so the
  figure is what one interrupt adds (batches with and without alternate). Plain Unicorn
  has no interrupt controller; its reference is one bare ``emu_start`` of 10
  instructions, printed alongside.
- a7: ``Gic.update()`` (recomputes the IRQ/FIQ signals) with a few interrupts enabled and
  one pending, as on every GIC write, level change and acknowledge.
- a7 interrupt: the A7 (Secure SVC, MMU off, code in its SYSRAM) idles in ``b .``; each
  round pends SPI 40 through GICD_ISPENDR and runs a 20-instruction slice: IRQ entry, a
  handler that reads GICC_IAR and writes GICC_EOIR (two MMIO accesses, each a GIC
  update), ``subs pc, lr, #4``. The same slices without the interrupt are subtracted.
Host CPU time of this process (steadier than wall time on a loaded machine), the best of
``--trials`` equal batches: other sessions on a shared machine only ever add time, and
many short batches (40 of 500 rounds, a few ms each) leave more of them untouched than a
few long ones (measured at load 3: 14.0-15.0 us in three runs with 40, 14.2-22.1 us with
10). The load average at the start is printed with the figures.
Targets (issue 16): entry+return <= 25 us; GIC update <= 3 us (the A7 interrupt has none).
"""

import argparse
import os
import struct
import time
from pathlib import Path

from unicorn import UC_ARCH_ARM, UC_MODE_MCLASS, UC_MODE_THUMB, Uc
from unicorn.arm_const import UC_CPU_ARM_CORTEX_M4

from sphere_emu.board import load_board
from sphere_emu.cpu.gic import GICC, GICD
from sphere_emu.machine import Machine

ROOT = Path(__file__).resolve().parent.parent
TCM = 0x00100000
MAIN, HANDLER = TCM + 0x100, TCM + 0x200
FIRST_IRQ = 16
A7_CODE = 0x80000000
A7_MAIN = A7_CODE + 0x40
A7_IRQ = 40
# VBAR at A7_CODE; its IRQ vector branches to the handler at +0x100.
A7_VECTORS = [0xEAFFFFFE] * 6 + [0xEA000038, 0xEAFFFFFE]  # b . ... b irq, b .
A7_MAIN_CODE = [0xE3000000, 0xE3480000,  # movw/movt r0, #0x80000000
                0xEE0C0F10, 0xF57FF06F,  # mcr p15, 0, r0, c12, c0, 0 (VBAR); isb
                0xF1080080, 0xEAFFFFFE]  # cpsie i; b .
A7_HANDLER = [0xE302100C, 0xE3421C00,  # movw/movt r1, #0x2C00200C (GICC_IAR)
              0xE5912000, 0xE5812004,  # ldr r2, [r1]; str r2, [r1, #4] (GICC_EOIR)
              0xE25EF004]  # subs pc, lr, #4


def best_of(trials: int, rounds: int, batch) -> float:
    """Seconds per round: the fastest of ``trials`` batches of ``rounds // trials``."""
    per = max(1, rounds // trials)
    return min(batch(per) for _ in range(trials)) / per


def alternating(trials: int, rounds: int, timed) -> tuple[float, float]:
    """Seconds per round without and with the interrupt: the fastest of ``trials`` batches
    each, run alternately so that a change of load between batches moves both."""
    per = max(1, rounds // trials)
    without = with_irq = float("inf")
    for _ in range(trials):
        without = min(without, timed(False, per) / per)
        with_irq = min(with_irq, timed(True, per) / per)
    return without, with_irq


def io_core_interrupt_us(rounds: int, trials: int) -> tuple[float, float]:
    machine = Machine(load_board(ROOT / "boards" / "mt3620-rdb.yaml"))
    core = machine.cores["io0"]
    vectors = [TCM + 0x800, MAIN | 1] + [HANDLER | 1] * 30
    core.address_map.write_memory(TCM, struct.pack(f"<{len(vectors)}I", *vectors))
    core.address_map.write_memory(MAIN, bytes.fromhex("fee7"))  # b .
    core.address_map.write_memory(HANDLER, bytes.fromhex("7047"))  # bx lr
    core.start_at(TCM)
    core.nvic.set_enabled(FIRST_IRQ, True)

    def timed(pend: bool, count: int) -> float:
        start = time.process_time()
        for _ in range(count):
            if pend:
                core.nvic.set_pending(FIRST_IRQ)
            core.run(10)
        return time.process_time() - start

    timed(True, 100)  # translate the handler and the loop once
    base, with_irq = alternating(trials, rounds, timed)
    if core.nvic.active or core.nvic.pending:
        raise SystemExit("the interrupt was not taken and returned each round")
    return (with_irq - base) * 1e6, base * 1e6


def plain_run_us(rounds: int, trials: int) -> float:
    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
    uc.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_M4)
    uc.mem_map(TCM, 0x1000)
    uc.mem_write(MAIN, bytes.fromhex("fee7"))

    def batch(count: int) -> float:
        start = time.process_time()
        for _ in range(count):
            uc.emu_start(MAIN | 1, 0xFFFFFFFF, count=10)
        return time.process_time() - start

    return best_of(trials, rounds, batch) * 1e6


def gic_update_us(calls: int, trials: int) -> float:
    machine = Machine(load_board(ROOT / "boards" / "mt3620.yaml"))
    a7 = machine.cores["a7"]
    gic, secure = a7.gic, a7.secure.map.access
    for irq in (27, 30, 40, 70):  # as firmware sets them up: through the registers
        gic.write(GICD + 0x100 + 4 * (irq // 32), 4, 1 << (irq % 32), secure)
        gic.write(GICD + 0x400 + irq, 1, 0xA0, secure)
    gic.write(GICD, 4, 3, secure)
    gic.write(GICC, 4, 3, secure)
    gic.write(GICC + 4, 4, 0xF0, secure)
    gic.set_irq_level(70, True)

    def batch(count: int) -> float:
        start = time.process_time()
        for _ in range(count):
            gic.update()
        return time.process_time() - start

    return best_of(trials, calls, batch) * 1e6


def a7_interrupt_us(rounds: int, trials: int) -> float:
    machine = Machine(load_board(ROOT / "boards" / "mt3620.yaml"))
    a7 = machine.cores["a7"]
    for offset, words in ((0, A7_VECTORS), (0x40, A7_MAIN_CODE), (0x100, A7_HANDLER)):
        a7.address_map.write_memory(A7_CODE + offset, struct.pack(f"<{len(words)}I", *words))
    a7.start_at(A7_MAIN)  # resets the GIC too: set it up after
    gic, secure = a7.gic, a7.secure.map.access
    gic.write(GICD + 0x100 + 4 * (A7_IRQ // 32), 4, 1 << (A7_IRQ % 32), secure)
    gic.write(GICD + 0x400 + A7_IRQ, 1, 0xA0, secure)
    gic.write(GICD, 4, 3, secure)
    gic.write(GICC, 4, 3, secure)
    gic.write(GICC + 4, 4, 0xF0, secure)
    a7.run(20)  # VBAR, cpsie: now idling in b .

    def timed(pend: bool, count: int) -> float:
        start = time.process_time()
        for _ in range(count):
            if pend:
                gic.write(GICD + 0x200 + 4 * (A7_IRQ // 32), 4, 1 << (A7_IRQ % 32), secure)
            a7.run(20)
        return time.process_time() - start

    timed(True, 100)  # translate the handler and the loop once
    base, with_irq = alternating(trials, rounds, timed)
    if gic.pending(A7_IRQ) or gic.active[A7_IRQ]:
        raise SystemExit("the A7 interrupt was not taken and ended each round")
    return (with_irq - base) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interrupts", type=int, default=20_000)
    parser.add_argument("--trials", type=int, default=40)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} (2-core machine)")
    irq, slice_us = io_core_interrupt_us(args.interrupts, args.trials)
    plain = plain_run_us(args.interrupts, args.trials)
    gic = gic_update_us(args.interrupts, args.trials)
    a7_irq = a7_interrupt_us(args.interrupts // 4, args.trials)
    print(f"io0 interrupt entry + return      : {irq:7.1f} us   (target <= 25 us)")
    print(f"io0 10-instruction slice, no IRQ  : {slice_us:7.1f} us   "
          f"(plain Unicorn emu_start(count=10): {plain:.1f} us, ratio {slice_us / plain:.1f}x)")
    print(f"a7 GIC update                     : {gic:7.1f} us   (target <= 3 us)")
    print(f"a7 interrupt entry + IAR/EOIR + return: {a7_irq:7.1f} us")


if __name__ == "__main__":
    main()
