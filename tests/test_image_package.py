"""Image package layout, signing and verification: what must be accepted and what refused."""

import hashlib
import struct
from pathlib import Path
from uuid import UUID

import pytest

from sphere_emu.image.compression import compress_package, decompress_package
from sphere_emu.image.errors import ImageError, Reason
from sphere_emu.image.metadata import (
    SECTION,
    AbiDepends,
    AbiProvides,
    AbiVersion,
    Compression,
    Debug,
    Identity,
    ImagePolicy,
    ImageType,
    RequiredFlashOffset,
    Revocation,
    SectionId,
    SignatureInfo,
    TemporaryImage,
    UnknownSection,
    build_metadata,
    decode_section,
    encode_section,
)
from sphere_emu.image.pack import PackOptions, pack_os_component
from sphere_emu.image.package import SIGNATURE_SIZE, build_package, pad, parse_package
from sphere_emu.image.verify import verify_package
from sphere_emu.trust.keys import development_signer, make_certificate
from sphere_emu.trust.store import TrustStore

DATA = Path(__file__).parent / "data" / "image"
SIGNER = development_signer()
TRUST = TrustStore.development()
COMPONENT = UUID("1689d8b2-c835-2e27-27ad-e894d6d15fa9")
IMAGE = UUID("00112233-4455-6677-8899-aabbccddeeff")
GOLDEN_SHA256 = "8daf156f440c8d1cf85435e28c53b61f44af39b6f4e538d34ac65feb19f97c30"

EVERY_SECTION = [
    Identity(ImageType.SECURITY_MONITOR, COMPONENT, IMAGE),
    SignatureInfo(bytes(range(20))),
    Debug(0x5F59A036, "Anvil Test App"),
    TemporaryImage(0x2),
    AbiDepends((AbiVersion(5, 3), AbiVersion(1, 2))),
    AbiProvides((AbiVersion(7, 1),)),
    Compression(1234),
    RequiredFlashOffset(0x10000),
    Revocation(3),
    ImagePolicy(0x3),
    UnknownSection(0x5A5A, b"kept as is"),
]


def small_package(**options) -> bytes:
    """A tiny signed Security Monitor package: small enough to flip every byte of."""
    return pack_os_component(b"\x01\x02\x03\x04\x05\x06", ImageType.SECURITY_MONITOR, SIGNER,
                             options=PackOptions(security_version=2, **options))


@pytest.mark.parametrize("value", EVERY_SECTION, ids=lambda v: type(v).__name__)
def test_every_section_round_trips(value):
    section_id, body = encode_section(value)
    assert decode_section(section_id, body) == value
    assert encode_section(decode_section(section_id, body)) == (section_id, body)


def test_section_ids_are_their_ascii_tags():
    assert SECTION.build({"id": SectionId.IDENTITY, "length": 0, "data": b""})[:2] == b"ID"
    assert SECTION.build({"id": SectionId.ABI_DEPENDS, "length": 0, "data": b""})[:2] == b"ND"


def test_guid_is_stored_in_microsofts_mixed_endian_order():
    # The pair checked against a real image: ID bytes <-> manifest ComponentId (facts §2.2).
    _, body = encode_section(Identity(10, COMPONENT, IMAGE))
    assert body[4:20].hex() == "b2d8891635c8272e27ade894d6d15fa9"


def test_debug_name_is_nul_padded_to_32_bytes():
    _, body = encode_section(Debug(1, "app"))
    assert body[8:] == b"app" + bytes(29)
    with pytest.raises(ImageError, match="Debug"):
        encode_section(Debug(1, "x" * 33))


def test_a_package_with_every_section_round_trips():
    data = build_package(b"abcde", EVERY_SECTION, SIGNER)
    package = parse_package(data)
    assert [s.value for s in package.sections] == EVERY_SECTION
    assert package.payload == b"abcde\0\0\0"  # padded to 4 bytes
    assert build_package(package.payload, [s.value for s in package.sections], SIGNER) == data


def test_layout_is_payload_metadata_signature_over_everything_before_it():
    data = small_package()
    (meta_len,) = struct.unpack_from("<I", data, len(data) - SIGNATURE_SIZE - 4)
    meta_at = len(data) - SIGNATURE_SIZE - meta_len
    assert data[meta_at:meta_at + 4] == b"4X4M"
    assert meta_at == 8  # six payload bytes padded to eight
    package = parse_package(data)
    assert package.signed_bytes == data[:-SIGNATURE_SIZE]
    assert package.signature_info.thumbprint == SIGNER.thumbprint
    assert [s.name for s in package.sections][:2] == ["Identity", "Signature"]


def test_signatures_are_deterministic():
    assert small_package() == small_package()


