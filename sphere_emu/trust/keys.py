"""ECDSA P-256 signing keys and their X.509 certificates.

A key pair lives in two PEM files side by side: ``NAME.key.pem`` (PKCS#8, mode 0600) and
``NAME.cert.pem``. Image packages name their signer by the SHA-1 thumbprint of the
certificate's DER encoding; a device's root-of-trust fuse holds the SHA-256 of the root
key's public point (X9.62 uncompressed, 65 bytes).

Signatures are deterministic (RFC 6979), so packing the same inputs twice gives the same
bytes. ``cryptography`` is imported inside the functions: it costs tens of milliseconds,
which the emulator's start-up should not pay unless it signs or verifies.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..files import read_file
from . import TrustError
from .files import PRIVATE, PUBLIC, write_file

KEY_SUFFIX = ".key.pem"
CERT_SUFFIX = ".cert.pem"
COORDINATE = 32  # bytes per P-256 coordinate / signature half
RAW_SIGNATURE_SIZE = 2 * COORDINATE

# The bundled development CA and the signing key it issued. NOT SECRET: they are committed
# so bundled images and tests verify out of the box. Never trust them on anything real.
DEVELOPMENT_CA = "development-ca"
DEVELOPMENT_SIGNER = "development-signing"

_NOT_BEFORE = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
_NOT_AFTER = datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Certificate:
    der: bytes = field(repr=False)
    subject: str
    issuer: str
    public_key: bytes = field(repr=False)  # X9.62 uncompressed point
    is_ca: bool

    @property
    def thumbprint(self) -> bytes:
        return hashlib.sha1(self.der).digest()

    @property
    def key_hash(self) -> bytes:
        """What a root-of-trust fuse holds for this certificate's key."""
        return hashlib.sha256(self.public_key).digest()

    def pem(self) -> bytes:
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import Encoding

        return x509.load_der_x509_certificate(self.der).public_bytes(Encoding.PEM)

    def issued_by(self, issuer: "Certificate") -> bool:
        """True when ``issuer``'s key signed this certificate (one link of a chain)."""
        from cryptography import x509

        try:
            x509.load_der_x509_certificate(self.der).verify_directly_issued_by(
                x509.load_der_x509_certificate(issuer.der))
        except Exception:  # InvalidSignature, ValueError, TypeError: all mean "not issued by"
            return False
        return True


def parse_certificate(data: bytes, source: str = "certificate") -> Certificate:
    """A certificate from PEM or DER bytes; it must carry an ECDSA P-256 key."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    try:
        cert = (x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data
                else x509.load_der_x509_certificate(data))
        key = cert.public_key()
    except ValueError:
        raise TrustError(f"{source}: not an X.509 certificate (PEM or DER)") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise TrustError(f"{source}: certificate key is not ECDSA P-256")
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    return Certificate(der=cert.public_bytes(Encoding.DER), subject=cert.subject.rfc4514_string(),
                       issuer=cert.issuer.rfc4514_string(),
                       public_key=key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint),
                       is_ca=is_ca)


def load_certificate(path: str | Path) -> Certificate:
    return parse_certificate(read_file(path, "certificate"), str(path))


@dataclass(frozen=True)
class Signer:
    """A private key with its certificate: what signs image packages."""

    certificate: Certificate
    private_key: Any = field(repr=False)  # cryptography EllipticCurvePrivateKey

    @property
    def thumbprint(self) -> bytes:
        return self.certificate.thumbprint

    def sign(self, data: bytes) -> bytes:
        """Raw r||s ECDSA P-256 signature over SHA-256(data), deterministic (RFC 6979)."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        der = self.private_key.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        return r.to_bytes(COORDINATE, "big") + s.to_bytes(COORDINATE, "big")


