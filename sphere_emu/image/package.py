"""The ``.imagepackage`` container: payload, metadata, signature (mt3620-facts §2.1).

::

    payload (padded with zeros to a multiple of 4) | 4X4M metadata | 64-byte signature

The signature is ECDSA P-256, raw r||s, over SHA-256 of every byte before it. The metadata
is found from the end: the u32 just before the signature is the metadata's own length.

``parse_package`` checks the layout only (what a parser can check without keys); deciding
whether to trust a package is ``verify.verify_package``.
"""

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from .errors import ImageError, Reason
from .metadata import (
    HEADER_SIZE,
    TRAILER_SIZE,
    Compression,
    Debug,
    Identity,
    Revocation,
    SectionValue,
    SignatureInfo,
    UnknownSection,
    build_metadata,
    decode_section,
    encode_section,
    parse_metadata,
    section_name,
)

SIGNATURE_SIZE = 64  # ECDsa256 raw r||s; the MT3620 uses nothing else
MIN_METADATA = HEADER_SIZE + TRAILER_SIZE
ALIGNMENT = 4

T = TypeVar("T")


class PackageSigner(Protocol):
    @property
    def thumbprint(self) -> bytes: ...

    def sign(self, data: bytes) -> bytes: ...


@dataclass(frozen=True)
class Section:
    id: int
    data: bytes  # the body exactly as stored
    value: SectionValue  # decoded; UnknownSection for ids we do not know

    @property
    def name(self) -> str:
        return section_name(self.id)


@dataclass(frozen=True)
class ImagePackage:
    payload: bytes = field(repr=False)  # including the padding to 4 bytes
    sections: tuple[Section, ...]
    signature: bytes = field(repr=False)
    raw: bytes = field(repr=False)

    @property
    def signed_bytes(self) -> bytes:
        return self.raw[:-SIGNATURE_SIZE]

    @property
    def metadata_offset(self) -> int:
        return len(self.payload)

    def find(self, cls: type[T]) -> T | None:
        return next((s.value for s in self.sections if isinstance(s.value, cls)), None)

    @property
    def identity(self) -> Identity | None:
        return self.find(Identity)

    @property
    def signature_info(self) -> SignatureInfo | None:
        return self.find(SignatureInfo)

    @property
    def debug(self) -> Debug | None:
        return self.find(Debug)

    @property
    def compression(self) -> Compression | None:
        return self.find(Compression)

    @property
    def security_version(self) -> int:
        """The Revocation section's security version; 0 for a package without one."""
        rv = self.find(Revocation)
        return rv.security_version if rv else 0


def parse_package(data: bytes) -> ImagePackage:
    """Split a package into payload, sections and signature; refuse any layout error."""
    data = bytes(data)
    size = len(data)
    if size < MIN_METADATA + SIGNATURE_SIZE:
        raise ImageError(Reason.MALFORMED, f"malformed: truncated: {size} bytes is too short for "
                                           f"an image package (at least "
                                           f"{MIN_METADATA + SIGNATURE_SIZE})")
    sig_at = size - SIGNATURE_SIZE
    (meta_len,) = struct.unpack_from("<I", data, sig_at - TRAILER_SIZE)
    if meta_len < MIN_METADATA:
        raise ImageError(Reason.MALFORMED, f"malformed: metadata length {meta_len} is below the "
                                           f"{MIN_METADATA}-byte minimum")
    if meta_len > sig_at:
        raise ImageError(Reason.MALFORMED, f"malformed: truncated: metadata length {meta_len} "
                                           f"runs past the start of the {size}-byte package")
    meta_at = sig_at - meta_len
    if meta_at % ALIGNMENT:
        raise ImageError(Reason.MALFORMED, f"malformed: payload length {meta_at} is not a "
                                           f"multiple of {ALIGNMENT}")
    sections = []
    seen: set[int] = set()
    for section_id, body in parse_metadata(data[meta_at:sig_at]):
        value = decode_section(section_id, body)
        if not isinstance(value, UnknownSection):
            if section_id in seen:
                raise ImageError(Reason.MALFORMED,
                                 f"malformed: duplicate {section_name(section_id)} section")
            seen.add(section_id)
        sections.append(Section(section_id, body, value))
    return ImagePackage(payload=data[:meta_at], sections=tuple(sections),
                        signature=data[sig_at:], raw=data)


def pad(payload: bytes) -> bytes:
    return payload + bytes(-len(payload) % ALIGNMENT)


def order_sections(sections: Iterable[SectionValue], signer: PackageSigner) -> list[SectionValue]:
    """Identity first, then Signature (made from the signer unless one is given), then the rest.

    That is the order the SDK writes; a caller that passes its own SignatureInfo (a test
    building a package that lies about its signer) gets it as given.
    """
    sections = list(sections)
    if not any(isinstance(s, SignatureInfo) for s in sections):
        at = 1 if sections and isinstance(sections[0], Identity) else 0
        sections.insert(at, SignatureInfo(signer.thumbprint))
    return sections


def build_package(payload: bytes, sections: Sequence[SectionValue],
                  signer: PackageSigner) -> bytes:
    """Pad ``payload``, append the metadata for ``sections`` and sign the lot."""
    body = pad(payload) + build_metadata(
        encode_section(s) for s in order_sections(sections, signer))
    return body + signer.sign(body)

