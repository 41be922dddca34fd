"""Deciding whether to trust an image package: the one verifier every stage uses.

Checks run in an order that never interprets signed content before it is known to be
signed, except for what is needed to find the signer (the layout and the Signature
section). Any failure raises ``ImageError`` with a ``Reason``; nothing is half-accepted.
"""

from dataclasses import dataclass
from uuid import UUID

from ..trust.keys import verify_signature
from ..trust.store import TrustedSigner, TrustStore
from .compression import decompress_package
from .errors import ImageError, Reason
from .metadata import Identity, SigningType, image_type_name
from .package import ImagePackage, parse_package

FUSE_BITS = 32


@dataclass(frozen=True)
class VerifiedPackage:
    package: ImagePackage  # the image itself (the inner one when it came compressed)
    signer: TrustedSigner
    outer: ImagePackage | None = None  # the compressed wrapper, if there was one

    @property
    def identity(self) -> Identity:
        identity = self.package.identity
        assert identity is not None  # verify_package refuses packages without one
        return identity

    @property
    def image_type(self) -> int:
        return self.identity.image_type

    @property
    def component_id(self) -> UUID:
        return self.identity.component_id

    @property
    def security_version(self) -> int:
        return self.package.security_version

    @property
    def payload(self) -> bytes:
        return self.package.payload


def is_revoked(security_version: int, rollback_fuse: int) -> bool:
    """Bit N of the rollback fuse set means security version N is no longer trusted."""
    return security_version < FUSE_BITS and bool(rollback_fuse >> security_version & 1)


def verify_package(data: bytes, trust: TrustStore, rollback_fuse: int = 0, *,
                   expected_type: int | None = None) -> VerifiedPackage:
    """Verify a package's layout, signer, signature, image type and security version."""
    return _verify(data, trust, rollback_fuse, expected_type, nested=False)


def _verify(data: bytes, trust: TrustStore, rollback_fuse: int, expected_type: int | None,
            nested: bool) -> VerifiedPackage:
    package = parse_package(data)
    info = package.signature_info
    if info is None:
        raise ImageError(Reason.MALFORMED, "malformed: no Signature (SG) section")
    identity = package.identity
    if identity is None:
        raise ImageError(Reason.MALFORMED, "malformed: no Identity (ID) section")
    if info.signing_type != SigningType.ECDSA256:
        raise ImageError(Reason.UNSUPPORTED, f"signing type {info.signing_type} is not ECDsa256, "
                                             f"the only one the MT3620 uses")
    thumbprint = info.thumbprint.hex()
    signer = trust.lookup(info.thumbprint)
    if signer is None:
        why = trust.why_untrusted(info.thumbprint)
        raise ImageError(Reason.UNTRUSTED_SIGNER,
                         f"untrusted signer {thumbprint}" + (f" ({why})" if why else ""))
    if not verify_signature(signer.public_key, package.signature, package.signed_bytes):
        raise ImageError(Reason.BAD_SIGNATURE, f"bad signature (signer {thumbprint})")
    if not signer.allows(identity.image_type):
        raise ImageError(Reason.UNTRUSTED_SIGNER, (
            f"untrusted signer {thumbprint} for {image_type_name(identity.image_type)} images "
            f"({signer.subject} may sign only "
            f"{', '.join(sorted(image_type_name(t) for t in signer.image_types or ()))})"))
    if is_revoked(package.security_version, rollback_fuse):
        raise ImageError(Reason.REVOKED, f"downgrade: security version {package.security_version} "
                                         f"is revoked by the rollback fuse "
                                         f"({rollback_fuse:#010x})")
    if expected_type is not None and identity.image_type != expected_type:
        raise ImageError(Reason.WRONG_TYPE, f"wrong image type: "
                                            f"{image_type_name(identity.image_type)}, expected "
                                            f"{image_type_name(expected_type)}")
    if package.compression is None:
        return VerifiedPackage(package, signer)
    if nested:
        raise ImageError(Reason.MALFORMED, "malformed: a compressed package inside another")
    inner = _verify(decompress_package(package), trust, rollback_fuse, expected_type, nested=True)
    if inner.identity.image_type != identity.image_type:
        raise ImageError(Reason.MALFORMED, "malformed: the compressed image's type differs from "
                                           "its wrapper's")
    return VerifiedPackage(inner.package, inner.signer, outer=package)
