"""The ``4X4M`` metadata block and its sections, declared once for parsing and building.

Layout (mt3620-facts §2.1–2.2), all little-endian::

    u32 magic "4X4M", u32 section_count,
    section_count x { u16 id, u16 length, u8 data[length] },
    u32 total_length            (magic .. this field inclusive)

Each known section body is a ``construct`` struct adapted to a frozen dataclass, so the same
declaration parses a package and builds one (including the hostile ones tests need). A
section id we do not know is kept as ``UnknownSection`` with its raw bytes, never dropped.
"""

from collections.abc import Iterable
from dataclasses import dataclass, fields
from enum import IntEnum
from typing import Any
from uuid import UUID

from construct import (
    Adapter,
    Bytes,
    Const,
    Construct,
    ConstructError,
    ExprAdapter,
    Int16ul,
    Int32ul,
    Int64ul,
    PrefixedArray,
    Struct,
    Terminated,
    this,
)

from .errors import ImageError, Reason

MAGIC = b"4X4M"
HEADER_SIZE = 8  # magic + section count
TRAILER_SIZE = 4  # the total-length word
SECTION_HEADER_SIZE = 4


class SectionId(IntEnum):
    """Section ids: two ASCII characters read as a little-endian u16 ("ID" -> 0x4449)."""

    IDENTITY = 0x4449
    SIGNATURE = 0x4753
    DEBUG = 0x4244
    TEMPORARY_IMAGE = 0x5054
    ABI_DEPENDS = 0x444E
    ABI_PROVIDES = 0x504E
    COMPRESSION = 0x4D43
    REQUIRED_FLASH_OFFSET = 0x4F52
    REVOCATION = 0x5652
    IMAGE_POLICY = 0x5049
    LEGACY = 0x474C


SECTION_NAMES = {
    SectionId.IDENTITY: "Identity",
    SectionId.SIGNATURE: "Signature",
    SectionId.DEBUG: "Debug",
    SectionId.TEMPORARY_IMAGE: "TemporaryImage",
    SectionId.ABI_DEPENDS: "ABIDepends",
    SectionId.ABI_PROVIDES: "ABIProvides",
    SectionId.COMPRESSION: "Compression",
    SectionId.REQUIRED_FLASH_OFFSET: "RequiredFlashOffset",
    SectionId.REVOCATION: "Revocation",
    SectionId.IMAGE_POLICY: "ImagePolicy",
    SectionId.LEGACY: "Legacy",
}


class ImageType(IntEnum):
    INVALID = 0
    ONE_BL = 1
    PLUTON_RUNTIME = 2
    WIFI_FIRMWARE = 3
    SECURITY_MONITOR = 4
    NORMAL_WORLD_LOADER = 5
    NORMAL_WORLD_DTB = 6
    NORMAL_WORLD_KERNEL = 7
    ROOT_FS = 8
    SERVICES = 9
    APPLICATIONS = 10
    FIRMWARE_CONFIG = 13
    BOOT_MANIFEST = 16
    NORMAL_WORLD_FILE_SYSTEM = 17
    TRUSTED_KEYSTORE = 19
    POLICY = 20
    CUSTOMER_BOARD_CONFIG = 21
    UPDATE_CERT_STORE = 22
    BASE_SYSTEM_UPDATE_MANIFEST = 23
    FIRMWARE_UPDATE_MANIFEST = 24
    CUSTOMER_UPDATE_MANIFEST = 25
    RECOVERY_MANIFEST = 26
    MANIFEST_SET = 27
    OTHER = 28


