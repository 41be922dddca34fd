"""A host error inside a register access (a bug in a block's Python code) while firmware runs:
it comes out of the run as itself, the access's instruction does not retire, and the run
goes on from that instruction with nothing lost (real firmware: hello-rt on io0)."""

import pytest
from conftest import BOARDS, PREBUILT

from sphere_emu.testing import EmulatedDevice

GREETING = "Hello from the MT3620 IO core!"


@pytest.mark.parametrize("direction", ["read", "write"])
def test_a_host_error_in_an_access_stops_the_run_and_loses_nothing(direction):
    dev = EmulatedDevice(BOARDS / "mt3620-rdb.yaml", io0=PREBUILT / "hello-rt.elf")
    uart = dev.machine.peripherals["io0-uart"]
    served = getattr(uart, direction)
    calls = 0

    def broken(*args):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise ZeroDivisionError("a bug in the block")
        return served(*args)

    setattr(uart, direction, broken)
    with pytest.raises(ZeroDivisionError, match="a bug in the block"):
        dev.run_for("10ms")
    assert calls == 3  # the run stopped at the failing access
    setattr(uart, direction, served)
    dev.run_for("10ms")
    assert [e.line for e in dev.lines] == [GREETING]
    assert dev.output("io0-uart") == (GREETING + "\r\n").encode()