def test_golden_package_bytes():
    """A fixed package comes out byte for byte the same (reproducible builds).

    The committed file changes only if the format code or the bundled development key
    changes; regenerate it then, deliberately, with the call below.
    """
    golden = (DATA / "golden-security-monitor.imagepackage").read_bytes()
    assert hashlib.sha256(golden).hexdigest() == GOLDEN_SHA256
    assert small_package(build_time=1_700_000_000) == golden
    verified = verify_package(golden, TRUST)
    assert verified.image_type == ImageType.SECURITY_MONITOR
    assert verified.package.debug == Debug(1_700_000_000, "security-monitor")


def test_verify_accepts_a_good_package():
    verified = verify_package(small_package(), TRUST, rollback_fuse=0b11,
                              expected_type=ImageType.SECURITY_MONITOR)
    assert verified.security_version == 2
    assert verified.signer.thumbprint == SIGNER.thumbprint
    assert verified.payload.startswith(b"\x01\x02\x03\x04\x05\x06")


@pytest.mark.parametrize("mask", [0x01, 0xFF])
def test_every_single_byte_flip_is_refused(mask):
    data = small_package()
    for i in range(len(data)):
        tampered = bytearray(data)
        tampered[i] ^= mask
        with pytest.raises(ImageError):
            verify_package(bytes(tampered), TRUST)


def test_a_flipped_payload_byte_is_a_bad_signature():
    data = bytearray(small_package())
    data[0] ^= 1
    with pytest.raises(ImageError, match="^bad signature") as err:
        verify_package(bytes(data), TRUST)
    assert err.value.reason is Reason.BAD_SIGNATURE


def test_a_flipped_signature_byte_is_a_bad_signature():
    data = bytearray(small_package())
    data[-1] ^= 1
    with pytest.raises(ImageError, match="^bad signature"):
        verify_package(bytes(data), TRUST)


def test_untrusted_signer_is_refused_with_its_thumbprint():
    from cryptography.hazmat.primitives.asymmetric import ec

    from sphere_emu.trust.keys import Signer

    key = ec.derive_private_key(12345, ec.SECP256R1())
    stranger = Signer(make_certificate(key, "stranger"), key)
    data = pack_os_component(b"1234", ImageType.SECURITY_MONITOR, stranger)
    with pytest.raises(ImageError, match=f"^untrusted signer {stranger.thumbprint.hex()}$") as e:
        verify_package(data, TRUST)
    assert e.value.reason is Reason.UNTRUSTED_SIGNER
    # ... and accepted once trusted.
    assert verify_package(data, TrustStore.of([stranger.certificate])).signer.subject


def test_a_package_claiming_a_trusted_thumbprint_but_signed_by_another_key_is_refused():
    from cryptography.hazmat.primitives.asymmetric import ec

    from sphere_emu.trust.keys import Signer

    key = ec.derive_private_key(777, ec.SECP256R1())
    impostor = Signer(make_certificate(key, "impostor"), key)
    data = build_package(b"evil", [Identity(4, COMPONENT, IMAGE),
                                   SignatureInfo(SIGNER.thumbprint)], impostor)
    with pytest.raises(ImageError, match="^bad signature"):
        verify_package(data, TRUST)


def test_truncated_package_is_refused():
    data = small_package()
    for cut in (1, 4, 64, len(data) - 10):
        with pytest.raises(ImageError, match="malformed") as err:
            verify_package(data[:-cut], TRUST)
        assert err.value.reason is Reason.MALFORMED
    with pytest.raises(ImageError, match="truncated: 10 bytes is too short"):
        parse_package(data[:10])


def _sign(body: bytes) -> bytes:
    return body + SIGNER.sign(body)


def _metadata_with_overrun() -> bytes:
    ident = encode_section(Identity(4, COMPONENT, IMAGE))
    sg = encode_section(SignatureInfo(SIGNER.thumbprint))
    good = build_metadata([ident, sg])
    # Claim the Signature section is longer than what remains of the metadata.
    at = 8 + 4 + len(ident[1])
    return good[:at + 2] + struct.pack("<H", 300) + good[at + 4:]


def test_section_length_overrunning_the_metadata_is_refused():
    with pytest.raises(ImageError, match="Signature section length 300 overruns") as err:
        verify_package(_sign(b"abcd" + _metadata_with_overrun()), TRUST)
    assert err.value.reason is Reason.MALFORMED


def test_section_count_larger_than_the_metadata_is_refused():
    meta = bytearray(build_metadata([encode_section(Identity(4, COMPONENT, IMAGE))]))
    meta[4:8] = struct.pack("<I", 0xFFFFFFFF)
    with pytest.raises(ImageError, match="4294967295 sections cannot fit"):
        parse_package(_sign(bytes(meta)))


def test_metadata_length_overrunning_the_package_is_refused():
    data = bytearray(small_package())
    data[-68:-64] = struct.pack("<I", 0x7FFFFFFF)
    with pytest.raises(ImageError, match="runs past the start"):
        parse_package(bytes(data))


