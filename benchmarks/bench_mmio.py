"""MMIO access cost: one guest load/store to a peripheral register through a core's map.

    python benchmarks/bench_mmio.py [--accesses 200000]

Runs a Thumb loop of four identical accesses per iteration on io0 of boards/mt3620-rdb.yaml
(straight on the core's Unicorn instance, so no scheduler work is counted) against the
io0 debug UART:
- plain read: SCR, a register with no behaviour;
- hook read: LSR, whose value is computed by the block;
- plain write: SCR.
The framework's own share is also timed without Unicorn (``Peripheral.read``/``write``
called from Python), the steadiest figure to compare before/after a framework change.
The same loop against a bare ``mmio_map`` page whose Python callbacks do nothing gives the
floor Unicorn itself costs through its Python binding; the ratio machine/floor is what the
register framework and the bus add, measured in one run so machine noise affects both alike.
The bus registers its callbacks with ``uc_mmio_map`` directly (engine/mmio.py), so a second
floor is printed: a bare page served that way by a guarded callback that does nothing.
Target (issue 9): not slower than before the register framework v2 (~1.1 us per access,
ratio noted in the issue).
"""

import argparse
import time
import timeit
from pathlib import Path

from unicorn import UC_ARCH_ARM, UC_MODE_MCLASS, UC_MODE_THUMB, Uc
from unicorn.arm_const import UC_ARM_REG_R0, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_CPU_ARM_CORTEX_M4

from sphere_emu.board import load_board
from sphere_emu.engine.mmio import hook_failed, map_mmio
from sphere_emu.machine import Machine

ROOT = Path(__file__).resolve().parent.parent
BOARD = ROOT / "boards" / "mt3620-rdb.yaml"
CODE = 0x00100000  # io0 TCM
UART = 0x21040000  # io0 debug UART
PER_ITERATION = 4

# Thumb encodings: ldr r1, [r0, #imm]; str r2, [r0, #imm]; subs r3, #1; bne back to start.
LDR_SCR, LDR_LSR, STR_SCR = 0x69C1, 0x6941, 0x61C2
SUBS_R3, BNE_BACK = 0x3B01, 0xD1F9  # branch back over 4 accesses + subs (6 halfwords + 4)


def loop(access: int) -> bytes:
    halfwords = [access] * PER_ITERATION + [SUBS_R3, BNE_BACK]
    return b"".join(h.to_bytes(2, "little") for h in halfwords)


def time_loop(uc: Uc, code: bytes, iterations: int, repeats: int = 5) -> float:
    """Best of ``repeats`` runs in process CPU time: the machine is shared with other work."""
    uc.mem_write(CODE, code)
    uc.ctl_remove_cache(CODE, CODE + 0x1000)  # a host write leaves stale translations
    best = float("inf")
    for _ in range(repeats):
        uc.reg_write(UC_ARM_REG_R0, UART)
        uc.reg_write(UC_ARM_REG_R2, 0x5A)
        uc.reg_write(UC_ARM_REG_R3, iterations)
        start = time.process_time()
        # By count: the machine's instances end runs by count only (engine/run.py).
        uc.emu_start(CODE | 1, CODE + len(code), count=iterations * len(code) // 2)
        best = min(best, time.process_time() - start)
    return best


def bare_uc() -> Uc:
    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
    uc.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_M4)
    uc.mem_map(CODE, 0x1000)
    uc.mmio_map(UART, 0x1000, lambda _uc, off, sz, _d: 0, None,
                lambda _uc, off, sz, val, _d: None, None)
    return uc


def lean_uc() -> Uc:
    """A bare instance whose page is served the way the bus serves its pages."""
    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
    uc.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_M4)
    uc.mem_map(CODE, 0x1000)

    def read(_h: int, offset: int, size: int, _d: int | None) -> int:
        try:
            return 0
        except BaseException as error:
            return hook_failed(uc, error)

    def write(_h: int, offset: int, size: int, value: int, _d: int | None) -> None:
        try:
            return
        except BaseException as error:
            hook_failed(uc, error)

    map_mmio(uc, UART, 0x1000, read, write)
    return uc


def framework_only(machine: Machine) -> None:
    uart = machine.peripherals["io0-uart"]
    who = machine.cores["io0"].address_map.access
    for label, call in (("read SCR", lambda: uart.read(0x1C, 4, who)),
                        ("read LSR", lambda: uart.read(0x14, 4, who)),
                        ("write SCR", lambda: uart.write(0x1C, 4, 0x5A, who))):
        best = min(timeit.repeat(call, number=20_000, repeat=7, timer=time.process_time))
        print(f"framework only, {label + ':':11}  {best / 20_000 * 1e6:6.3f} us/access")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accesses", type=int, default=100_000)
    args = parser.parse_args()
    iterations = args.accesses // PER_ITERATION
    machine = Machine(load_board(BOARD))
    floor_uc, lean, uc = bare_uc(), lean_uc(), machine.cores["io0"].uc  # type: ignore[attr-defined]
    # Warm up all (translation, first-call costs) before timing.
    for each in (floor_uc, lean, uc):
        time_loop(each, loop(LDR_SCR), 1000)
    nop = loop(0xBF00)  # the loop's own cost, taken off each figure
    floor = time_loop(floor_uc, loop(LDR_SCR), iterations) - time_loop(floor_uc, nop, iterations)
    lean_floor = time_loop(lean, loop(LDR_SCR), iterations) - time_loop(lean, nop, iterations)
    empty = time_loop(uc, nop, iterations)
    per = 1e6 / (iterations * PER_ITERATION)
    print(f"bare mmio_map callback:      {floor * per:6.3f} us/access")
    print(f"bare uc_mmio_map, as the bus: {lean_floor * per:5.3f} us/access")
    total = 0.0
    for label, access in (("plain read (SCR)", LDR_SCR), ("hook read (LSR)", LDR_LSR),
                          ("plain write (SCR)", STR_SCR)):
        cost = time_loop(uc, loop(access), iterations) - empty
        total += cost
        print(f"{label + ':':28} {cost * per:6.3f} us/access  ({cost / floor:4.2f}x bare)")
    print(f"mean through io0's map:      {total / 3 * per:6.3f} us/access  "
          f"({total / 3 / floor:4.2f}x bare)")
    framework_only(machine)


if __name__ == "__main__":
    main()
