"""LZMA-compressed image packages (mt3620-facts §2.4).

The outer package's payload is an LZMA "alone" stream of a complete inner package (payload,
metadata and signature of its own); the outer metadata has a Compression section giving the
inner package's length. Both packages are signed, and both signatures are checked.
"""

import lzma
from collections.abc import Sequence

from .errors import ImageError, Reason
from .metadata import Compression, CompressionType, Identity, Revocation, SectionValue
from .package import ImagePackage, PackageSigner, build_package, parse_package

MAX_UNCOMPRESSED = 16 << 20  # the MT3620's whole flash: nothing larger can be genuine


def decompress_package(package: ImagePackage) -> bytes:
    """The inner package's bytes; refuses bombs, truncation and size mismatches."""
    cm = package.compression
    if cm is None:
        raise ImageError(Reason.MALFORMED, "malformed: no Compression section")
    if cm.compression_type != CompressionType.LZMA:
        raise ImageError(Reason.UNSUPPORTED, f"compression type {cm.compression_type} is not "
                                             f"LZMA ({CompressionType.LZMA})")
    if cm.uncompressed_size > MAX_UNCOMPRESSED:
        raise ImageError(Reason.MALFORMED, f"malformed: uncompressed size {cm.uncompressed_size} "
                                           f"exceeds the {MAX_UNCOMPRESSED}-byte flash")
    decompressor = lzma.LZMADecompressor(format=lzma.FORMAT_ALONE)
    try:
        inner = decompressor.decompress(package.payload, max_length=cm.uncompressed_size + 1)
    except lzma.LZMAError:
        raise ImageError(Reason.MALFORMED,
                         "malformed: compressed payload is not a valid LZMA stream") from None
    if len(inner) != cm.uncompressed_size or not decompressor.eof:
        raise ImageError(Reason.MALFORMED, (
            f"malformed: payload decompresses to {len(inner)}{'' if decompressor.eof else '+'} "
            f"bytes, the Compression section says {cm.uncompressed_size}"))
    if len(decompressor.unused_data) > 3 or any(decompressor.unused_data):
        raise ImageError(Reason.MALFORMED, "malformed: stray bytes after the LZMA stream")
    return inner


def compress_package(inner: bytes, signer: PackageSigner,
                     extra_sections: Sequence[SectionValue] = ()) -> bytes:
    """Wrap a signed package in a compressed, signed outer package.

    The outer package repeats the inner Identity (and Revocation, so the rollback fuse sees
    the same security version before anything is decompressed).
    """
    package = parse_package(inner)
    sections: list[SectionValue] = []
    for cls in (Identity, Revocation):
        value = package.find(cls)
        if value is not None:
            sections.append(value)
    sections.append(Compression(len(inner)))
    sections.extend(extra_sections)
    payload = lzma.compress(inner, format=lzma.FORMAT_ALONE)
    return build_package(payload, sections, signer)