def test_stray_bytes_after_the_last_section_are_refused():
    meta = build_metadata([encode_section(Identity(4, COMPONENT, IMAGE))])
    meta = meta[:-4] + b"\0\0\0\0" + struct.pack("<I", len(meta) + 4)
    with pytest.raises(ImageError, match="4 stray bytes"):
        parse_package(_sign(meta))


def test_duplicate_and_wrong_sized_known_sections_are_refused():
    ident = encode_section(Identity(4, COMPONENT, IMAGE))
    with pytest.raises(ImageError, match="duplicate Identity"):
        parse_package(_sign(build_metadata([ident, ident])))
    with pytest.raises(ImageError, match="Identity section has 35 bytes"):
        parse_package(_sign(build_metadata([(ident[0], ident[1][:-1])])))


def test_unknown_sections_are_kept():
    data = build_package(b"", [Identity(4, COMPONENT, IMAGE), UnknownSection(0x4141, b"xyz")],
                         SIGNER)
    package = parse_package(data)
    assert package.sections[-1].value == UnknownSection(0x4141, b"xyz")
    assert package.sections[-1].name == 'unknown "AA"'
    verify_package(data, TRUST)


def test_missing_identity_or_signature_section_is_refused():
    with pytest.raises(ImageError, match=r"no Identity \(ID\) section"):
        verify_package(build_package(b"", [Debug(0, "x")], SIGNER), TRUST)
    body = pad(b"") + build_metadata([encode_section(Identity(4, COMPONENT, IMAGE))])
    with pytest.raises(ImageError, match=r"no Signature \(SG\) section"):
        verify_package(_sign(body), TRUST)


def test_downgrade_below_the_rollback_fuse_is_refused():
    data = small_package()  # security version 2
    verify_package(data, TRUST, rollback_fuse=0b011)
    with pytest.raises(ImageError, match="^downgrade: security version 2 is revoked by the "
                                         "rollback fuse") as err:
        verify_package(data, TRUST, rollback_fuse=0b111)
    assert err.value.reason is Reason.REVOKED


def test_a_package_without_a_revocation_section_has_security_version_0():
    data = pack_os_component(b"x", ImageType.NORMAL_WORLD_KERNEL, SIGNER)
    assert verify_package(data, TRUST, rollback_fuse=0b10).security_version == 0
    with pytest.raises(ImageError, match="security version 0"):
        verify_package(data, TRUST, rollback_fuse=0b1)


def test_wrong_image_type_is_refused():
    with pytest.raises(ImageError, match="wrong image type: SecurityMonitor, expected "
                                         "NormalWorldKernel") as err:
        verify_package(small_package(), TRUST, expected_type=ImageType.NORMAL_WORLD_KERNEL)
    assert err.value.reason is Reason.WRONG_TYPE


def test_unsupported_signing_type_is_refused():
    data = build_package(b"", [Identity(4, COMPONENT, IMAGE), SignatureInfo(SIGNER.thumbprint, 2)],
                         SIGNER)
    with pytest.raises(ImageError, match="signing type 2 is not ECDsa256"):
        verify_package(data, TRUST)


def test_compressed_package_round_trips_and_both_signatures_count():
    inner = small_package()
    outer = compress_package(inner, SIGNER)
    package = parse_package(outer)
    assert package.compression == Compression(len(inner))
    assert decompress_package(package) == inner
    verified = verify_package(outer, TRUST)
    assert verified.outer is not None and verified.package.raw == inner
    # A valid outer signature does not make a tampered inner package acceptable.
    bad_inner = bytearray(inner)
    bad_inner[0] ^= 1
    with pytest.raises(ImageError, match="bad signature"):
        verify_package(compress_package(bytes(bad_inner), SIGNER), TRUST)
    # The rollback fuse applies to compressed images too.
    with pytest.raises(ImageError, match="downgrade"):
        verify_package(outer, TRUST, rollback_fuse=0b100)


def test_compression_size_mismatch_and_garbage_are_refused():
    inner = small_package()
    import lzma

    stream = lzma.compress(inner, format=lzma.FORMAT_ALONE)
    lying = build_package(stream, [Identity(4, COMPONENT, IMAGE), Compression(len(inner) + 1)],
                          SIGNER)
    with pytest.raises(ImageError, match="decompresses to"):
        verify_package(lying, TRUST)
    garbage = build_package(b"not lzma at all!", [Identity(4, COMPONENT, IMAGE),
                                                  Compression(100)], SIGNER)
    with pytest.raises(ImageError, match="not a valid LZMA stream"):
        verify_package(garbage, TRUST)
    bomb = build_package(stream, [Identity(4, COMPONENT, IMAGE), Compression(1 << 30)], SIGNER)
    with pytest.raises(ImageError, match="exceeds"):
        verify_package(bomb, TRUST)
