"""Cost of the firewall on an allowed MMIO access (issue 14: within 10% of without it).

    python benchmarks/bench_firewall.py [--accesses 200000]

Runs a Thumb loop of four identical loads per iteration on io0 of boards/mt3620-rdb.yaml
(straight on the core's Unicorn instance, so no scheduler work is counted), in one process
so machine noise hits every figure alike:
- ISU0's UART SCR with the firewall open (power-on: not in the bus path) - the baseline;
- the same with the firewall enforcing and ISU0 granted to io0 (the rule runs and allows);
- io0's private debug UART with the firewall enforcing (the rule runs, no slot to check).
The loop's own cost (the same loop with NOPs) is taken off each figure.
"""

import argparse
import time
from pathlib import Path

from unicorn import Uc
from unicorn.arm_const import UC_ARM_REG_R0, UC_ARM_REG_R3

from sphere_emu.board import load_board
from sphere_emu.machine import Machine
from sphere_emu.peripherals.registers import BusAccess

ROOT = Path(__file__).resolve().parent.parent
BOARD = ROOT / "boards" / "mt3620-rdb.yaml"
CODE = 0x00100000  # io0 TCM
ISU0_UART = 0x38070500
DEBUG_UART = 0x21040000
PER_ITERATION = 4
LDR_SCR = 0x69C1  # ldr r1, [r0, #0x1C]
SUBS_R3, BNE_BACK = 0x3B01, 0xD1F9
SECURE = BusAccess("a7", secure=True)


def loop(access: int) -> bytes:
    halfwords = [access] * PER_ITERATION + [SUBS_R3, BNE_BACK]
    return b"".join(h.to_bytes(2, "little") for h in halfwords)


def time_loop(uc: Uc, code: bytes, base: int, iterations: int, repeats: int = 3) -> float:
    """Best of ``repeats`` runs in process CPU time: the machine is shared, the minimum is
    the least disturbed."""
    uc.mem_write(CODE, code)
    best = float("inf")
    for _ in range(repeats):
        uc.reg_write(UC_ARM_REG_R0, base)
        uc.reg_write(UC_ARM_REG_R3, iterations)
        start = time.process_time()
        uc.emu_start(CODE | 1, CODE + len(code))
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accesses", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    iterations = args.accesses // PER_ITERATION
    machine = Machine(load_board(BOARD))
    firewall = machine.peripherals["firewall"]
    uc = machine.cores["io0"].uc  # type: ignore[attr-defined]
    time_loop(uc, loop(LDR_SCR), ISU0_UART, 1000)  # warm-up: translation, first calls
    empty = time_loop(uc, loop(0xBF00), ISU0_UART, iterations)
    per = 1e6 / (iterations * PER_ITERATION)

    # Alternate the two states (reset opens the firewall again) and keep each one's best.
    open_cost = allowed = private_open = private = float("inf")
    for _ in range(args.rounds):
        firewall.reset()
        open_cost = min(open_cost, time_loop(uc, loop(LDR_SCR), ISU0_UART, iterations) - empty)
        private_open = min(private_open,
                           time_loop(uc, loop(LDR_SCR), DEBUG_UART, iterations) - empty)
        firewall.write(0x100 + 4 * 7, 4, 0b11, SECURE)  # SLOT7 (ISU0): io0 read and write
        firewall.write(0x010, 4, 1, SECURE)  # CTRL.ENABLE
        allowed = min(allowed, time_loop(uc, loop(LDR_SCR), ISU0_UART, iterations) - empty)
        private = min(private, time_loop(uc, loop(LDR_SCR), DEBUG_UART, iterations) - empty)
    assert not firewall.denials

    print(f"ISU0 UART, firewall open:        {open_cost * per:6.3f} us/access")
    print(f"ISU0 UART, enforcing, allowed:   {allowed * per:6.3f} us/access  "
          f"({allowed / open_cost:5.3f}x open)")
    print(f"debug UART, firewall open:       {private_open * per:6.3f} us/access")
    print(f"debug UART, enforcing:           {private * per:6.3f} us/access  "
          f"({private / private_open:5.3f}x open)")


if __name__ == "__main__":
    main()
