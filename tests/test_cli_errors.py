"""Bad input on the command line: one line on stderr, exit status 2, never a traceback."""

import pytest
from conftest import BOARDS, PREBUILT

BOARD = str(BOARDS / "mt3620-rdb.yaml")
HELLO = str(PREBUILT / "hello-rt.elf")


@pytest.mark.parametrize("args, expected", [
    (["run", "nope.yaml"], "no such board file"),
    (["run", BOARD, "/nonexistent.imagepackage"], "no such image package"),
    (["run", BOARD, "--timeout", "2parsecs"], "not a duration"),
    (["run", BOARD, HELLO, "--core", "io0", "--uart", "bad"], "--uart 'bad': expected"),
    (["run", BOARD, HELLO, "--core", "io9"], "--core io9: no such core"),
    (["run", BOARD, HELLO, "--core", "io0", "--expect", "("], "not a regular expression"),
    (["run", BOARD, HELLO, "--core", "io0", "--fail-on", "[z-a]"], "not a regular expression"),
    (["run", BOARD, "--device", "/nonexistent"], "no such device directory"),
    (["run", BOARD, HELLO], "needs --core"),
])
def test_bad_input_is_one_line_and_exit_2(cli, args, expected):
    result = cli(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and expected in result.stderr


def test_a_file_that_is_not_an_elf(cli, tmp_path):
    junk = tmp_path / "junk.elf"
    junk.write_bytes(b"junk\n")
    result = cli("run", BOARD, str(junk), "--core", "io0")
    assert result.returncode == 2 and "not an ELF file" in result.stderr


@pytest.mark.parametrize("what", ["length word", "magic"])
def test_a_sideloaded_package_refused_for_its_layout_exits_5_like_any_refusal(cli, tmp_path,
                                                                               what):
    data = bytearray((PREBUILT / "hello-rt.imagepackage").read_bytes())
    length_at = len(data) - 64 - 4
    meta_len = int.from_bytes(data[length_at:length_at + 4], "little")
    at = length_at + 1 if what == "length word" else length_at - meta_len + 4
    data[at] ^= 0xFF
    bad = tmp_path / "hello-rt.imagepackage"
    bad.write_bytes(bytes(data))
    result = cli("run", BOARD, str(bad), "--timeout", "10ms")
    assert result.returncode == 5, result.stderr
    assert result.stderr.splitlines() == [
        line for line in result.stderr.splitlines()
        if line.startswith(f"sideload refused: app image {bad}: malformed: ")]
    assert len(result.stderr.splitlines()) == 1