def verify_signature(public_key: bytes, signature: bytes, data: bytes) -> bool:
    """True only for a valid raw r||s P-256 signature over SHA-256(data) by ``public_key``."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    if len(signature) != RAW_SIGNATURE_SIZE:
        return False
    r = int.from_bytes(signature[:COORDINATE], "big")
    s = int.from_bytes(signature[COORDINATE:], "big")
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_key)
        key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def parse_private_key(data: bytes, source: str = "key") -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(data, password=None)
    except TypeError:
        raise TrustError(f"{source}: the key is password-protected (not supported)") from None
    except ValueError:
        raise TrustError(f"{source}: not a PEM private key") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise TrustError(f"{source}: not an ECDSA P-256 private key")
    return key


def certificate_path_for(key_path: str | Path) -> Path:
    """NAME.key.pem -> NAME.cert.pem (the layout ``keys create`` writes)."""
    key_path = Path(key_path)
    name = key_path.name
    stem = name[:-len(KEY_SUFFIX)] if name.endswith(KEY_SUFFIX) else key_path.stem
    return key_path.with_name(stem + CERT_SUFFIX)


def load_signer(key_path: str | Path, cert_path: str | Path | None = None) -> Signer:
    """The key at ``key_path`` and its certificate (by default the NAME.cert.pem beside it)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = parse_private_key(read_file(key_path, "key file"), str(key_path))
    cert_path = Path(cert_path) if cert_path else certificate_path_for(key_path)
    cert = load_certificate(cert_path)
    if key.public_key().public_bytes(Encoding.X962,
                                      PublicFormat.UncompressedPoint) != cert.public_key:
        raise TrustError(f"{key_path}: key does not match certificate {cert_path}")
    return Signer(cert, key)


def _bundled(name: str) -> bytes:
    return (resources.files("sphere_emu") / "data" / name).read_bytes()


def development_ca() -> Signer:
    """The bundled development CA. Its private key is public knowledge: test use only."""
    return Signer(parse_certificate(_bundled(DEVELOPMENT_CA + CERT_SUFFIX), DEVELOPMENT_CA),
                  parse_private_key(_bundled(DEVELOPMENT_CA + KEY_SUFFIX), DEVELOPMENT_CA))


def development_signer() -> Signer:
    """The bundled development signing key (issued by the development CA)."""
    return Signer(parse_certificate(_bundled(DEVELOPMENT_SIGNER + CERT_SUFFIX), DEVELOPMENT_SIGNER),
                  parse_private_key(_bundled(DEVELOPMENT_SIGNER + KEY_SUFFIX), DEVELOPMENT_SIGNER))


def make_certificate(private_key: Any, common_name: str, *, issuer: Signer | None = None,
                     ca: bool = False) -> Certificate:
    """A certificate for ``private_key``: self-signed, or issued by ``issuer``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sphere-emu"),
                         x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer_name = (x509.load_der_x509_certificate(issuer.certificate.der).subject
                   if issuer else subject)
    signing_key = issuer.private_key if issuer else private_key
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(issuer_name)
               .public_key(private_key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(_NOT_BEFORE).not_valid_after(_NOT_AFTER)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None),
                              critical=True)
               .add_extension(x509.KeyUsage(
                   digital_signature=True, content_commitment=False, key_encipherment=False,
                   data_encipherment=False, key_agreement=False, key_cert_sign=ca,
                   crl_sign=ca, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(
                   private_key.public_key()), critical=False))
    cert = builder.sign(signing_key, hashes.SHA256())
    return parse_certificate(cert.public_bytes(Encoding.DER), common_name)


def create_key(base: str | Path, *, issuer: Signer | None = None, ca: bool = False,
               common_name: str | None = None, force: bool = False) -> tuple[Path, Path]:
    """Make a new P-256 key and certificate as BASE.key.pem (0600) and BASE.cert.pem."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    base = Path(base)
    key_path = base.with_name(base.name + KEY_SUFFIX)
    cert_path = base.with_name(base.name + CERT_SUFFIX)
    if not force:
        for path in (key_path, cert_path):
            if path.exists():
                raise TrustError(f"{path}: already exists (use --force to overwrite it)")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = make_certificate(key, common_name or base.name, issuer=issuer, ca=ca)
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    # The certificate last: a certificate on disk means its key is there too.
    write_file(key_path, pem, mode=PRIVATE, force=force)
    write_file(cert_path, cert.pem(), mode=PUBLIC, force=force)
    return key_path, cert_path
