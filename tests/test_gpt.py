"""MT3620 GPT model, register level: counters and expiries in virtual time."""

import pytest
from conftest import BOARDS

from sphere_emu.board import load_board
from sphere_emu.clock import Clock
from sphere_emu.peripherals.gpt import Mt3620Gpt
from sphere_emu.peripherals.registers import BusAccess, PeripheralContext

ISR, IER = 0x00, 0x04
CTRL = {0: 0x10, 1: 0x20}
ICNT = {0: 0x14, 1: 0x24}
CNT = {0: 0x40, 1: 0x44}
GPT2_CTRL, GPT2_CNT = 0x30, 0x34
GPT3_CTRL, GPT3_INIT, GPT3_CNT, GPT3_EXPIRE = 0x50, 0x54, 0x58, 0x5C
GPT4_CTRL, GPT4_INIT, GPT4_CNT = 0x60, 0x64, 0x68
EN, REPEAT, SPEED_32K, RESTART = 0x1, 0x2, 0x4, 0x8
WHO = BusAccess("io0")
MS = 1_000_000


def tick_ns(ticks: int, hz_num: int = 32768, hz_den: int = 33) -> int:
    """When ``ticks`` ticks of a clock of hz_num/hz_den Hz have elapsed (rounded up)."""
    return -(-ticks * hz_den * 10**9 // hz_num)


class Recorder:
    def __init__(self) -> None:
        self.history: list[tuple[int, bool]] = []
        self.clock: Clock | None = None

    def set_irq_level(self, irq: int, level: bool) -> None:
        self.history.append((self.clock.now_ns, level))

    def rises(self) -> list[int]:
        return [t for t, level in self.history if level]


class Gpt:
    def __init__(self, **options) -> None:
        self.clock = Clock()
        self.model = Mt3620Gpt("io0-gpt", PeripheralContext(clock=self.clock, options=options))
        self.gpt01, self.gpt3 = Recorder(), Recorder()
        self.gpt01.clock = self.gpt3.clock = self.clock
        self.model.irqs["gpt01"].connect(self.gpt01, 1)
        self.model.irqs["gpt3"].connect(self.gpt3, 2)

    def r(self, offset: int) -> int:
        return self.model.read(offset, 4, WHO)

    def w(self, offset: int, value: int) -> None:
        self.model.write(offset, 4, value, WHO)

    def at(self, ns: int) -> None:
        self.clock.advance_to(ns)


@pytest.fixture
def g() -> Gpt:
    return Gpt()


def test_sample_one_shot_ms_timer_expires_after_icnt_ticks(g):
    g.w(IER, 0x1)
    g.w(ICNT[0], 100)
    g.w(CTRL[0], EN | RESTART)  # the Microsoft samples' one-shot "ms" timer
    due = tick_ns(100)
    assert abs(due - 100 * MS) < tick_ns(1)  # 100 ticks of 32768/33 Hz: 100.7 ms
    g.at(due - 1)
    assert g.r(ISR) == 0 and g.r(CNT[0]) == 1
    g.at(due)
    assert g.r(ISR) == 0x1 and g.r(CNT[0]) == 0
    assert g.gpt01.rises() == [due]
    g.w(ISR, g.r(ISR))  # read, write back: cleared
    assert g.r(ISR) == 0 and g.gpt01.history[-1] == (due, False)
    g.at(due + 10_000 * MS)
    assert g.gpt01.rises() == [due]  # one-shot: once
    assert g.r(CNT[0]) == 0


def test_status_sets_without_ier_but_only_ier_raises_the_line(g):
    g.w(ICNT[1], 5)
    g.w(CTRL[1], EN | RESTART | SPEED_32K)
    g.at(tick_ns(5, 32768, 1))
    assert g.r(ISR) == 0x2 and g.gpt01.history == []
    g.w(IER, 0x2)
    assert g.gpt01.history[-1][1] is True
    g.w(IER, 0x0)
    assert g.gpt01.history[-1][1] is False


def test_repeat_mode_fires_every_icnt_ticks(g):
    g.w(IER, 0x3)
    g.w(ICNT[1], 20)
    g.w(CTRL[1], EN | REPEAT | RESTART)
    for k in range(1, 6):
        g.at(tick_ns(20 * k) + 1)
        assert g.r(ISR) == 0x2
        g.w(ISR, 0x2)
    rises = g.gpt01.rises()
    assert len(rises) == 5
    assert abs(rises[-1] - tick_ns(100)) <= 5  # no drift beyond a ns per period


def test_disable_freezes_and_enable_resumes_without_restart(g):
    g.w(ICNT[0], 1000)
    g.w(CTRL[0], EN | RESTART | SPEED_32K)
    g.at(tick_ns(300, 32768, 1))
    g.w(CTRL[0], 0)
    assert g.r(CNT[0]) == 700
    g.at(10 * MS * 1000)
    assert g.r(CNT[0]) == 700 and g.r(ISR) == 0
    start = g.clock.now_ns
    g.w(CTRL[0], EN | SPEED_32K)
    g.at(start + tick_ns(700, 32768, 1))
    assert g.r(ISR) == 0x1


def test_disabling_before_expiry_cancels_it(g):
    g.w(ICNT[0], 10)
    g.w(CTRL[0], EN | RESTART)
    g.at(5 * MS)
    g.w(CTRL[0], 0)
    g.at(1000 * MS)
    assert g.r(ISR) == 0


def test_restart_while_running_reloads_icnt(g):
    g.w(ICNT[0], 10)
    g.w(CTRL[0], EN | RESTART | SPEED_32K)
    g.at(tick_ns(8, 32768, 1))
    g.w(CTRL[0], EN | RESTART | SPEED_32K)
    assert g.r(CNT[0]) == 10
    g.at(tick_ns(17, 32768, 1))
    assert g.r(ISR) == 0
    g.at(g.clock.now_ns + tick_ns(2, 32768, 1))
    assert g.r(ISR) == 1


def test_gpt2_free_runs_and_its_count_is_writable(g):
    g.w(GPT2_CNT, 100)
    g.w(GPT2_CTRL, EN | 0x2)  # 32.768 kHz
    g.at(1000 * MS)
    assert g.r(GPT2_CNT) == 100 + 32768
    g.w(GPT2_CTRL, EN)  # ~1 kHz from here on
    g.at(2000 * MS)
    assert g.r(GPT2_CNT) == 100 + 32768 + 992
    g.w(GPT2_CNT, 0xFFFFFFFF)
    g.at(2000 * MS + tick_ns(2))
    assert g.r(GPT2_CNT) == 1  # wraps at 32 bits


def test_gpt3_counts_microseconds_from_init_and_pulses_at_expire(g):
    g.w(GPT3_INIT, 1000)
    g.w(GPT3_EXPIRE, 6000)
    g.w(GPT3_CTRL, (0x19 << 16) | EN)
    g.at(2 * MS + 500)
    assert g.r(GPT3_CNT) == 3000
    g.at(5 * MS)
    assert g.gpt3.history == [(5 * MS, True), (5 * MS, False)]
    assert g.r(GPT3_CNT) == 6000
    g.at(7 * MS)
    assert g.r(GPT3_CNT) == 8000  # keeps counting past EXPIRE
    assert len(g.gpt3.rises()) == 1


def test_gpt3_rate_follows_osc_cnt(g):
    assert g.r(GPT3_CTRL) == 0x19 << 16
    g.w(GPT3_CTRL, (12 << 16) | EN)  # 26 MHz / 13 = 2 MHz
    g.at(1 * MS)
    assert g.r(GPT3_CNT) == 2000
    g.w(GPT3_CTRL, (12 << 16) | EN | (1 << 15))  # ICLR is a command bit, not stored
    assert g.r(GPT3_CTRL) == (12 << 16) | EN


def test_gpt3_expire_written_while_running_reschedules(g):
    g.w(GPT3_EXPIRE, 0xFFFFFFFF)
    g.w(GPT3_CTRL, (0x19 << 16) | EN)
    g.at(1 * MS)
    g.w(GPT3_EXPIRE, 1500)
    g.at(2 * MS)
    assert g.gpt3.rises() == [MS + MS // 2]


def test_gpt4_counts_core_clock_or_half(g):
    g.w(GPT4_INIT, 7)
    g.w(GPT4_CTRL, EN | 0x2)
    g.at(1 * MS)
    assert g.r(GPT4_CNT) == 7 + 197_600
    g.w(GPT4_CTRL, 0)
    g.w(GPT4_CTRL, EN)  # re-enable: reload INIT, HCLK/2
    g.at(2 * MS)
    assert g.r(GPT4_CNT) == 7 + 98_800


def test_gpt4_clock_is_a_board_option(tmp_path):
    fast = Gpt(hclk=26_000_000)
    fast.w(GPT4_CTRL, EN | 0x2)
    fast.at(1 * MS)
    assert fast.r(GPT4_CNT) == 26_000
    board = tmp_path / "b.yaml"
    board.write_text(f"include: {BOARDS / 'mt3620.yaml'}\n"
                     "peripherals:\n  io0-gpt: {type: mt3620-gpt, hclk: 26MHz}\n")
    assert load_board(board).peripherals["io0-gpt"].options == {"hclk": 26_000_000}


def test_reads_between_events_are_stable_and_side_effect_free(g):
    g.w(ICNT[0], 50)
    g.w(CTRL[0], EN | RESTART)
    g.at(10 * MS)
    assert len({g.r(CNT[0]) for _ in range(5)}) == 1
    assert g.r(ISR) == 0


def test_rewriting_ctrl_with_the_same_speed_does_not_disturb_running_timers(g):
    g.w(IER, 0x1)
    g.w(ICNT[0], 10)
    g.w(CTRL[0], EN | RESTART)
    g.w(GPT3_EXPIRE, 5000)
    g.w(GPT3_CTRL, (0x19 << 16) | EN)
    for t in range(1, 9):
        g.at(t * MS + 300)
        g.w(CTRL[0], EN | REPEAT)  # mode only: looked at when it expires
        g.w(GPT3_CTRL, (0x19 << 16) | EN | (1 << 15))  # an ICLR "acknowledge"
    g.at(12 * MS)
    assert g.gpt3.rises() == [5 * MS]
    assert g.gpt01.rises() == [tick_ns(10)]
    g.w(ISR, 0x1)
    g.at(25 * MS)
    assert g.gpt01.rises() == [tick_ns(10), tick_ns(20)]  # now repeating, same phase
