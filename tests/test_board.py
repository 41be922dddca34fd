"""Board files: includes, overrides and the one-line errors users see for mistakes."""

import json
import textwrap
from pathlib import Path

import pytest

from sphere_emu.board import load_board
from sphere_emu.errors import BoardError

SOC = """
name: soc
memories:
  ram: {size: 64K}
  flash: {size: 1M, readonly: true}
cores:
  cpu:
    type: cortex-m4f
    frequency: 100MHz
    irqs: 16
    priority_bits: 3
    map:
      - {at: 0x00100000, memory: ram}
      - {at: 0x10000000, memory: flash}
      - {at: 0x21000000, size: 64K, unimplemented: misc}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def error_of(path: Path) -> str:
    with pytest.raises(BoardError) as info:
        load_board(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_include_merges_and_overrides(tmp_path):
    write(tmp_path, "soc.yaml", SOC)
    board = write(tmp_path, "board.yaml", """
        include: soc.yaml
        name: my-board
        memories:
          ram: {size: 128K}
        cores:
          cpu:
            frequency: 26MHz
            map:
              - {at: 0x22000000, size: 4K, unimplemented: extra}
    """)
    spec = load_board(board)
    assert spec.name == "my-board"
    assert spec.memories["ram"].size == 128 * 1024
    cpu = spec.cores["cpu"]
    assert cpu.frequency_hz == 26_000_000
    assert [e.name for e in cpu.map] == ["ram", "flash", "misc", "extra"]
    assert cpu.map[0].size == 128 * 1024  # a memory mapping follows the memory's size
    assert spec.memories["flash"].readonly


@pytest.mark.parametrize("body, expected", [
    ("bogus: 1", "bogus: unknown key"),
    ("cores:\n  cpu:\n    frequency: fast", "cores.cpu.frequency: not a frequency: 'fast'"),
    ("cores:\n  cpu:\n    map:\n      - {at: zz, size: 4K, unimplemented: x}",
     "cores.cpu.map[3].at: not a number: 'zz'"),
    ("cores:\n  cpu:\n    map:\n      - {at: 0x00108000, size: 4K, unimplemented: x}",
     "cores.cpu.map[3]: x at 0x00108000 overlaps ram"),
    ("peripherals:\n  p: {type: no-such-block}", "peripherals.p.type: unknown peripheral type"),
    ("cores:\n  cpu:\n    type: z80", "cores.cpu.type: unknown core type 'z80'"),
    ("cores:\n  cpu:\n    map:\n      - {at: 0x30000000, memory: nope}",
     "cores.cpu.map[3].memory: no memory named 'nope'"),
    ("memories:\n  ram: {size: 100}", "memories.ram.size: must be a positive multiple of 4K"),
])
def test_mistakes_are_named_by_file_and_key(tmp_path, body, expected):
    write(tmp_path, "soc.yaml", SOC)
    board = write(tmp_path, "board.yaml", "include: soc.yaml\n" + body + "\n")
    message = error_of(board)
    assert expected in message
    assert "board.yaml" in message  # the file the mistake is in, not the one it was merged into


def test_error_in_an_included_file_names_that_file(tmp_path):
    write(tmp_path, "soc.yaml", SOC.replace("frequency: 100MHz", "frequency: 100 parsecs"))
    board = write(tmp_path, "board.yaml", "include: soc.yaml\n")
    message = error_of(board)
    assert "soc.yaml: cores.cpu.frequency" in message


def test_missing_include_and_bad_yaml(tmp_path):
    board = write(tmp_path, "board.yaml", "include: nowhere.yaml\n")
    assert "no such board file" in error_of(board) and "nowhere.yaml" in error_of(board)
    bad = write(tmp_path, "bad.yaml", "cores: [\n")
    assert "invalid YAML" in error_of(bad)
    assert "no such board file" in error_of(tmp_path / "absent.yaml")


def test_include_cycle_is_refused(tmp_path):
    write(tmp_path, "a.yaml", "include: b.yaml\n")
    write(tmp_path, "b.yaml", "include: a.yaml\n")
    assert "include cycle" in error_of(tmp_path / "a.yaml")


def test_cli_reports_board_errors_on_one_line(tmp_path, cli):
    write(tmp_path, "soc.yaml", SOC)
    board = write(tmp_path, "board.yaml", "include: soc.yaml\nbogus: 1\n")
    result = cli("board", "show", str(board))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "bogus: unknown key" in result.stderr
    assert "Traceback" not in result.stderr


def test_board_show_lists_each_cores_view(tmp_path, cli):
    board = write(tmp_path, "soc.yaml", SOC)
    text = cli("board", "show", str(board))
    assert text.returncode == 0, text.stderr
    assert "core cpu (cortex-m4f, 100 MHz" in text.stdout
    assert "00100000-0010ffff  ram" in text.stdout
    as_json = json.loads(cli("board", "show", "--json", str(board)).stdout)
    assert as_json["cores"]["cpu"]["map"][2]["kind"] == "unimplemented"


def test_board_files_are_never_written(tmp_path, cli):
    board = write(tmp_path, "soc.yaml", SOC)
    before = board.read_bytes(), board.stat().st_mtime_ns
    cli("board", "show", str(board))
    assert (board.read_bytes(), board.stat().st_mtime_ns) == before


SHARED = SOC + """
  cpu2:
    type: cortex-m4f
    frequency: 50MHz
    irqs: 32
    map:
      - {at: 0x00100000, memory: ram}
