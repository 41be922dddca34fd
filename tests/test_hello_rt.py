"""hello-rt, the smallest RT app: greets on the debug UART, then counts GPT0 one-shot seconds."""

from conftest import BOARDS, PREBUILT

from sphere_emu.testing import EmulatedDevice

BOARD = BOARDS / "mt3620-rdb.yaml"
ELF = PREBUILT / "hello-rt.elf"
RUN = ["run", str(BOARD), str(ELF), "--core", "io0"]
SECOND_NS = 1000 * 33 * 10**9 // 32768  # 1000 ticks of the "1 kHz" (32768/33 Hz) clock


def test_ticks_arrive_one_timer_second_apart_in_virtual_time():
    dev = EmulatedDevice(BOARD, io0=ELF)
    hello = dev.wait_for_line(r"Hello from the MT3620 IO core!", timeout="10ms")
    ticks = [dev.wait_for_line(rf"^Tick {n}$", timeout="1100ms") for n in (1, 2, 3)]
    assert hello.time_ns < 1_000_000
    times = [hello.time_ns] + [t.time_ns for t in ticks]
    for a, b in zip(times, times[1:], strict=False):
        # the timer's second, plus the polled prints and at most one 0.5 ms polling slice
        assert SECOND_NS <= b - a < SECOND_NS + 1_000_000
    assert dev.output("io0-uart").startswith(b"Hello from the MT3620 IO core!\r\nTick 1\r\n")


def test_cli_meets_expectation_and_prints_lines(cli):
    result = cli(*RUN, "--timeout", "3s", "--expect", "Tick 2")
    assert result.returncode == 0, result.stderr
    assert "Hello from the MT3620 IO core!" in result.stdout
    assert "Tick 1" in result.stdout and "Tick 2" in result.stdout
    assert "Tick 3" not in result.stdout
    assert "expectation met on io0-uart: Tick 2" in result.stderr


def test_cli_timeout_before_expectation_exits_3(cli):
    result = cli(*RUN, "--timeout", "1500ms", "--expect", "Tick 2")
    assert result.returncode == 3
    assert "Tick 1" in result.stdout and "Tick 2" not in result.stdout


def test_cli_uart_to_file(cli, tmp_path):
    log = tmp_path / "uart.log"
    result = cli(*RUN, "--timeout", "3s", "--expect", "Tick 2", "--uart", f"io0-uart=file:{log}")
    assert result.returncode == 0, result.stderr
    assert log.read_bytes() == b"Hello from the MT3620 IO core!\r\nTick 1\r\nTick 2\r\n"
    assert "Tick" not in result.stdout
