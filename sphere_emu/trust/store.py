"""Which signers a verifier accepts, and for which image types.

Packages name their signer only by certificate thumbprint, so a store maps thumbprints to
public keys. A device's store is anchored in its root-of-trust fuse (``rooted``): the root
certificate must hash to the fuse, certificates the root issued may sign any image type,
and other certificates the user trusted may sign only applications, and only while the
device has the app-development capability (as sideloading works on a real device).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from ..image.metadata import ImageType
from .keys import Certificate, development_ca, development_signer

APPLICATIONS_ONLY = frozenset({ImageType.APPLICATIONS})


@dataclass(frozen=True)
class TrustedSigner:
    thumbprint: bytes
    public_key: bytes  # X9.62 uncompressed P-256 point
    subject: str
    image_types: frozenset[int] | None = None  # None: every image type

    def allows(self, image_type: int) -> bool:
        return self.image_types is None or image_type in self.image_types

    @classmethod
    def of(cls, cert: Certificate, image_types: frozenset[int] | None = None) -> "TrustedSigner":
        return cls(cert.thumbprint, cert.public_key, cert.subject, image_types)


@dataclass(frozen=True)
class TrustStore:
    signers: tuple[TrustedSigner, ...] = ()
    # Certificates the store knows but does not trust, with the reason: for error messages.
    notes: tuple[tuple[bytes, str], ...] = ()

    def lookup(self, thumbprint: bytes) -> TrustedSigner | None:
        return next((s for s in self.signers if s.thumbprint == thumbprint), None)

    def why_untrusted(self, thumbprint: bytes) -> str | None:
        return next((why for t, why in self.notes if t == thumbprint), None)

    @classmethod
    def of(cls, certificates: Iterable[Certificate],
           image_types: frozenset[int] | None = None) -> "TrustStore":
        """Trust exactly these certificates (e.g. ``image verify --trust``)."""
        return cls(tuple(TrustedSigner.of(c, image_types) for c in certificates))

    @classmethod
    def development(cls) -> "TrustStore":
        """The bundled development CA and signing key, for every image type."""
        return cls.of([development_ca().certificate, development_signer().certificate])

    @classmethod
    def rooted(cls, root: Certificate | None, root_key_hash: bytes,
               certificates: Iterable[Certificate], *, app_development: bool) -> "TrustStore":
        signers: list[TrustedSigner] = []
        notes: list[tuple[bytes, str]] = []
        root_ok = root is not None and root.key_hash == root_key_hash
        mismatch = "the device's root certificate does not match its root-of-trust fuse"
        if root is not None:
            if root_ok:
                signers.append(TrustedSigner.of(root))
            else:
                notes.append((root.thumbprint, mismatch))
        for cert in certificates:
            issued = root is not None and cert.issued_by(root)
            if issued and root_ok:
                signers.append(TrustedSigner.of(cert))
            elif issued and not app_development:
                notes.append((cert.thumbprint, mismatch))
            elif app_development:
                signers.append(TrustedSigner.of(cert, APPLICATIONS_ONLY))
            else:
                notes.append((cert.thumbprint, "trusted for applications only when the device "
                                               "has the app-development capability"))
        return cls(tuple(signers), tuple(notes))
