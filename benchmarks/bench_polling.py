"""Polling speed: virtual seconds per host second for busy-waits, and the costs behind them.

    python benchmarks/bench_polling.py [--slow-ms 5]

Figures, measured in one run so machine noise affects them alike (host CPU time of this
process, which a loaded shared machine disturbs far less than wall time; wall time too):
- plain Unicorn: the same ``ldr; cmp; bls`` loop on a bare Cortex-M4 ``Uc`` whose counter
  page is an ``mmio_map`` with a Python callback returning a 1 MHz count: the floor for a
  loop that really reads the register each iteration;
- sphere-emu, fast-forward off: gpt3-tick-tock.elf polling GPT3 iteration by iteration
  (``--slow-ms`` of virtual time, extrapolated);
- sphere-emu, fast-forward on: the whole 1 s Tick -> Tock wait;
- one GPT3_CNT read through io0's map (the MMIO path of every unaccelerated iteration);
- status waits (status-poll.elf), fast-forward on and off: 40 DMA memory-to-memory copies,
  each waited for by polling GLBSTA0's RUN bit (``ldr; ands; bne``), and 16 host bytes
  received at 115200 baud, each waited for by polling the UART's LSR.DR (``ldr; lsls;
  bpl``); plain Unicorn's reference is that LSR loop on a bare ``Uc`` whose status page is
  an ``mmio_map`` callback reading "not ready";
- SysTick counter waits (systick-poll.elf), fast-forward on and off: 4 ms of waits polling
  SYST_CVR, the down-counter that reloads at 0 (``ldr; cmp; bhi`` down to a threshold,
  ``ldr; subs; cmp; bls`` for elapsed ticks, cut short by a reload);
- A7 counter waits (a7-cntpct-poll.elf), fast-forward on and off: nine 1 ms waits polling
  the generic timer's CNTPCT/CNTVCT (coprocessor reads: ``isb; mrrc; cmp; sbcs; bcc``
  against a 64-bit deadline, ``isb; mrrc; sub; cmp; bls`` on the low word).
Targets (issue 16): 1 s of GPT3 busy-wait in <= 0.5 s; GPT3 counter read <= 1.3 us.
"""

import argparse
import time
from pathlib import Path

from unicorn import UC_ARCH_ARM, UC_MODE_MCLASS, UC_MODE_THUMB, Uc
from unicorn.arm_const import (
    UC_ARM_REG_PC,
    UC_ARM_REG_R1,
    UC_ARM_REG_R2,
    UC_ARM_REG_R3,
    UC_CPU_ARM_CORTEX_M4,
)

from sphere_emu.board import load_board
from sphere_emu.machine import Machine
from sphere_emu.testing import EmulatedDevice

ROOT = Path(__file__).resolve().parent.parent
BOARD = ROOT / "boards" / "mt3620-rdb.yaml"
TICK_TOCK = ROOT / "firmware" / "prebuilt" / "gpt3-tick-tock.elf"
STATUS_POLL = ROOT / "firmware" / "prebuilt" / "status-poll.elf"
SYSTICK_POLL = ROOT / "firmware" / "prebuilt" / "systick-poll.elf"
A7_COUNTER_POLL = ROOT / "firmware" / "prebuilt" / "a7-cntpct-poll.elf"
IO_HZ = 197_600_000
LOOP_INSTRUCTIONS = 3
CODE, COUNTER_PAGE = 0x00100000, 0x21030000
# ldr r1, [r3, #0x58]; cmp r1, r2; bls back
LOOP = bytes.fromhex("996d" "9142" "fcd9")
# ldr r0, [r1, #0x14]; lsls r0, r0, #31; bpl back (status-poll's LSR.DR wait)
STATUS_LOOP = bytes.fromhex("4869" "c007" "fcd5")
UART_PAGE = 0x21040000


def clocks() -> tuple[float, float]:
    return time.process_time(), time.perf_counter()


def since(start: tuple[float, float]) -> tuple[float, float]:
    cpu, wall = clocks()
    return cpu - start[0], wall - start[1]


