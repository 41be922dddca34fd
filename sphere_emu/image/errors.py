"""Errors raised for image packages and app manifests.

Every refusal carries a machine-readable ``reason`` besides its one-line message, so the boot
chain and the Pluton model can map it to a status code without parsing text.
"""

from enum import Enum

from ..errors import SphereEmuError


class Reason(Enum):
    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad-signature"
    UNTRUSTED_SIGNER = "untrusted-signer"
    REVOKED = "revoked"  # security version revoked by the rollback fuse (a downgrade)
    WRONG_TYPE = "wrong-type"
    UNSUPPORTED = "unsupported"
    NOT_FOUND = "not-found"


class ImageError(SphereEmuError):
    """An image package is malformed, unsigned, untrusted, revoked or otherwise refused."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class ManifestError(SphereEmuError):
    """An ``app_manifest.json`` is not valid; the message names the field and why."""
