"""MT3620 mailboxes as the board wires them: FIFOs, counts, doorbells and interrupts.

Real firmware exchanging messages through them with interrupts on all three cores is in
test_three_core.py; these tests pin the register behaviour both ends rely on.
"""

import textwrap

import pytest
from conftest import BOARDS

from sphere_emu.board import load_board
from sphere_emu.errors import BoardError
from sphere_emu.machine import Machine
from sphere_emu.peripherals.registers import BusAccess

A7 = BusAccess("a7", secure=True)
IO0 = BusAccess("io0")
CMD_PUSH, DATA_PUSH, PUSH_CNT, CMD_POP, DATA_POP, POP_CNT = 0x40, 0x44, 0x48, 0x50, 0x54, 0x58
SW_TX, SW_EN, SW_STS, INT_EN, INT_STS, GEN_CTRL = 0x14, 0x18, 0x1C, 0x38, 0x3C, 0x04
NE, WR, NF, RD = 1 << 0, 1 << 1, 1 << 2, 1 << 3  # the vendor's order (correction C1)


@pytest.fixture(scope="module")
def machine() -> Machine:
    return Machine(load_board(BOARDS / "mt3620.yaml"))


@pytest.fixture
def ends(machine):
    a7_end = machine.peripherals["mbox-a7io0-a7"]
    io0_end = machine.peripherals["mbox-a7io0-io0"]
    for end in (a7_end, io0_end):
        end.reset()
        end.update()
    return a7_end, io0_end


def send(end, cmd: int, data: int, who: BusAccess) -> None:
    end.write(DATA_PUSH, 4, data, who)
    end.write(CMD_PUSH, 4, cmd, who)


def receive(end, who: BusAccess) -> tuple[int, int]:
    data = end.read(DATA_POP, 4, who)
    return end.read(CMD_POP, 4, who), data


def test_board_pairs_every_end_with_its_peer(machine):
    pairs = [("mbox-a7io0-a7", "mbox-a7io0-io0"), ("mbox-a7io1-a7", "mbox-a7io1-io1"),
             ("mbox-io0io1-io0", "mbox-io0io1-io1")]
    for left, right in pairs:
        assert machine.peripherals[left].peer is machine.peripherals[right]
        assert machine.peripherals[right].peer is machine.peripherals[left]


def test_messages_arrive_in_order_in_a_15_deep_fifo(ends):
    a7_end, io0_end = ends
    for i in range(16):  # the 16th does not fit and is dropped
        send(a7_end, 0x100 + i, 1000 + i, A7)
    assert a7_end.read(PUSH_CNT, 4, A7) == 15
    assert io0_end.read(POP_CNT, 4, IO0) == 15
    assert [receive(io0_end, IO0) for _ in range(15)] == [(0x100 + i, 1000 + i)
                                                          for i in range(15)]
    assert io0_end.read(POP_CNT, 4, IO0) == 0
    assert a7_end.read(PUSH_CNT, 4, A7) == 0


def test_not_empty_interrupt_reaches_the_a7_gic_and_the_io0_nvic_line(machine, ends):
    a7_end, io0_end = ends
    gic = machine.cores["a7"].gic
    a7_end.write(INT_EN, 4, NE, A7)
    io0_end.write(INT_EN, 4, WR | NE, IO0)
    send(io0_end, 1, 0, IO0)
    assert gic.level[136]                      # the A7 end's NE output is GIC ID 136
    send(a7_end, 2, 0, A7)
    assert io0_end.irqs["wr"].level and io0_end.irqs["ne"].level
    receive(a7_end, A7)
    assert not gic.level[136]
    # RD: the A7 read our message; WR: the A7 sent us one; NF and NE are live levels
    assert io0_end.read(INT_STS, 4, IO0) == NE | WR | NF | RD
    io0_end.write(INT_STS, 4, RD | WR | NE | NF, IO0)          # write 1 clears RD and WR only
    assert io0_end.read(INT_STS, 4, IO0) == NE | NF
    assert not io0_end.irqs["wr"].level and io0_end.irqs["ne"].level  # still a message


def test_doorbell_raises_the_sw_interrupt_when_enabled(ends):
    a7_end, io0_end = ends
    a7_end.write(SW_TX, 4, 0x2, A7)
    assert io0_end.read(SW_STS, 4, IO0) == 0x2
    assert not io0_end.irqs["sw"].level        # not enabled yet
    io0_end.write(SW_EN, 4, 0x2, IO0)
    assert io0_end.irqs["sw"].level
    io0_end.write(SW_STS, 4, 0x2, IO0)         # the IRQ 11 handler clears it
    assert not io0_end.irqs["sw"].level


def test_version_reads_the_mt3620_value(ends):
    a7_end, io0_end = ends
    assert a7_end.read(0x00, 4, A7) == io0_end.read(0x00, 4, IO0) == 0x36200000


def test_opening_the_channel_keeps_what_the_a7_already_queued(ends):
    # MediaTek's driver writes GEN_CTRL = 0x2 when it opens a channel, maybe after the
    # kernel posted its three buffer set-up messages: they must still be there.
    a7_end, io0_end = ends
    for cmd in (0xBA5E0001, 0xBA5E0002, 0xBA5E0003):
        send(a7_end, cmd, 0, A7)
    send(io0_end, 7, 7, IO0)                   # io0's own message, not yet taken
    io0_end.write(SW_EN, 4, 0x2, IO0)
    a7_end.write(SW_TX, 4, 0x2, A7)
    io0_end.write(GEN_CTRL, 4, 0x2, IO0)
    assert io0_end.read(GEN_CTRL, 4, IO0) == 0          # self-clearing
    assert io0_end.read(POP_CNT, 4, IO0) == 3
    assert io0_end.read(INT_STS, 4, IO0) & (WR | RD) == 0
    assert a7_end.read(POP_CNT, 4, A7) == 0             # its own one withdrawn
    assert io0_end.irqs["sw"].level                     # doorbells untouched
    io0_end.write(GEN_CTRL, 4, 0x1, IO0)                # the "both sides" reset: the same
    assert [receive(io0_end, IO0)[0] for _ in range(3)] == [0xBA5E0001, 0xBA5E0002,
                                                            0xBA5E0003]


def test_the_a7_flushes_its_stale_messages_before_an_app_starts(ends):
    a7_end, io0_end = ends
    send(a7_end, 0xBA5E0003, 0, A7)
    a7_end.write(GEN_CTRL, 4, 0x2, A7)
    assert io0_end.read(POP_CNT, 4, IO0) == 0


def test_a_peer_must_be_another_mailbox(tmp_path):
    board = tmp_path / "bad.yaml"
    board.write_text(textwrap.dedent("""
        peripherals:
          box: {type: mt3620-mailbox, peer: uart}
          uart: {type: mt3620-uart}
        cores:
          io0: {type: cortex-m4f, frequency: 197.6MHz, irqs: 100, map: []}
    """))
    with pytest.raises(BoardError, match="uart is not another mt3620-mailbox"):
        Machine(load_board(board))
    board.write_text(board.read_text().replace("peer: uart", "peer: nowhere"))
    with pytest.raises(BoardError, match="peripherals.box.peer: no peripheral named 'nowhere'"):
        load_board(board)
