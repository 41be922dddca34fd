"""Blocks declared 'unimplemented' read as zero, ignore writes and are logged once by name."""

from conftest import BOARDS, PREBUILT


def test_firmware_runs_on_and_each_block_is_logged_once(cli):
    result = cli("run", str(BOARDS / "mt3620-rdb.yaml"), str(PREBUILT / "unimplemented-probe.elf"),
                 "--core", "io0", "--timeout", "10ms", "--expect", "still running")
    assert result.returncode == 0, result.stderr
    assert "unimplemented blocks read 0x00000000" in result.stdout
    for block in ("io0-wdt", "gpio0"):
        logged = [line for line in result.stderr.splitlines()
                  if f"unimplemented block {block} " in line]
        assert len(logged) == 1, result.stderr  # three writes and reads each, one line