# The names azsphere prints; the enum names are for code, these are for people.
IMAGE_TYPE_NAMES = {
    ImageType.INVALID: "Invalid", ImageType.ONE_BL: "OneBL",
    ImageType.PLUTON_RUNTIME: "PlutonRuntime", ImageType.WIFI_FIRMWARE: "WifiFirmware",
    ImageType.SECURITY_MONITOR: "SecurityMonitor",
    ImageType.NORMAL_WORLD_LOADER: "NormalWorldLoader",
    ImageType.NORMAL_WORLD_DTB: "NormalWorldDTB",
    ImageType.NORMAL_WORLD_KERNEL: "NormalWorldKernel", ImageType.ROOT_FS: "RootFs",
    ImageType.SERVICES: "Services", ImageType.APPLICATIONS: "Applications",
    ImageType.FIRMWARE_CONFIG: "FirmwareConfig", ImageType.BOOT_MANIFEST: "BootManifest",
    ImageType.NORMAL_WORLD_FILE_SYSTEM: "NormalWorldFileSystem",
    ImageType.TRUSTED_KEYSTORE: "TrustedKeystore", ImageType.POLICY: "Policy",
    ImageType.CUSTOMER_BOARD_CONFIG: "CustomerBoardConfig",
    ImageType.UPDATE_CERT_STORE: "UpdateCertStore",
    ImageType.BASE_SYSTEM_UPDATE_MANIFEST: "BaseSystemUpdateManifest",
    ImageType.FIRMWARE_UPDATE_MANIFEST: "FirmwareUpdateManifest",
    ImageType.CUSTOMER_UPDATE_MANIFEST: "CustomerUpdateManifest",
    ImageType.RECOVERY_MANIFEST: "RecoveryManifest", ImageType.MANIFEST_SET: "ManifestSet",
    ImageType.OTHER: "Other",
}


class SigningType(IntEnum):
    ECDSA256 = 1
    ECDSA384 = 2


class AbiType(IntEnum):
    NONE = 0
    SECURE_WORLD_RUNTIME = 1
    OS_RUNTIME = 2
    APPLICATION_RUNTIME = 3


class CompressionType(IntEnum):
    LZMA = 1


TEMPORARY_FLAGS = {0x1: "RemoveAtBoot", 0x2: "UnderDevelopment"}
POLICY_FLAGS = {0x1: "InvalidateFromNormalWorld", 0x2: "SideloadFromNormalWorld"}


def image_type_name(value: int) -> str:
    try:
        return IMAGE_TYPE_NAMES[ImageType(value)]
    except ValueError:
        return f"unknown ({value})"


def section_name(section_id: int) -> str:
    try:
        return SECTION_NAMES[SectionId(section_id)]
    except ValueError:
        return f"unknown {section_tag(section_id)}"


def section_tag(section_id: int) -> str:
    """The id as its two characters, e.g. '"ID"', or hex when they are not printable."""
    raw = section_id.to_bytes(2, "little")
    if all(0x20 < b < 0x7F for b in raw):
        return f'"{raw.decode()}"'
    return f"{section_id:#06x}"


def flag_names(value: int, names: dict[int, str]) -> str:
    known = [name for bit, name in names.items() if value & bit]
    rest = value & ~sum(names)
    return ", ".join(known + ([f"{rest:#x}"] if rest else [])) or "none"


# -- section bodies -------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    image_type: int
    component_id: UUID
    image_id: UUID
    reserved: int = 0


@dataclass(frozen=True)
class SignatureInfo:
    thumbprint: bytes  # SHA-1 of the signing certificate (DER)
    signing_type: int = SigningType.ECDSA256


@dataclass(frozen=True)
class Debug:
    build_time: int  # Unix seconds
    name: str


@dataclass(frozen=True)
class TemporaryImage:
    flags: int


@dataclass(frozen=True)
class AbiVersion:
    version: int
    type: int


@dataclass(frozen=True)
class AbiDepends:
    entries: tuple[AbiVersion, ...]


@dataclass(frozen=True)
class AbiProvides:
    entries: tuple[AbiVersion, ...]


@dataclass(frozen=True)
class Compression:
    uncompressed_size: int
    compression_type: int = CompressionType.LZMA


@dataclass(frozen=True)
class RequiredFlashOffset:
    offset: int


@dataclass(frozen=True)
class Revocation:
    security_version: int


@dataclass(frozen=True)
class ImagePolicy:
    flags: int