peripherals:
  uart: {type: mt3620-uart, at: {cpu: 0x38000000, cpu2: 0x38000000}, irqs: {cpu: 4, cpu2: 20}}
  gpt: {type: mt3620-gpt, at: {cpu: 0x21030000}, irqs: {cpu: {gpt01: 1, gpt3: 2}}}
  adc: {type: unimplemented, size: 64K, at: {cpu: 0x38010000, cpu2: 0x38010000}}
"""


def test_a_block_is_declared_once_and_placed_in_each_core_that_sees_it(tmp_path):
    spec = load_board(write(tmp_path, "soc.yaml", SHARED))
    views = {c: {e.name: e for e in spec.cores[c].map} for c in ("cpu", "cpu2")}
    assert views["cpu"]["uart"].base == views["cpu2"]["uart"].base == 0x38000000
    assert views["cpu"]["uart"].irqs == {"irq": 4} and views["cpu2"]["uart"].irqs == {"irq": 20}
    assert views["cpu"]["gpt"].irqs == {"gpt01": 1, "gpt3": 2} and "gpt" not in views["cpu2"]
    assert views["cpu2"]["adc"].kind == "unimplemented" and views["cpu2"]["adc"].size == 0x10000
    assert list(spec.peripherals) == ["uart", "gpt"]  # placeholders are not instances


def test_a_board_moves_a_block_for_one_core(tmp_path):
    write(tmp_path, "soc.yaml", SHARED)
    spec = load_board(write(tmp_path, "board.yaml", """
        include: soc.yaml
        peripherals:
          uart: {at: {cpu2: 0x38100000}}
    """))
    assert {e.name: e.base for e in spec.cores["cpu2"].map}["uart"] == 0x38100000
    assert {e.name: e.base for e in spec.cores["cpu"].map}["uart"] == 0x38000000


@pytest.mark.parametrize("body, expected", [
    ("peripherals:\n  uart: {at: {cpu3: 0x1000}}", "peripherals.uart.at.cpu3: unknown key"),
    ("peripherals:\n  uart: {irqs: {cpu2: 40}}", "peripherals.uart.irqs.cpu2: IRQ 40 out of range"),
    ("peripherals:\n  gpt: {irqs: {cpu: 3}}", "peripherals.gpt.irqs.cpu: name the outputs"),
    ("peripherals:\n  adc: {at: {cpu: 0x38000080}}",
     "peripherals.adc.at.cpu: adc at 0x38000080 overlaps uart"),
    ("cores:\n  cpu:\n    map:\n      - {at: 0x30000000, peripheral: uart}",
     "blocks are placed with 'at' under peripherals"),
])
def test_placement_mistakes_are_named_by_key(tmp_path, body, expected):
    write(tmp_path, "soc.yaml", SHARED)
    message = error_of(write(tmp_path, "board.yaml", "include: soc.yaml\n" + body + "\n"))
    assert expected in message and "board.yaml" in message
