"""Every file the CLI takes, given hostile inputs: one line, nonzero, bounded memory and time.

Special files (FIFO, /dev/zero), a sparse file far above every limit, a symlink loop, a
directory, random bytes, an empty file, non-UTF-8 content and a non-UTF-8 name, for every
command that reads a file. The command lines run in one probe process (tests/
cli_input_probe.py) whose peak RSS bounds what any of them allocated.
"""

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BOARDS, PREBUILT, ROOT

BOARD = str(BOARDS / "mt3620-rdb.yaml")
RT_ELF = str(PREBUILT / "hello-rt.elf")
RT_PKG = str(PREBUILT / "hello-rt.imagepackage")
RT_MANIFEST = str(ROOT / "firmware" / "apps" / "hello-rt" / "app_manifest.json")
PROBE = Path(__file__).with_name("cli_input_probe.py")
MAX_RSS_MIB = 200
MAX_SECONDS = 5


def hostile_inputs(tmp: Path) -> dict[str, str]:
    rng = random.Random(17)
    made = tmp / "inputs"
    made.mkdir()
    (made / "random").write_bytes(rng.randbytes(4096))
    (made / "empty").write_bytes(b"")
    (made / "directory").mkdir()
    os.mkfifo(made / "fifo")
    (made / "zero-link").symlink_to("/dev/zero")
    with (made / "sparse").open("wb") as f:
        f.truncate(2 * 1024**3 + 1)  # 2 GiB of nothing: must be refused, not read
    (made / "loop1").symlink_to(made / "loop2")
    (made / "loop2").symlink_to(made / "loop1")
    (made / "not-utf8").write_bytes(b"\xff\xfename: x\ncores: \x80\x81\n" + rng.randbytes(64))
    odd = made / os.fsdecode(b"name-\xff\xfe.imagepackage")
    odd.write_bytes(rng.randbytes(300))
    inputs = {p.name: str(p) for p in made.iterdir() if not p.name.startswith("loop2")}
    inputs["dev-zero"] = "/dev/zero"
    inputs["non-utf8-name"] = inputs.pop(odd.name)
    return inputs


def commands(tmp: Path) -> dict[str, list[str]]:
    """Each command that takes a file, with ``{}`` where the hostile file goes."""
    dev = str(tmp / "device")
    out = str(tmp / "out.imagepackage")
    key = str(tmp / "made")
    return {
        "run BOARD": ["run", "{}", "--timeout", "1ms"],
        "run PACKAGE": ["run", BOARD, "{}", "--timeout", "1ms"],
        "run ELF --core": ["run", BOARD, "{}", "--core", "io0", "--timeout", "1ms"],
        "run --core NAME=ELF": ["run", BOARD, "--core", "io0={}", "--timeout", "1ms"],
        "board show": ["board", "show", "{}"],
        "image show": ["image", "show", "{}"],
        "image verify": ["image", "verify", "{}"],
        "image verify --trust": ["image", "verify", RT_PKG, "--trust", "{}"],
        "pack-application --manifest": ["image", "pack-application", "--manifest", "{}",
                                        "--executable", RT_ELF, "--key", "development",
                                        "-o", out],
        "pack-application --executable": ["image", "pack-application", "--manifest",
                                          RT_MANIFEST, "--executable", "{}", "--key",
                                          "development", "-o", out],
        "pack-application --key": ["image", "pack-application", "--manifest", RT_MANIFEST,
                                   "--executable", RT_ELF, "--key", "{}", "-o", out],
        "pack-os-component": ["image", "pack-os-component", "{}", "--type", "kernel", "--key",
                              "development", "-o", out],
        "device create --root-cert": ["device", "create", str(tmp / "new"), "--root-cert", "{}"],
        "device trust": ["device", "trust", dev, "{}"],
        "device install": ["device", "install", dev, "{}"],
        "device attest --board": ["device", "attest", dev, "--board", "{}"],
        "keys show": ["keys", "show", "{}"],
        "keys create --ca": ["keys", "create", key, "--ca", "{}"],
    }


