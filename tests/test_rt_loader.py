"""The Security Monitor's RT-app loader (firmware/a7/sm/rtcore.c) as on the device: LOAD
segments in TCM, SYSRAM and XIP flash (shown in place from the package), zero-fill, the
vector table at the ELF entry; anything else refused with a line naming the segment."""

import json
import struct

from conftest import BOARDS, PREBUILT, run_cli

RDB = str(BOARDS / "mt3620-rdb.yaml")
XIP_ELF = PREBUILT / "xip-rt.elf"
XIP_PKG = PREBUILT / "xip-rt.imagepackage"
MANIFEST = json.loads((PREBUILT.parent / "apps/xip-rt/app_manifest.json").read_text())


def xip_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("xip-rt:")]


def test_xip_sysram_tcm_app_prints_the_same_through_the_chain_as_alone():
    alone = run_cli("run", RDB, str(XIP_ELF), "--core", "io0", "--timeout", "50ms",
                    "--expect", "xip-rt: done")
    assert alone.returncode == 0, alone.stdout + alone.stderr
    expected = xip_lines(alone.stdout)
    assert "xip-rt: vector table at 0x10000000" in expected
    assert "xip-rt: initialised data at 0x22000000" in expected
    assert "xip-rt: data from SYSRAM, zero-filled bss" in expected
    assert expected[-1] == "xip-rt: done"
    runs = []
    for _ in range(2):
        r = run_cli("run", RDB, str(XIP_PKG), "--timeout", "50ms", "--expect", "xip-rt: done")
        assert r.returncode == 0, r.stdout + r.stderr
        assert "[SM] io0 started at 0x10000000" in r.stdout
        runs.append(r.stdout)
    assert xip_lines(runs[0]) == expected
    assert runs[0] == runs[1]


def _pack(tmp_path, elf: bytes, name: str, component: str) -> str:
    (tmp_path / f"{name}.json").write_text(json.dumps({**MANIFEST, "Name": name,
                                                       "ComponentId": component}))
    (tmp_path / f"{name}.elf").write_bytes(elf)
    out = tmp_path / f"{name}.imagepackage"
    r = run_cli("image", "pack-application", "--manifest", str(tmp_path / f"{name}.json"),
                "--executable", str(tmp_path / f"{name}.elf"), "--key", "development",
                "-o", str(out))
    assert r.returncode == 0, r.stderr
    return str(out)


def test_both_io_cores_run_xip_apps_at_once(tmp_path):
    # the second copy's XIP window shows its own package's bytes, on io1
    twin = _pack(tmp_path, XIP_ELF.read_bytes(), "xip-twin",
                 "5a1e0102-6d0c-4f3e-9b9e-000000000102")
    r = run_cli("run", RDB, str(XIP_PKG), twin, "--timeout", "20ms",
                "--uart", f"io1-uart=file:{tmp_path / 'io1.log'}")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[kernel] started RT app xip-rt on io0" in r.stdout
    assert "[kernel] started RT app xip-twin on io1" in r.stdout
    io1 = (tmp_path / "io1.log").read_text().replace("\r\n", "\n")
    assert io1.splitlines() == xip_lines(r.stdout)
    assert io1.endswith("xip-rt: done\n")


def _with_segment(elf: bytes, index: int, vaddr: int) -> bytes:
    """The ELF with program header ``index`` moved to ``vaddr``."""
    phoff, = struct.unpack_from("<I", elf, 28)
    at = phoff + 32 * index + 8
    return elf[:at] + struct.pack("<II", vaddr, vaddr) + elf[at + 8:]


def _refused(tmp_path, elf: bytes) -> str:
    pkg = _pack(tmp_path, elf, "bad-rt", "5a1e0103-6d0c-4f3e-9b9e-000000000103")
    r = run_cli("run", RDB, pkg, str(PREBUILT / "hello-rt.imagepackage"), "--timeout", "20ms",
                "--expect", "Hello from the MT3620 IO core")
    assert r.returncode == 0, r.stdout + r.stderr  # the machine goes on with the next app
    assert "[kernel] bad-rt: the Security Monitor did not start it on io0 (status 0x4)" \
        in r.stdout
    assert "[kernel] started RT app hello-rt on io0" in r.stdout
    return r.stdout


def test_a_segment_outside_the_cores_memories_is_refused_by_name(tmp_path):
    out = _refused(tmp_path, _with_segment(XIP_ELF.read_bytes(), 2, 0x30000000))
    assert ("[SM] io0: RT app refused: LOAD segment 2 at 0x30000000 (0x00000011 bytes) is "
            "outside TCM, SYSRAM and XIP flash") in out


def test_overlapping_segments_are_refused_by_name(tmp_path):
    out = _refused(tmp_path, _with_segment(XIP_ELF.read_bytes(), 2, 0x00100004))
    assert ("[SM] io0: RT app refused: LOAD segment 2 at 0x00100004 overlaps LOAD segment 0 "
            "at 0x00100000") in out


def test_an_xip_segment_must_start_the_window(tmp_path):
    elf = XIP_ELF.read_bytes()
    phoff, = struct.unpack_from("<I", elf, 28)
    size, = struct.unpack_from("<I", elf, phoff + 32 + 16)  # p_filesz of segment 1
    out = _refused(tmp_path, _with_segment(elf, 1, 0x10000100))
    assert f"LOAD segment 1 at 0x10000100 ({size:#010x} bytes) is in XIP flash but not at " \
           "0x10000000" in out
