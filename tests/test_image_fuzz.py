"""The parsers only ever return a result or raise the project's own error type.

Mutation fuzzing from valid packages (deterministic seed, >10,000 inputs per run) plus
property-based tests of the metadata layout. Public tools' metadata fuzzers have bricked real
devices (anchors §4.4), so every parser a package reaches is exercised here: metadata,
sections, LZMA, ASXipFS and the app manifest.
"""

import contextlib
import json
import random
import struct
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from sphere_emu.errors import SphereEmuError
from sphere_emu.image.asxipfs import (
    CRC_OFFSET,
    EXECUTABLE_MODE,
    FsFile,
    build_asxipfs,
    crc,
    read_asxipfs,
)
from sphere_emu.image.compression import compress_package
from sphere_emu.image.errors import ImageError
from sphere_emu.image.manifest import parse_manifest
from sphere_emu.image.metadata import (
    SECTION_BODIES,
    Identity,
    Revocation,
    UnknownSection,
    build_metadata,
    encode_section,
)
from sphere_emu.image.pack import PackOptions, pack_application, pack_os_component
from sphere_emu.image.package import SIGNATURE_SIZE, build_package, parse_package
from sphere_emu.image.show import describe
from sphere_emu.image.verify import verify_package
from sphere_emu.trust.keys import development_signer
from sphere_emu.trust.store import TrustStore

SIGNER = development_signer()
MANIFEST = json.dumps({
    "SchemaVersion": 1, "Name": "fuzz", "ComponentId": "1689d8b2-c835-2e27-27ad-e894d6d15fa9",
    "EntryPoint": "/bin/app", "ApplicationType": "Default", "TargetApplicationRuntimeVersion": 5,
    "Capabilities": {"Gpio": [8], "Uart": ["ISU0"], "MutableStorage": {"SizeKB": 8}}}).encode()
INTERESTING = [0, 1, 3, 4, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]


def seeds() -> list[bytes]:
    app = pack_application(MANIFEST, b"\x7fELF" + bytes(40), SIGNER,
                           options=PackOptions(security_version=1, temporary_flags=2))
    os_image = pack_os_component(b"payload!", 4, SIGNER, options=PackOptions(security_version=3))
    return [app, os_image, compress_package(os_image, SIGNER)]


def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    # Half of the mutations aim at the metadata and signature, where the parser lives.
    tail = max(0, len(out) - SIGNATURE_SIZE - 300)
    for _ in range(rng.randint(1, 4)):
        pos = rng.randrange(tail if rng.random() < 0.5 else 0, len(out)) if out else 0
        kind = rng.randrange(6)
        if kind == 0 and out:
            out[pos] ^= 1 << rng.randrange(8)
        elif kind == 1 and out:
            out[pos] = rng.randrange(256)
        elif kind == 2 and len(out) >= pos + 4:
            out[pos:pos + 4] = struct.pack("<I", rng.choice(INTERESTING))
        elif kind == 3 and len(out) >= pos + 2:
            out[pos:pos + 2] = struct.pack("<H", rng.choice(INTERESTING) & 0xFFFF)
        elif kind == 4:
            del out[pos:pos + rng.randint(1, 16)]
        else:
            out[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(out)


def test_mutated_packages_only_parse_or_raise_image_error():
    rng = random.Random(20240604)
    inputs = seeds()
    parsed = 0
    for i in range(10_500):
        data = mutate(rng, inputs[i % len(inputs)])
        try:
            describe(data)  # layout, every section, LZMA, ASXipFS, manifest
            parsed += 1
        except ImageError:
            pass
    assert 0 < parsed < 10_500  # the fuzzer reaches both outcomes


def test_mutated_filesystems_with_valid_crc_only_parse_or_raise_image_error():
    rng = random.Random(7)
    image = build_asxipfs([FsFile("/app_manifest.json", MANIFEST),
                           FsFile("/bin/app", b"\x7fELF" + bytes(100), EXECUTABLE_MODE),
                           FsFile("/a/b/c", b"x"), FsFile("/a/d", b"")])
    inode_area = 0x200  # where every inode of this image lies
    for _ in range(3000):
        data = bytearray(image)
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(inode_area)
            data[pos] = rng.randrange(256) if rng.random() < 0.7 else rng.choice([0, 0xFF])
        data[CRC_OFFSET:CRC_OFFSET + 4] = crc(bytes(data)).to_bytes(4, "little")
        with contextlib.suppress(ImageError):
            read_asxipfs(bytes(data))


def test_mutated_manifests_only_parse_or_raise_manifest_error():
    rng = random.Random(11)
    for _ in range(2000):
        data = bytearray(MANIFEST)
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] = rng.randrange(32, 127)
        with contextlib.suppress(SphereEmuError):
            parse_manifest(bytes(data))


def test_mutated_signed_packages_never_verify():
    rng = random.Random(3)
    inputs = seeds()[1:]  # the small ones: every mutation costs an ECDSA verify
    trust = TrustStore.development()
    for i in range(400):
        original = inputs[i % len(inputs)]
        data = mutate(rng, original)
        if data == original:
            continue
        try:
            verify_package(data, trust)
        except ImageError:
            continue
        raise AssertionError(f"mutated package was accepted: {data.hex()}")


sections = st.lists(st.tuples(
    st.one_of(st.sampled_from(sorted(SECTION_BODIES)), st.integers(0, 0xFFFF)),
    st.binary(max_size=48)), max_size=8)


@settings(max_examples=400, deadline=None)
@given(payload=st.binary(max_size=64), raw_sections=sections, signature=st.binary(
    min_size=SIGNATURE_SIZE, max_size=SIGNATURE_SIZE))
def test_arbitrary_metadata_parses_or_raises_image_error(payload, raw_sections, signature):
    data = payload + bytes(-len(payload) % 4) + build_metadata(raw_sections) + signature
    try:
        package = parse_package(data)
    except ImageError:
        return
    assert [(s.id, s.data) for s in package.sections] == raw_sections


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_parse_or_raise_image_error(data):
    with contextlib.suppress(ImageError):
        describe(data)


@settings(max_examples=100, deadline=None)
@given(image_type=st.integers(0, 0xFFFF), version=st.integers(0, 0xFFFFFFFF),
       unknown=st.binary(max_size=32), component=st.uuids())
def test_built_packages_round_trip(image_type, version, unknown, component):
    values = [Identity(image_type, component, UUID(int=0)), Revocation(version),
              UnknownSection(0x4242, unknown)]
    data = build_package(b"p", values, SIGNER)
    package = parse_package(data)
    assert [s.value for s in package.sections if s.id != encode_section(
        values[0])[0] and s.name != "Signature"] == values[1:]
    assert package.identity == values[0] and package.security_version == version