@dataclass(frozen=True)
class UnknownSection:
    id: int
    data: bytes


class _Dataclass(Adapter):
    """Parse a Struct into a frozen dataclass and build it back from one."""

    def __init__(self, subcon: Construct, cls: type) -> None:
        super().__init__(subcon)
        self.cls = cls

    def _decode(self, obj: Any, context: Any, path: str) -> Any:
        values = {f.name: obj[f.name] for f in fields(self.cls)}
        return self.cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})

    def _encode(self, obj: Any, context: Any, path: str) -> Any:
        if not isinstance(obj, self.cls):
            raise ValueError(f"expected {self.cls.__name__}, got {type(obj).__name__}")
        return {f.name: getattr(obj, f.name) for f in fields(self.cls)}


class _NulPaddedText(Adapter):
    """Fixed-size NUL-padded text. Undecodable bytes survive a round trip (surrogateescape)."""

    def _decode(self, obj: bytes, context: Any, path: str) -> str:
        return obj.rstrip(b"\0").decode("utf-8", "surrogateescape")

    def _encode(self, obj: str, context: Any, path: str) -> bytes:
        raw = obj.encode("utf-8", "surrogateescape")
        if len(raw) > self.subcon.sizeof():
            raise ValueError(f"{obj!r} is longer than {self.subcon.sizeof()} bytes")
        return raw.ljust(self.subcon.sizeof(), b"\0")


# Microsoft's mixed-endian GUID byte order: the first three fields little-endian.
Guid = ExprAdapter(Bytes(16), lambda raw, ctx: UUID(bytes_le=raw), lambda u, ctx: u.bytes_le)

_ABI_ENTRIES = PrefixedArray(Int32ul, _Dataclass(Struct("version" / Int32ul, "type" / Int32ul),
                                                 AbiVersion))

SECTION_BODIES: dict[SectionId, Construct] = {
    SectionId.IDENTITY: _Dataclass(Struct(
        "image_type" / Int16ul, "reserved" / Int16ul,
        "component_id" / Guid, "image_id" / Guid), Identity),
    SectionId.SIGNATURE: _Dataclass(Struct(
        "thumbprint" / Bytes(20), "signing_type" / Int32ul), SignatureInfo),
    SectionId.DEBUG: _Dataclass(Struct(
        "build_time" / Int64ul, "name" / _NulPaddedText(Bytes(32))), Debug),
    SectionId.TEMPORARY_IMAGE: _Dataclass(Struct("flags" / Int32ul), TemporaryImage),
    SectionId.ABI_DEPENDS: _Dataclass(Struct("entries" / _ABI_ENTRIES), AbiDepends),
    SectionId.ABI_PROVIDES: _Dataclass(Struct("entries" / _ABI_ENTRIES), AbiProvides),
    SectionId.COMPRESSION: _Dataclass(Struct(
        "uncompressed_size" / Int32ul, "compression_type" / Int32ul), Compression),
    SectionId.REQUIRED_FLASH_OFFSET: _Dataclass(Struct("offset" / Int32ul), RequiredFlashOffset),
    SectionId.REVOCATION: _Dataclass(Struct("security_version" / Int32ul), Revocation),
    SectionId.IMAGE_POLICY: _Dataclass(Struct("flags" / Int32ul), ImagePolicy),
}

SECTION_CLASSES: dict[type, SectionId] = {
    Identity: SectionId.IDENTITY, SignatureInfo: SectionId.SIGNATURE, Debug: SectionId.DEBUG,
    TemporaryImage: SectionId.TEMPORARY_IMAGE, AbiDepends: SectionId.ABI_DEPENDS,
    AbiProvides: SectionId.ABI_PROVIDES, Compression: SectionId.COMPRESSION,
    RequiredFlashOffset: SectionId.REQUIRED_FLASH_OFFSET, Revocation: SectionId.REVOCATION,
    ImagePolicy: SectionId.IMAGE_POLICY,
}

