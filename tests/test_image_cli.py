"""The image, keys and device commands as a user runs them."""

import json
import stat
import struct
import subprocess
import sys

import pytest
from click.testing import CliRunner

from sphere_emu.cli import main
from sphere_emu.image.asxipfs import read_asxipfs
from sphere_emu.image.package import parse_package

HL_MANIFEST = {
    "SchemaVersion": 1, "Name": "HelloWorld_HighLevelApp",
    "ComponentId": "1689d8b2-c835-2e27-27ad-e894d6d15fa9", "EntryPoint": "/bin/app",
    "CmdArgs": [], "Capabilities": {"Gpio": [8]}, "ApplicationType": "Default",
    "TargetApplicationRuntimeVersion": 5,
}
RT_MANIFEST = {
    "SchemaVersion": 1, "Name": "HelloWorld_RTApp", "EntryPoint": "/bin/app",
    "ComponentId": "005180bc-402f-4cb3-a662-72937dbcde47", "CmdArgs": [],
    "Capabilities": {"Uart": ["ISU0"]}, "ApplicationType": "RealTimeCapable",
}


def arm_elf() -> bytes:
    """The smallest ARM executable ELF pyelftools accepts: one PT_LOAD at TCM."""
    code = b"\xfe\xe7" * 4  # b . (Thumb)
    ident = b"\x7fELF\x01\x01\x01" + bytes(9)
    header = ident + struct.pack("<HHIIIIIHHHHHH", 2, 40, 1, 0x00100001, 52, 0, 0x05000200,
                                 52, 32, 1, 40, 0, 0)
    phdr = struct.pack("<8I", 1, 84, 0x00100000, 0x00100000, len(code), len(code), 5, 4)
    return header + phdr + code


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(main, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + (result.stderr or "")
    return result


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hl.json").write_text(json.dumps(HL_MANIFEST))
    (tmp_path / "rt.json").write_text(json.dumps(RT_MANIFEST))
    (tmp_path / "app.elf").write_bytes(arm_elf())
    (tmp_path / "extra.txt").write_text("data")
    return tmp_path


def test_pack_show_verify_high_level_app(workdir):
    run("image", "pack-application", "--manifest", "hl.json", "--executable", "app.elf",
        "--file", "extra.txt:/etc/extra.txt", "--key", "development", "-o", "hl.imagepackage",
        "--security-version", "2", "--under-development", "--build-time", "1700000000")
    fs = read_asxipfs(parse_package((workdir / "hl.imagepackage").read_bytes()).payload)
    assert set(fs.files) == {"/app_manifest.json", "/bin/app", "/etc/extra.txt"}
    shown = run("image", "show", "hl.imagepackage").output
    for text in ("Section: Identity", "Applications (10)", "1689d8b2-c835-2e27-27ad-e894d6d15fa9",
                 "Section: Signature", "ECDsa256", "Section: Debug", "HelloWorld_HighLevelApp",
                 "2023-11-14 22:13:20", "UnderDevelopment", "ApplicationRuntime version 5",
                 "Security Version: 2", "/etc/extra.txt", "Application Type:"):
        assert text in shown, text
    as_json = json.loads(run("image", "show", "hl.imagepackage", "--json").output)
    assert as_json["contents"][0]["Image Type"] == "Applications (10)"
    out = run("image", "verify", "hl.imagepackage").output
    assert out.startswith("hl.imagepackage: OK: Applications HelloWorld_HighLevelApp")


def test_pack_is_reproducible(workdir):
    for name in ("a", "b"):
        run("image", "pack-application", "--manifest", "hl.json", "--executable", "app.elf",
            "--key", "development", "-o", f"{name}.imagepackage")
    assert (workdir / "a.imagepackage").read_bytes() == (workdir / "b.imagepackage").read_bytes()


def test_real_time_apps_must_be_elf(workdir):
    run("image", "pack-application", "--manifest", "rt.json", "--executable", "app.elf",
        "--key", "development", "-o", "rt.imagepackage")
    result = run("image", "pack-application", "--manifest", "rt.json", "--executable",
                 "extra.txt", "--key", "development", "-o", "bad.imagepackage", ok=False)
    assert result.exit_code == 2
    assert "EntryPoint /bin/app: a RealTimeCapable app's executable must be an ELF" in \
        result.stderr
    assert not (workdir / "bad.imagepackage").exists()


def test_bad_manifest_is_one_line_naming_the_field(workdir):
    (workdir / "bad.json").write_text(json.dumps({**HL_MANIFEST, "Capabilities": {"Uart": [1]}}))
    result = run("image", "pack-application", "--manifest", "bad.json", "--executable",
                 "app.elf", "--key", "development", "-o", "x.imagepackage", ok=False)
    assert result.exit_code == 2
    assert result.stderr.strip() == ("sphere-emu: error: bad.json: "
                                     "Capabilities.Uart[0]: must be one of ISU0, ISU1, ISU2, "
                                     "ISU3, ISU4")


def test_verify_refusals_are_one_line_each(workdir):
    (workdir / "sm.bin").write_bytes(b"\x00" * 64)
    run("keys", "create", "mine")
    run("image", "pack-os-component", "--type", "security-monitor", "sm.bin", "--key",
        "mine.key.pem", "-o", "sm.imagepackage", "--security-version", "1")
    data = (workdir / "sm.imagepackage").read_bytes()
    untrusted = run("image", "verify", "sm.imagepackage", ok=False)
    assert untrusted.exit_code == 2
    assert untrusted.stderr.startswith("sphere-emu: error: sm.imagepackage: untrusted signer ")
    assert run("image", "verify", "sm.imagepackage", "--trust", "mine.cert.pem").exit_code == 0
    cases = {
        "flipped.imagepackage": (data[:5] + bytes([data[5] ^ 1]) + data[6:], "bad signature"),
        "short.imagepackage": (data[:-100], "malformed: "),
    }
    for name, (content, message) in cases.items():
        (workdir / name).write_bytes(content)
        result = run("image", "verify", name, "--trust", "mine.cert.pem", ok=False)
        assert result.exit_code == 2 and message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    downgrade = run("image", "verify", "sm.imagepackage", "--trust", "mine.cert.pem",
                    "--rollback-fuse", "2", ok=False)
    assert "downgrade: security version 1 is revoked" in downgrade.stderr
    wrong = run("image", "verify", "sm.imagepackage", "--trust", "mine.cert.pem", "--type",
                "kernel", ok=False)
    assert "wrong image type" in wrong.stderr
    missing = run("image", "verify", "nope.imagepackage", ok=False)
    assert missing.stderr.strip() == "sphere-emu: error: nope.imagepackage: no such image package"


def test_pack_os_component_compressed(workdir):
    (workdir / "kernel.bin").write_bytes(b"kernel" * 1000)
    run("image", "pack-os-component", "--type", "kernel", "kernel.bin", "--key", "development",
        "-o", "k.imagepackage", "--compress", "--provides", "3:os-runtime", "--flash-offset",
        "0x20000")
    shown = run("image", "show", "k.imagepackage").output
    assert "Section: Compression" in shown and "Compressed image" in shown
    assert "OsRuntime version 3" in shown and "Offset:" in shown
    assert "LZMA-compressed" in run("image", "verify", "k.imagepackage").output
    bad_type = run("image", "pack-os-component", "--type", "toaster", "kernel.bin", "--key",
                   "development", "-o", "x.imagepackage", ok=False)
    assert "unknown image type 'toaster'" in bad_type.stderr


def test_keys_create_show_and_force(workdir):
    out = run("keys", "create", "mine").output
    assert "thumbprint:" in out
    assert stat.S_IMODE((workdir / "mine.key.pem").stat().st_mode) == 0o600
    again = run("keys", "create", "mine", ok=False)
    assert again.exit_code == 2 and "already exists (use --force" in again.stderr
    run("keys", "create", "mine", "--force")
    run("keys", "create", "issued", "--ca", "development")
    shown = run("keys", "show", "issued.cert.pem").output
    assert "DEVELOPMENT CA" in shown and "key hash:" in shown


def test_device_create_trust_install_show(workdir):
    run("device", "create", "dev")
    run("keys", "create", "mine")
    run("image", "pack-application", "--manifest", "hl.json", "--executable", "app.elf",
        "--key", "mine.key.pem", "-o", "app.imagepackage")
    refused = run("device", "install", "dev", "app.imagepackage", ok=False)
    assert "app.imagepackage: untrusted signer" in refused.stderr
    assert "for applications" in run("device", "trust", "dev", "mine.cert.pem").output
    run("device", "install", "dev", "app.imagepackage")
    shown = run("device", "show", "dev").output
    for text in ("device ID:", "rollback fuse:    0x00000000", "app-development",
                 "applications only", "app-1689d8b2-c835-2e27-27ad-e894d6d15fa9"):
        assert text in shown, text
    summary = json.loads(run("device", "show", "dev", "--json").output)
    assert len(summary["device_id"]) == 128
    assert run("device", "create", "dev", ok=False).exit_code == 2
    assert "not a device directory" in run("device", "show", ".", ok=False).stderr


def test_the_installed_command_prints_one_error_line_and_exits_2(tmp_path):
    bad = tmp_path / "bad.imagepackage"
    bad.write_bytes(b"\0" * 100)
    proc = subprocess.run([sys.executable, "-m", "sphere_emu", "image", "verify", str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("sphere-emu: error: ")
    assert "Traceback" not in proc.stderr
