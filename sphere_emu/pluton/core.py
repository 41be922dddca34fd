"""Pluton's services, as Python calls: RNG, hashing, image verification, measured boot,
attestation, eFuses.

The device secret and every private key stay inside this object and the ``Device``; what
leaves (to the mailbox, into guest memory) is public: hashes, public keys, signatures.

Measurements work like TPM PCRs: ``MEASUREMENT_COUNT`` registers that start at zero and can
only be extended, ``m = SHA-256(m || digest)``, each extension recorded in an event log.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..device import Device
from ..image.verify import VerifiedPackage, verify_package
from ..trust.keys import COORDINATE
from .protocol import MEASUREMENT_COUNT, PlutonError, Status
from .structs import DESCRIPTION_SIZE, NONCE_SIZE, QUOTE, SECURITY_STATE

DIGEST_SIZE = 32
MAX_EVENTS = 256


@dataclass(frozen=True)
class MeasurementEvent:
    index: int
    digest: bytes
    description: str


class GuestMemory(Protocol):
    """A bus-master port: how Pluton reads and writes guest memory."""

    def read(self, address: int, size: int) -> bytes: ...

    def write(self, address: int, data: bytes) -> None: ...


class Pluton:
    def __init__(self, device: Device, memory: GuestMemory | None = None) -> None:
        self.device = device
        self.memory = memory  # used by the mailbox commands that take guest addresses
        self.reset()

    def reset(self) -> None:
        """Power-on state: measurements zero, empty log, RNG stream from its seed."""
        self._measurements = [bytes(DIGEST_SIZE)] * MEASUREMENT_COUNT
        self._events: list[MeasurementEvent] = []
        self._rng_seed = self.device.derive("rng")
        self._rng_counter = 0
        self._trust = None
        self.postcode = 0

    # -- randomness --------------------------------------------------------------------
    def random(self, size: int) -> bytes:
        """Deterministic per device and per power-on: SHA-256(seed || counter) blocks."""
        out = bytearray()
        while len(out) < size:
            block = self._rng_seed + self._rng_counter.to_bytes(8, "little")
            out += hashlib.sha256(block).digest()
            self._rng_counter += 1
        return bytes(out[:size])

    # -- images ------------------------------------------------------------------------
    def verify_image(self, data: bytes, expected_type: int | None = None) -> VerifiedPackage:
        """Verify against this device's trust store and rollback fuse (raises ImageError)."""
        if self._trust is None:
            self._trust = self.device.trust_store()
        return verify_package(data, self._trust, self.device.efuses.rollback,
                              expected_type=expected_type)

    # -- measurements ------------------------------------------------------------------
    @property
    def measurements(self) -> tuple[bytes, ...]:
        return tuple(self._measurements)

    @property
    def events(self) -> tuple[MeasurementEvent, ...]:
        return tuple(self._events)

    def extend(self, index: int, digest: bytes, description: str = "") -> bytes:
        if not 0 <= index < MEASUREMENT_COUNT:
            raise PlutonError(Status.BAD_ARGUMENT, f"measurement index {index} is not "
                                                   f"0..{MEASUREMENT_COUNT - 1}")
        if len(digest) != DIGEST_SIZE:
            raise PlutonError(Status.BAD_ARGUMENT, "a measurement is a 32-byte SHA-256 digest")
        if len(self._events) >= MAX_EVENTS:
            raise PlutonError(Status.BUFFER_TOO_SMALL, "the event log is full")
        description = description.encode("ascii", "replace")[:DESCRIPTION_SIZE].decode()
        self._measurements[index] = hashlib.sha256(self._measurements[index] + digest).digest()
        self._events.append(MeasurementEvent(index, digest, description))
        return self._measurements[index]

    # -- identity and attestation ------------------------------------------------------
    @property
    def device_id(self) -> bytes:
        return self.device.device_id

    def quote(self, nonce: bytes) -> bytes:
        """An attestation quote: measurements, fuse state and ``nonce``, signed by the
        device identity key (verify with ``attestation.verify_quote``)."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        if len(nonce) != NONCE_SIZE:
            raise PlutonError(Status.BAD_ARGUMENT, f"the nonce must be {NONCE_SIZE} bytes")
        efuses = self.device.efuses
        body = QUOTE.build({
            "device_id": self.device_id, "nonce": nonce, "measurements": self._measurements,
            "event_count": len(self._events), "rollback_fuse": efuses.rollback,
            "capabilities": efuses.capabilities, "signature": bytes(64)})[:-64]
        der = self.device.identity_key().sign(
            body, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        return body + r.to_bytes(COORDINATE, "big") + s.to_bytes(COORDINATE, "big")

    # -- eFuses ------------------------------------------------------------------------
    def security_state(self) -> bytes:
        efuses = self.device.efuses
        return SECURITY_STATE.build({
            "rollback_fuse": efuses.rollback, "capabilities": efuses.capabilities,
            "event_count": len(self._events), "root_key_hash": efuses.root_key_hash,
            "device_id": self.device_id})

    def execute(self, command: int, args: Sequence[int]) -> tuple[int, list[int]]:
        """Serve one mailbox command (the ``CommandServer`` of the Pluton mailbox block)."""
        from .commands import execute  # commands build on this class

        return execute(self, command, tuple(args))

    def advance_rollback(self, version: int) -> int:
        if not 0 <= version <= 32:
            raise PlutonError(Status.BAD_ARGUMENT, f"security version {version} is not 0..32")
        return self.device.advance_rollback(version)

    # -- snapshots (the device's eFuses and files are the device's, not the machine's) -----
    def snapshot(self) -> dict:
        return {"measurements": list(self._measurements),
                "events": [(e.index, e.digest, e.description) for e in self._events],
                "rng_counter": self._rng_counter, "postcode": self.postcode}

    def restore(self, state: dict) -> None:
        self._measurements = list(state["measurements"])
        self._events = [MeasurementEvent(*e) for e in state["events"]]
        self._rng_counter = state["rng_counter"]
        self._restore_postcode(state["postcode"])

    def _restore_postcode(self, value: int) -> None:
        self.postcode = value
