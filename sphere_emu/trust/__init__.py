"""Signing keys, certificates and the trust stores that decide which signers a device accepts.

``keys`` makes and loads ECDSA P-256 keys and X.509 certificates (and the bundled development
CA); ``store`` is the verifier's view: signers by SHA-1 thumbprint, each with the image types
it may sign; ``files`` writes user-owned files atomically.
"""

from ..errors import SphereEmuError


class TrustError(SphereEmuError):
    """A key or certificate file is missing, malformed or does not match."""
