"""Human- and machine-readable descriptions of a package (``sphere-emu image show``).

Showing decodes everything it can but trusts nothing: it does not check the signature
(``image verify`` does), and a payload that fails to decode is reported, not fatal.
"""

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from .errors import ImageError, ManifestError
from .metadata import (
    POLICY_FLAGS,
    TEMPORARY_FLAGS,
    AbiDepends,
    AbiProvides,
    AbiType,
    Compression,
    CompressionType,
    Debug,
    Identity,
    ImagePolicy,
    ImageType,
    RequiredFlashOffset,
    Revocation,
    SignatureInfo,
    SigningType,
    TemporaryImage,
    UnknownSection,
    flag_names,
    image_type_name,
    section_tag,
)
from .package import SIGNATURE_SIZE, ImagePackage, Section, parse_package


@dataclass
class Block:
    title: str
    fields: list[tuple[str, Any]] = field(default_factory=list)
    children: list["Block"] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title, **dict(self.fields)}
        if self.children:
            out["contents"] = [c.to_json() for c in self.children]
        return out

    def lines(self, indent: int = 0) -> list[str]:
        pad = "  " * indent
        out = [f"{pad}{self.title}"]
        width = max((len(k) for k, _ in self.fields), default=0) + 1
        out += [f"{pad}  {k + ':':<{width}} {v}" for k, v in self.fields]
        for child in self.children:
            out += child.lines(indent + 1)
        return out


# Keyed by enum first: IntEnum members of different enums with equal values are equal keys.
_DISPLAY = {SigningType: {1: "ECDsa256", 2: "ECDsa384"}, CompressionType: {1: "LZMA"}}


def _enum_name(enum: type, value: int) -> str:
    """The name azsphere prints: ECDsa256, ApplicationRuntime, LZMA."""
    try:
        member = enum(value)
    except ValueError:
        return f"unknown ({value})"
    return _DISPLAY.get(enum, {}).get(value) or "".join(
        w.capitalize() for w in member.name.split("_"))


def _abi(entries: tuple) -> str:
    return ", ".join(f"{_enum_name(AbiType, e.type)} version {e.version}" for e in entries) \
        or "none"


def section_block(section: Section) -> Block:
    v = section.value
    title = f"Section: {section.name} ({section_tag(section.id)}, {len(section.data)} bytes)"
    if isinstance(v, Identity):
        fields = [("Image Type", f"{image_type_name(v.image_type)} ({v.image_type})"),
                  ("Component ID", str(v.component_id)), ("Image ID", str(v.image_id))]
        if v.reserved:
            fields.append(("Reserved", f"{v.reserved:#06x}"))
    elif isinstance(v, SignatureInfo):
        fields = [("Signing Type", _enum_name(SigningType, v.signing_type)),
                  ("Cert Thumbprint", v.thumbprint.hex())]
    elif isinstance(v, Debug):
        when = datetime.datetime.fromtimestamp(v.build_time, datetime.UTC) \
            if v.build_time < 253402300800 else None
        fields = [("Image Name", v.name),
                  ("Built On (UTC)", when.strftime("%Y-%m-%d %H:%M:%S") if when
                   else f"{v.build_time} (out of range)")]
    elif isinstance(v, TemporaryImage):
        fields = [("Flags", flag_names(v.flags, TEMPORARY_FLAGS))]
    elif isinstance(v, AbiDepends):
        fields = [("Depends On", _abi(v.entries))]
    elif isinstance(v, AbiProvides):
        fields = [("Provides", _abi(v.entries))]
    elif isinstance(v, Compression):
        fields = [("Type", _enum_name(CompressionType, v.compression_type)),
                  ("Uncompressed Size", f"{v.uncompressed_size} bytes")]
    elif isinstance(v, RequiredFlashOffset):
        fields = [("Offset", f"{v.offset:#x}")]
    elif isinstance(v, Revocation):
        fields = [("Security Version", str(v.security_version))]
    elif isinstance(v, ImagePolicy):
        fields = [("Flags", flag_names(v.flags, POLICY_FLAGS))]
    else:
        assert isinstance(v, UnknownSection)
        fields = [("Data", v.data.hex() or "(empty)")]
    return Block(title, fields)


def describe(data: bytes, name: str = "image package") -> Block:
    """Everything in a package; raises ImageError only if the layout itself is broken."""
    package = parse_package(data)
    block = Block(f"{name}: {len(data)} bytes", [
        ("Payload", f"{len(package.payload)} bytes at 0x0"),
        ("Metadata", f"{len(data) - len(package.payload) - SIGNATURE_SIZE} bytes at "
                     f"{package.metadata_offset:#x}, {len(package.sections)} sections"),
        ("Signature", f"{SIGNATURE_SIZE} bytes (ECDSA P-256 r||s; not checked here: "
                      f"use 'image verify')"),
    ])
    block.children = [section_block(s) for s in package.sections]
    block.children.extend(_payload_blocks(package))
    return block


def _payload_blocks(package: ImagePackage) -> list[Block]:
    from .compression import decompress_package

    if package.compression is not None:
        try:
            return [describe(decompress_package(package), "Compressed image")]
        except ImageError as err:
            return [Block("Compressed image", [("Error", str(err))])]
    identity = package.identity
    if identity is None or identity.image_type != ImageType.APPLICATIONS:
        return []
    return _application_blocks(package.payload)


def _application_blocks(payload: bytes) -> list[Block]:
    from .asxipfs import read_asxipfs
    from .manifest import parse_manifest

    try:
        fs = read_asxipfs(payload)
    except ImageError as err:
        return [Block("ASXipFS", [("Error", str(err))])]
    files = Block(f"ASXipFS: {fs.size} bytes, {len(fs.files)} files", [
        (path, f"mode {f.mode:o}, {len(f.data)} bytes at {f.offset:#x}")
        for path, f in sorted(fs.files.items())])
    raw = fs.read("/app_manifest.json")
    if raw is None:
        return [files, Block("Application manifest", [("Error", "no /app_manifest.json")])]
    try:
        m = parse_manifest(raw)
    except ManifestError as err:
        return [files, Block("Application manifest", [("Error", str(err))])]
    fields: list[tuple[str, Any]] = [
        ("Name", m.name), ("Component ID", str(m.component_id)),
        ("Application Type", m.application_type), ("Entry Point", m.entry_point)]
    if m.entry_point not in fs.files:
        fields.append(("Error", f"EntryPoint {m.entry_point} is not in the package"))
    if m.cmd_args:
        fields.append(("Command Line", " ".join(m.cmd_args)))
    fields += [(f"Capability {k}", json.dumps(v)) for k, v in m.capabilities.items()]
    return [files, Block("Application manifest", fields)]
