"""A7 speed: guest MIPS of a CPU-bound A7 program, beside the IO core's, and all three busy.

    python benchmarks/bench_a7.py [--seconds 0.2]

Figures, measured in one run so machine noise affects them alike:
- plain Unicorn A7: a7-bench.elf in a bare Cortex-A7 ``Uc``, no hooks, counted slices of the
  scheduler's quantum (the ceiling for deterministic counted execution);
- sphere-emu a7: a7-bench.elf on the MT3620's A7 through Machine/Scheduler (two worlds,
  the model's MMU serving TLB misses, GIC, generic timer);
- sphere-emu io0: bench-cpu.elf on io0, the IO-core figure to compare with;
- three cores busy: a7-bench-all.elf, which starts bench-cpu on io0 and io1 and then runs
  the A7 workload; guest instructions of all three cores per host second;
- HL kernel: the OS kernel (firmware/a7/kernel, started by its stand-in Security Monitor)
  running the limits-hl app from flash until the kernel kills it: system calls, page
  faults, interrupts, and code with watched instructions (timer writes, CPACR, exception
  returns), which a7-bench has none of.
Each figure is guest instructions retired (from the cores' counters) per host second.
"""

import argparse
import dataclasses
import struct
import sys
import time
from pathlib import Path

from elftools.elf.elffile import ELFFile
from unicorn import UC_ARCH_ARM, UC_MODE_ARM, Uc
from unicorn.arm_const import UC_ARM_REG_CPSR, UC_ARM_REG_PC, UC_CPU_ARM_CORTEX_A7

from sphere_emu.board import load_board
from sphere_emu.machine import Machine
from sphere_emu.scheduler import Scheduler

ROOT = Path(__file__).resolve().parent.parent
BOARD = ROOT / "boards" / "mt3620.yaml"
RDB_BOARD = ROOT / "boards" / "mt3620-rdb.yaml"
PREBUILT = ROOT / "firmware" / "prebuilt"
A7_HZ = 500_000_000


def plain_unicorn_mips(instructions: int) -> float:
    uc = Uc(UC_ARCH_ARM, UC_MODE_ARM)
    uc.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_A7)
    uc.mem_map(0x80000000, 0x400000)
    # The A7 UART as plain RAM whose LSR reads "THR empty" forever.
    uc.mem_map(0x3F010000, 0x1000)
    uc.mem_write(0x3F010014, (0x60).to_bytes(4, "little"))
    with (PREBUILT / "a7-bench.elf").open("rb") as f:
        elf = ELFFile(f)
        for seg in elf.iter_segments():
            if seg["p_type"] == "PT_LOAD" and seg["p_filesz"]:
                uc.mem_write(seg["p_paddr"], seg.data())
        pc = elf["e_entry"]
    uc.reg_write(UC_ARM_REG_CPSR, 0x1D3)
    quantum = Scheduler.DEFAULT_QUANTUM_NS * A7_HZ // 1_000_000_000
    done = 0
    start = time.process_time()
    while done < instructions:
        uc.emu_start(pc, 0xFFFFFFFF, count=quantum)
        pc = uc.reg_read(UC_ARM_REG_PC)
        done += quantum
    return done / (time.process_time() - start) / 1e6


def machine_mips(firmware: str, core: str, seconds: float, cores: tuple[str, ...],
                 progress: bytes) -> float:
    spec = load_board(BOARD)
    machine = Machine(dataclasses.replace(
        spec, cores={name: spec.cores[name] for name in cores}))
    machine.load_elf(core, PREBUILT / firmware)
    before = sum(c.instructions_retired for c in machine.cores.values())
    start = time.process_time()
    machine.run_for(int(seconds * 1e9))
    elapsed = time.process_time() - start
    retired = sum(c.instructions_retired for c in machine.cores.values()) - before
    output = b"".join(bytes(port.output) for port in machine.serial.ports.values())
    if progress not in output:
        sys.exit(f"{firmware} did not report progress: the run is not doing the workload")
    return retired / elapsed / 1e6


def flash_with_apps(packages: list[bytes]) -> bytes:
    """The flash table of firmware/include/flash_layout.h, then each package 4 KiB-aligned."""
    entries, blobs, offset = [], b"", 0x1000
    for package in packages:
        entries.append(struct.pack("<4I", 3, offset, len(package), 0))  # an application
        padded = package + bytes(-len(package) % 0x1000)
        blobs += padded
        offset += len(padded)
    table = struct.pack("<2I", 0x31544653, len(packages)) + b"".join(entries)
    return table + bytes(0x1000 - len(table)) + blobs


def kernel_mips(seconds: float) -> float:
    machine = Machine(load_board(RDB_BOARD))
    machine.memories["flash"].write(0, flash_with_apps(
        [(PREBUILT / "limits-hl.imagepackage").read_bytes()]))
    with (PREBUILT / "kernel.elf").open("rb") as f:
        for seg in ELFFile(f).iter_segments():
            if seg["p_type"] == "PT_LOAD" and seg["p_filesz"]:
                machine.memories["a7-sysram"].write(seg["p_paddr"] - 0x80000000, seg.data())
    machine.load_elf("a7", PREBUILT / "kernel-standin-sm.elf")
    a7 = machine.cores["a7"]
    start = time.process_time()
    machine.run_for(int(seconds * 1e9))
    elapsed = time.process_time() - start
    output = b"".join(bytes(port.output) for port in machine.serial.ports.values())
    if b"app limits-hl killed" not in output:
        sys.exit("the HL kernel did not run its apps to the end")
    return a7.instructions_retired / elapsed / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.2, help="virtual seconds per run")
    args = parser.parse_args()
    plain = plain_unicorn_mips(int(args.seconds * A7_HZ))
    a7 = machine_mips("a7-bench.elf", "a7", args.seconds, ("a7",), b"a7-bench: round")
    io0 = machine_mips("bench-cpu.elf", "io0", args.seconds, ("io0",), b"bench-cpu: round")
    busy = machine_mips("a7-bench-all.elf", "a7", args.seconds, ("a7", "io0", "io1"),
                        b"bench-cpu: round")
    kernel = kernel_mips(max(args.seconds, 0.5))
    print(f"plain Unicorn A7, counted slices : {plain:8.1f} MIPS")
    print(f"sphere-emu a7 (a7-bench)         : {a7:8.1f} MIPS  ({a7 / plain:.0%} of plain)")
    print(f"sphere-emu io0 (bench-cpu)       : {io0:8.1f} MIPS")
    print(f"three cores busy (a7-bench-all)  : {busy:8.1f} MIPS  (all cores together)")
    print(f"HL kernel (limits-hl)            : {kernel:8.1f} MIPS")


if __name__ == "__main__":
    main()
