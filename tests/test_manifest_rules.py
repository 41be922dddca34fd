"""One set of manifest rules for the packer and the kernel (sphere_emu/image/manifest_rules.py,
firmware/a7/kernel/manifest.c): what the packer accepts boots; what the kernel refuses, the
packer refused first with the same words."""

import json
import re
from uuid import UUID

import pytest
from conftest import PREBUILT, run_cli
from test_hl_apps import RDB
from test_kernel import boot, lines

from sphere_emu.image.asxipfs import EXECUTABLE_MODE, FILE_MODE, FsFile, build_asxipfs
from sphere_emu.image.errors import ManifestError
from sphere_emu.image.manifest import parse_manifest
from sphere_emu.image.metadata import Debug, Identity, ImageType
from sphere_emu.image.package import build_package
from sphere_emu.runner import Outcome
from sphere_emu.trust.keys import development_signer

HELLO = json.loads((PREBUILT.parent / "apps/hello-rt/app_manifest.json").read_text())
GUID = "5a1e0006-6d0c-4f3e-9b9e-000000000006"


def test_a_60_character_name_is_packed_and_boots(tmp_path):
    name = "HelloWorld_RTApp_MT3620_BareMetal_with_a_name_of_60_chars___"
    assert len(name) == 60
    (tmp_path / "app_manifest.json").write_text(json.dumps({**HELLO, "Name": name}))
    pkg = tmp_path / "long.imagepackage"
    r = run_cli("image", "pack-application", "--manifest", str(tmp_path / "app_manifest.json"),
                "--executable", str(PREBUILT / "hello-rt.elf"), "--key", "development",
                "-o", str(pkg))
    assert r.returncode == 0, r.stderr
    r = run_cli("run", RDB, str(pkg), "--timeout", "1s", "--expect", "Hello from the MT3620")
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"[kernel] started RT app {name} on io0" in r.stdout
    assert "Hello from the MT3620 IO core!" in r.stdout


def unchecked_package(manifest: bytes) -> bytes:
    """An app package around any manifest bytes, signed, without the packer's checks."""
    fs = build_asxipfs([FsFile("/app_manifest.json", manifest, FILE_MODE),
                        FsFile("/bin/app", (PREBUILT / "hello-rt.elf").read_bytes(),
                               EXECUTABLE_MODE)])
    sections = [Identity(ImageType.APPLICATIONS, UUID(GUID), UUID(int=len(manifest))),
                Debug(0, "unchecked")]
    return build_package(fs, sections, development_signer())


def _doc(**changes: object) -> bytes:
    doc = dict(HELLO)
    for key, value in changes.items():
        if value is None:
            del doc[key]
        else:
            doc[key] = value
    return json.dumps(doc).encode()


KERNEL_REFUSES = [
    b"{\"Name\": ",
    b"[1, 2]",
    b"{\"Name\":" + b"[" * 20 + b"]" * 20 + b"}",
    _doc(Name=None),
    _doc(Name=""),
    _doc(Name=7),
    _doc(Name="x" * 256),
    _doc(Name="bad\u0000name"),
    b'{"Name": "lone \\ud800 surrogate"}',
    b'{"Name": 1, "Name": "first one counts"}',
    _doc(ComponentId="5a1e0006-6d0c-4f3e-9b9e-00000000000"),
    _doc(ComponentId="5a1e00066d0c-4f3e-9b9e-0000-00000006"),
    _doc(EntryPoint="/" + "e" * 255),
    _doc(ApplicationType="Service"),
    _doc(ApplicationType=None),
    _doc(Capabilities={"Gpio": [8, 24]}),
    _doc(Capabilities={"Gpio": ["$LED"]}),
    _doc(Capabilities={"Gpio": [1.0]}),
    _doc(Capabilities={"Gpio": [2**40]}),
    _doc(Capabilities={"Uart": ["ISU0", "ISU5"]}),
    _doc(Capabilities={"AllowedApplicationConnections": [GUID.replace("6", "7", 1)] * 17}),
    _doc(Capabilities={"AllowedApplicationConnections": ["not a guid"]}),
    _doc(Capabilities={"MutableStorage": {"SizeKB": 65}}),
]


def test_every_kernel_refusal_is_the_packers_first_reason():
    reasons = []
    for manifest in KERNEL_REFUSES:
        with pytest.raises(ManifestError) as err:
            parse_manifest(manifest)
        reasons.append(str(err.value))
    outcome, runner = boot(*[unchecked_package(m) for m in KERNEL_REFUSES],
                           "hello-hl.imagepackage", expect=["exited with status 0"])
    assert outcome is Outcome.EXPECTED, lines(runner)
    refused = [re.sub(r"^\[kernel\] app at flash offset 0x[0-9a-f]+: ", "", line)
               for line in lines(runner) if line.startswith("[kernel] app at flash offset")]
    assert len(refused) == len(KERNEL_REFUSES)
    for manifest, packer, kernel in zip(KERNEL_REFUSES, reasons, refused, strict=True):
        # the packer may add where the JSON broke, in parentheses
        assert packer == kernel or packer.startswith(kernel + " ("), manifest


def test_what_the_kernel_accepts_may_still_be_refused_by_the_packer():
    # stricter packer-only rules (here: an unknown field) never reach the kernel's rules
    with pytest.raises(ManifestError, match="Colour: unknown field"):
        parse_manifest(_doc(Colour="blue"))
    outcome, runner = boot(unchecked_package(_doc(Colour="blue")),
                           expect=["Hello from the MT3620 IO core"])
    assert outcome is Outcome.EXPECTED, lines(runner)