def plain_unicorn(virtual_us: int) -> tuple[float, float]:
    """Host (cpu, wall) seconds per virtual second for the loop on a bare ``Uc``."""
    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
    uc.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_M4)
    uc.mem_map(CODE, 0x1000)
    uc.mem_write(CODE, LOOP + bytes.fromhex("00bf"))
    reads = [0]

    def read(_uc: Uc, _offset: int, _size: int, _data: object) -> int:
        reads[0] += 1
        return reads[0] * LOOP_INSTRUCTIONS * 1_000_000 // IO_HZ  # a 1 MHz count

    uc.mmio_map(COUNTER_PAGE, 0x1000, read, None, lambda *_: None, None)
    uc.reg_write(UC_ARM_REG_R3, COUNTER_PAGE)
    uc.reg_write(UC_ARM_REG_R2, virtual_us)
    start = clocks()
    pc = CODE
    while pc != CODE + len(LOOP):
        uc.emu_start(pc | 1, CODE + len(LOOP), count=98_800)
        pc = uc.reg_read(UC_ARM_REG_PC) & ~1
    cpu, wall = since(start)
    scale = 1_000_000 / virtual_us
    return cpu * scale, wall * scale


def plain_status_loop(instructions: int) -> tuple[float, float]:
    """Host (cpu, wall) seconds per virtual second of the LSR loop on a bare ``Uc``."""
    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
    uc.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_M4)
    uc.mem_map(CODE, 0x1000)
    uc.mem_write(CODE, STATUS_LOOP)
    uc.mmio_map(UART_PAGE, 0x1000, lambda *_: 0, None, lambda *_: None, None)
    uc.reg_write(UC_ARM_REG_R1, UART_PAGE)
    start = clocks()
    done = 0
    while done < instructions:
        uc.emu_start(CODE | 1, CODE + len(STATUS_LOOP), count=98_800)
        done += 98_800
    cpu, wall = since(start)
    scale = IO_HZ / done
    return cpu * scale, wall * scale


def status_waits(fast_forward: bool) -> dict[str, tuple[float, float, int]]:
    """Host (cpu, wall) seconds per virtual second of status-poll's DMA and UART waits, and
    the virtual ns each took."""
    dev = EmulatedDevice(BOARD, fast_forward=fast_forward, io0=STATUS_POLL)
    start = clocks()
    dma = dev.wait_for_line("status-poll: dma copies", timeout="10ms")
    dma_cpu, dma_wall = since(start)
    ready = dev.wait_for_line("status-poll: uart$", timeout="50ms")
    dev.send("io0-uart", bytes(range(1, 17)))
    start = clocks()
    got = dev.wait_for_line("status-poll: uart sum", timeout="10ms")
    uart_cpu, uart_wall = since(start)
    uart_ns = got.time_ns - ready.time_ns
    return {"dma": (dma_cpu * 1e9 / dma.time_ns, dma_wall * 1e9 / dma.time_ns, dma.time_ns),
            "uart": (uart_cpu * 1e9 / uart_ns, uart_wall * 1e9 / uart_ns, uart_ns)}


def counter_waits(fast_forward: bool, firmware: Path, core: str, board: Path = BOARD
                  ) -> tuple[float, float, int]:
    """Host (cpu, wall) seconds per virtual second of systick-poll's SYST_CVR waits or
    a7-cntpct-poll's CNTPCT/CNTVCT waits, and the virtual ns they took."""
    dev = EmulatedDevice(board, fast_forward=fast_forward, **{core: firmware})
    name = firmware.stem
    begin = dev.wait_for_line(f"{name}: start", timeout="1ms")
    start = clocks()
    done = dev.wait_for_line(f"{name}: done", timeout="20ms")
    cpu, wall = since(start)
    ran = done.time_ns - begin.time_ns
    return cpu * 1e9 / ran, wall * 1e9 / ran, ran


def machine(fast_forward: bool, virtual_ns: int | None) -> tuple[float, float, int]:
    """Host (cpu, wall) seconds per virtual second polling GPT3; and the virtual ns run."""
    dev = EmulatedDevice(BOARD, fast_forward=fast_forward, io0=TICK_TOCK)
    tick = dev.wait_for_line("Tick", timeout="10ms")
    start = clocks()
    if virtual_ns is None:
        tock = dev.wait_for_line("Tock", timeout="2s")
        ran = tock.time_ns - tick.time_ns
    else:
        dev.run_for(virtual_ns)
        ran = virtual_ns
    cpu, wall = since(start)
    return cpu * 1e9 / ran, wall * 1e9 / ran, ran