# A known section must be exactly as long as its body: trailing bytes are refused, not ignored.
_EXACT: dict[int, Construct] = {sid: Struct("value" / body, Terminated)
                                for sid, body in SECTION_BODIES.items()}

METADATA_HEADER = Struct("magic" / Const(MAGIC), "count" / Int32ul)
SECTION = Struct("id" / Int16ul, "length" / Int16ul, "data" / Bytes(this.length))
SECTION_HEADER = Struct(*SECTION.subcons[:2])  # the same fields, for bounds checks first
METADATA_LENGTH = Int32ul

SectionValue = (Identity | SignatureInfo | Debug | TemporaryImage | AbiDepends | AbiProvides
                | Compression | RequiredFlashOffset | Revocation | ImagePolicy | UnknownSection)


def decode_section(section_id: int, data: bytes) -> SectionValue:
    exact = _EXACT.get(section_id)
    if exact is None:
        return UnknownSection(section_id, data)
    try:
        return exact.parse(data).value
    except ConstructError:
        raise ImageError(Reason.MALFORMED, f"malformed: {section_name(section_id)} section has "
                         f"{len(data)} bytes that do not decode as one") from None


def encode_section(value: SectionValue) -> tuple[int, bytes]:
    """(id, body bytes) for a section value; raises ImageError if it cannot be encoded."""
    if isinstance(value, UnknownSection):
        return value.id, value.data
    section_id = SECTION_CLASSES.get(type(value))
    if section_id is None:
        raise TypeError(f"not a metadata section: {value!r}")
    try:
        return section_id, SECTION_BODIES[section_id].build(value)
    except (ConstructError, ValueError) as err:
        raise ImageError(Reason.MALFORMED,
                         f"cannot encode {section_name(section_id)} section: {err}") from None


def build_metadata(sections: Iterable[tuple[int, bytes]]) -> bytes:
    """The metadata block for ``(id, body)`` pairs, with every length computed."""
    sections = list(sections)
    body = b"".join(SECTION.build({"id": sid, "length": len(data), "data": data})
                    for sid, data in sections)
    length = HEADER_SIZE + len(body) + TRAILER_SIZE
    return METADATA_HEADER.build({"count": len(sections)}) + body + METADATA_LENGTH.build(length)


def parse_metadata(block: bytes) -> list[tuple[int, bytes]]:
    """Split a metadata block (exactly as long as its length word says) into sections.

    The section count comes from the data, so it is bounded by the block size before any
    section is read: an over-large count is refused, never trusted.
    """
    try:
        header = METADATA_HEADER.parse(block)
    except ConstructError:
        raise ImageError(Reason.MALFORMED, "malformed: no 4X4M metadata magic") from None
    end = len(block) - TRAILER_SIZE
    room = end - HEADER_SIZE
    if header.count == 0:
        raise ImageError(Reason.MALFORMED, "malformed: the metadata has no sections")
    if header.count > room // SECTION_HEADER_SIZE:
        raise ImageError(Reason.MALFORMED, f"malformed: {header.count} sections cannot fit in "
                                           f"{room} bytes of metadata")
    sections = []
    pos = HEADER_SIZE
    for index in range(header.count):
        if pos + SECTION_HEADER_SIZE > end:
            raise ImageError(Reason.MALFORMED, f"malformed: section {index} of {header.count} "
                                               f"starts past the end of the metadata")
        entry = SECTION_HEADER.parse(block[pos:pos + SECTION_HEADER_SIZE])
        if pos + SECTION_HEADER_SIZE + entry.length > end:
            raise ImageError(Reason.MALFORMED, (
                f"malformed: {section_name(entry.id)} section length {entry.length} overruns "
                f"the metadata by {pos + SECTION_HEADER_SIZE + entry.length - end} bytes"))
        start = pos + SECTION_HEADER_SIZE
        sections.append((entry.id, block[start:start + entry.length]))
        pos = start + entry.length
    if pos != end:
        raise ImageError(Reason.MALFORMED,
                         f"malformed: {end - pos} stray bytes after the last metadata section")
    return sections