@pytest.fixture(scope="module")
def probe_results(tmp_path_factory, cli):
    tmp = tmp_path_factory.mktemp("cli-inputs")
    assert cli("device", "create", str(tmp / "device")).returncode == 0
    inputs = hostile_inputs(tmp)
    cases = [[arg.replace("{}", path) for arg in template]
             for template in commands(tmp).values() for path in inputs.values()]
    done = subprocess.run([sys.executable, str(PROBE)], input=json.dumps(cases),
                          capture_output=True, text=True, timeout=300, cwd=tmp,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    return report, inputs


@pytest.fixture(scope="module")
def cli():
    from conftest import run_cli
    return run_cli


def test_every_file_argument_gets_one_line_and_a_nonzero_exit(probe_results):
    report, inputs = probe_results
    unreadable = {inputs[k] for k in ("fifo", "dev-zero", "zero-link", "sparse", "loop1",
                                      "directory")}
    bad = []
    for case in report["results"]:
        lines = case["stderr"].splitlines()
        if case["args"][:2] == ["image", "pack-os-component"] and case["args"][2] not in \
                unreadable:
            assert case["status"] == 0, case  # any readable bytes are a raw binary to pack
            continue
        ok = (isinstance(case["status"], int) and case["status"] != 0 and len(lines) == 1
              and (lines[0].startswith("sphere-emu: error: ")
                   or lines[0].startswith("sideload refused: "))
              and case["seconds"] < MAX_SECONDS)
        if not ok:
            bad.append(f"{' '.join(case['args'])}: status {case['status']}, "
                       f"{case['seconds']:.1f} s: {case['stderr'][-300:]!r}")
    assert not bad, "\n".join(bad)
    assert len(report["results"]) >= 18 * len(inputs)


def test_no_hostile_input_makes_the_cli_allocate(probe_results):
    report, _ = probe_results
    assert report["peak_rss_mib"] < MAX_RSS_MIB


def test_messages_say_what_is_wrong_with_which_file(probe_results):
    report, inputs = probe_results
    show = {c["args"][2]: c["stderr"] for c in report["results"]
            if c["args"][:2] == ["image", "show"]}
    assert show[inputs["fifo"]].endswith(
        f"{inputs['fifo']}: not a regular file (a FIFO), expected an image package\n")
    assert "not a regular file (a character device)" in show["/dev/zero"]
    assert "larger than 16 MiB for an image package (2147483649 bytes)" in show[inputs["sparse"]]
    assert "symbolic link loop" in show[inputs["loop1"]]
    assert show[inputs["directory"]].endswith("is a directory, not an image package\n")
    assert show[inputs["empty"]].startswith(f"sphere-emu: error: {inputs['empty']}: malformed")


def test_fifo_and_dev_zero_through_the_real_entry_point(tmp_path, cli):
    fifo = tmp_path / "app.imagepackage"
    os.mkfifo(fifo)
    for args in (["run", BOARD, str(fifo)], ["board", "show", "/dev/zero"]):
        start = time.monotonic()
        result = cli(*args, timeout=MAX_SECONDS)
        assert time.monotonic() - start < MAX_SECONDS
        assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr


def test_sideloaded_package_is_sniffed_not_judged_by_its_name(tmp_path, cli):
    elf = tmp_path / "app.bin"
    elf.write_bytes(Path(RT_ELF).read_bytes())
    result = cli("run", BOARD, str(elf))
    assert result.returncode == 2
    assert f"{elf}: an ELF file needs --core NAME" in result.stderr
    package = tmp_path / "app.elf"
    package.write_bytes(Path(RT_PKG).read_bytes())
    result = cli("run", BOARD, str(package), "--core", "io0")
    assert result.returncode == 2
    assert f"{package}: an image package, not an ELF file" in result.stderr