def counter_read_us(reads: int = 100_000) -> float:
    """One GPT3_CNT read through io0's address map, as the guest's load reaches it."""
    m = Machine(load_board(BOARD))
    core = m.cores["io0"]
    mapping = core.address_map.find(COUNTER_PAGE)
    gpt = mapping.peripheral
    gpt.write(0x50, 4, (25 << 16) | 1, core.address_map.access)  # GPT3 on, 1 MHz
    read, _ = core.address_map._serve(core.uc, mapping, 0)  # what Unicorn calls
    offset = COUNTER_PAGE + 0x58 - mapping.base
    start = time.process_time()
    for _ in range(reads):
        read(0, offset, 4, None)
    return (time.process_time() - start) / reads * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow-ms", type=float, default=5.0)
    args = parser.parse_args()
    plain = plain_unicorn(2000)
    slow = machine(False, int(args.slow_ms * 1e6))
    fast = machine(True, None)
    read = counter_read_us()
    plain_status = plain_status_loop(2_000_000)
    status_slow, status_fast = status_waits(False), status_waits(True)
    systick_slow, systick_fast = (counter_waits(ff, SYSTICK_POLL, "io0") for ff in (False, True))
    a7_slow, a7_fast = (counter_waits(ff, A7_COUNTER_POLL, "a7", ROOT / "boards" / "mt3620.yaml")
                        for ff in (False, True))
    print("host seconds per virtual second of GPT3 busy-wait (cpu / wall):")
    print(f"  plain Unicorn, Python MMIO counter : {plain[0]:8.3f} / {plain[1]:8.3f}")
    print(f"  sphere-emu, fast-forward off       : {slow[0]:8.3f} / {slow[1]:8.3f}"
          f"   ({plain[0] / slow[0]:.2f}x plain, cpu)")
    print(f"  sphere-emu, fast-forward on        : {fast[0]:8.3f} / {fast[1]:8.3f}"
          f"   ({plain[0] / fast[0]:.0f}x plain, cpu; Tick->Tock {fast[2]} ns)")
    print(f"virtual seconds per host second, fast-forward on: {1 / fast[0]:.2f} (cpu), "
          f"{1 / fast[1]:.2f} (wall)   (target >= 2)")
    print(f"GPT3_CNT read through io0's map    : {read:8.2f} us   (target <= 1.3 us)")
    print("host seconds per virtual second of status waits (cpu / wall):")
    print(f"  plain Unicorn, LSR loop, Python MMIO : {plain_status[0]:8.3f} / "
          f"{plain_status[1]:8.3f}")
    for name, what in (("dma", "DMA GLBSTA0 RUN poll"), ("uart", "UART LSR.DR poll")):
        (slow_cpu, slow_wall, ran), (fast_cpu, fast_wall, _) = status_slow[name], status_fast[name]
        print(f"  {what:21}, fast-forward off : {slow_cpu:8.3f} / {slow_wall:8.3f}"
              f"   ({plain_status[0] / slow_cpu:.2f}x plain, cpu; {ran} ns virtual)")
        print(f"  {what:21}, fast-forward on  : {fast_cpu:8.3f} / {fast_wall:8.3f}"
              f"   ({plain_status[0] / fast_cpu:.0f}x plain, {slow_cpu / fast_cpu:.0f}x off, cpu;"
              f" {1 / fast_cpu:.1f} virtual s per host s)")
    for what, slow_run, fast_run in (("SysTick SYST_CVR", systick_slow, systick_fast),
                                     ("A7 CNTPCT/CNTVCT", a7_slow, a7_fast)):
        print(f"host seconds per virtual second of {what} waits (cpu / wall):")
        print(f"  fast-forward off : {slow_run[0]:8.3f} / {slow_run[1]:8.3f}"
              f"   ({slow_run[2]} ns virtual)")
        print(f"  fast-forward on  : {fast_run[0]:8.3f} / {fast_run[1]:8.3f}"
              f"   ({slow_run[0] / fast_run[0]:.0f}x off, cpu;"
              f" {1 / fast_run[0]:.1f} virtual s per host s)")


if __name__ == "__main__":
    main()
