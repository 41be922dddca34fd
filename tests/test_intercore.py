"""Inter-core messaging between a high-level app and an RT app (facts §5): intercore-hl
(firmware/hl/apps/intercore-hl) and intercore-rt (firmware/apps/intercore-rt), whose
manifests list each other in AllowedApplicationConnections."""

import json
import struct
import uuid

from conftest import PREBUILT, run_cli
from test_hl_apps import RDB
from test_kernel import boot, lines

from sphere_emu.runner import Outcome

HL_ID = "5a1e0004-6d0c-4f3e-9b9e-000000000004"
COMM = 0x3C0000  # offset of the kernel's inter-core buffers in a7-sysram (0x803C0000)


def _pair(cli, rt: str) -> list[str]:
    r = cli("run", RDB, str(PREBUILT / f"{rt}.imagepackage"),
            str(PREBUILT / "intercore-hl.imagepackage"), "--timeout", "2s",
            "--expect", "intercore-hl: done")
    assert r.returncode == 0, r.stdout + r.stderr
    return [line for line in r.stdout.splitlines() if line.startswith("intercore-")]


def _echoes(rt: str) -> list[str]:
    lines = []
    for i in (1, 2, 3):
        lines += [f'intercore-hl: sent "ping {i}"', f'{rt}: got "ping {i}"',
                  f'intercore-hl: received "echo: ping {i}"']
    return lines + ["intercore-hl: done"]


def test_pair_with_the_rt_app_opening_its_channel_before_the_set_up(cli):
    out = _pair(cli, "intercore-rt")
    assert out == ["intercore-rt: channel open, 0 messages waiting",
                   "intercore-rt: buffers set up"] + _echoes("intercore-rt")


def test_pair_with_the_rt_app_opening_its_channel_after_the_set_up(cli):
    # MediaTek's driver resets the mailbox (GEN_CTRL = 0x2) when it opens the channel, after
    # the kernel has queued its three set-up messages: they must survive it.
    out = _pair(cli, "intercore-late-rt")
    assert out[0] == "intercore-late-rt: opening the channel late"
    opened = out.index("intercore-late-rt: channel open, 3 messages waiting")
    assert out[opened + 1] == "intercore-late-rt: buffers set up"
    rest = out[1:opened] + out[opened + 2:]
    assert rest == _echoes("intercore-late-rt")


def test_buffers_follow_the_azure_sphere_layout():
    outcome, runner = boot("intercore-rt.imagepackage", "intercore-hl.imagepackage",
                           expect=["intercore-hl: done"])
    assert outcome is Outcome.EXPECTED, lines(runner)
    ram = runner.machine.memories["a7-sysram"]
    inbound, outbound = ram.read(COMM, 4096), ram.read(COMM + 4096, 4096)  # A7's view
    # Three 16-byte-aligned blocks each way; each reader's position is in its own
    # outbound buffer's header, so both read positions equal the other side's writes.
    out_write, out_read = struct.unpack_from("<2I", outbound)
    in_write, in_read = struct.unpack_from("<2I", inbound)
    assert out_write == 3 * 32 and in_read == out_write
    assert in_write == 3 * 48 and out_read == in_write
    size, = struct.unpack_from("<I", outbound, 64)
    assert size == 20 + len("ping 1")
    assert outbound[68:84] == uuid.UUID(HL_ID).bytes_le          # the sender
    assert outbound[88:94] == b"ping 1"
    size, = struct.unpack_from("<I", inbound, 64)
    assert inbound[68:84] == uuid.UUID(HL_ID).bytes_le           # the recipient
    assert inbound[88:64 + 4 + size] == b"echo: ping 1"


def test_the_rt_app_must_list_the_high_level_app(tmp_path):
    manifest = json.loads((PREBUILT.parent / "apps/intercore-rt/app_manifest.json").read_text())
    manifest["Capabilities"]["AllowedApplicationConnections"] = []
    (tmp_path / "app_manifest.json").write_text(json.dumps(manifest))
    pkg = tmp_path / "rt.imagepackage"
    r = run_cli("image", "pack-application", "--manifest", str(tmp_path / "app_manifest.json"),
                "--executable", str(PREBUILT / "intercore-rt.elf"), "--key", "development",
                "-o", str(pkg))
    assert r.returncode == 0, r.stderr
    outcome, runner = boot(pkg.read_bytes(), "intercore-hl.imagepackage",
                           expect=["exited with status"])
    assert outcome is Outcome.EXPECTED, lines(runner)
    out = lines(runner)
    assert ("[kernel] intercore-hl: intercore-rt does not list it in "
            "AllowedApplicationConnections") in out
    assert "intercore-hl: Application_Connect failed, errno 111" in out


def test_rt_apps_start_first_on_io0_then_io1_whatever_the_flash_order():
    outcome, runner = boot("intercore-hl.imagepackage", "intercore-rt.imagepackage",
                           "hello-rt.imagepackage",
                           expect=["intercore-hl: done", "Hello from the MT3620 IO core"])
    assert outcome is Outcome.EXPECTED, lines(runner)
    out = lines(runner)
    assert out[1:4] == ["[kernel] started RT app intercore-rt on io0",
                        "[kernel] started RT app hello-rt on io1",
                        "[kernel] starting intercore-hl"]
    assert 'intercore-hl: received "echo: ping 3"' in out
    assert lines(runner, "io1-uart") == ["Hello from the MT3620 IO core!"]
