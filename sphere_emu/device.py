"""Emulated devices: one directory per device, its identity, eFuses, trust and flash.

Layout of a device directory (docs/devices-and-keys.md)::

    efuses.json          root-of-trust key hash, 32-bit rollback fuse, capability names
    pluton-secret.bin    32 random bytes (mode 0600): the unique device secret; the
                         identity key and the RNG seed are derived from it
    root.cert.pem        the root-of-trust certificate; its key must hash to the fuse
    trust/<thumbprint>.cert.pem   signing certificates the device knows
    flash/<slot>.imagepackage     installed images; slot = image type, e.g.
                         security-monitor, normal-world-kernel, app-<component id>
    storage/<component id>.bin    an app's mutable storage, as the OS last programmed it
                         into the mutable-storage flash (docs/kernel-and-apps.md)

Every write is atomic (temporary file + rename). eFuses only ever gain bits: the rollback
fuse advances, capabilities are burned, nothing is cleared.
"""

import contextlib
import json
import os
import re
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SphereEmuError
from .files import read_file
from .trust.files import PRIVATE, write_file

if TYPE_CHECKING:  # imported lazily at run time: cryptography is slow to import
    from .trust.keys import Certificate
    from .trust.store import TrustStore

FORMAT = 1
EFUSES = "efuses.json"
SECRET = "pluton-secret.bin"
ROOT_CERT = "root.cert.pem"
TRUST_DIR = "trust"
FLASH_DIR = "flash"
STORAGE_DIR = "storage"
STORAGE_SUFFIX = ".bin"
PACKAGE_SUFFIX = ".imagepackage"
SECRET_SIZE = 32
FUSE_MASK = 0xFFFFFFFF
_SLOT = re.compile(r"^[a-z0-9][a-z0-9.-]*$")


class DeviceError(SphereEmuError):
    """A device directory is missing, malformed, or cannot take the change asked for."""


class Capability(IntEnum):
    """Capability numbers as Azure Sphere capability files use them (facts §2.7)."""

    ALLOW_TEST_KEY = 1
    PLUTON_DEBUG = 2
    HLOS_CORE_DEBUG = 3
    N9_DEBUG = 4
    HLOS_CORE_CONSOLE = 8
    SLT_LOADER = 9
    SYSTEM_SOFTWARE_DEVELOPMENT = 10
    APP_DEVELOPMENT = 11
    RF_TEST_MODE = 12
    FIELD_SERVICING = 13

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "-")

    @classmethod
    def from_label(cls, label: str) -> "Capability":
        for cap in cls:
            if cap.label == label:
                return cap
        raise DeviceError(f"unknown capability {label!r} (known: "
                          f"{', '.join(c.label for c in cls)})")


@dataclass(frozen=True)
class Efuses:
    root_key_hash: bytes  # SHA-256 of the root-of-trust public point
    rollback: int = 0  # bit N set: security version N is revoked
    capabilities: int = 0  # bit N set: Capability N enabled

    def has(self, capability: Capability) -> bool:
        return bool(self.capabilities >> capability & 1)

    @property
    def capability_list(self) -> list[Capability]:
        return [c for c in Capability if self.has(c)]

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "root_key_hash": self.root_key_hash.hex(),
                "rollback_fuse": self.rollback,
                "capabilities": [c.label for c in self.capability_list]}

    @classmethod
    def from_json(cls, doc: Any, source: str) -> "Efuses":
        try:
            if doc["format"] != FORMAT:
                raise DeviceError(f"{source}: format {doc['format']!r} is not {FORMAT}")
            root = bytes.fromhex(doc["root_key_hash"])
            rollback = doc["rollback_fuse"]
            caps = doc["capabilities"]
        except (KeyError, TypeError, ValueError) as err:
            raise DeviceError(f"{source}: malformed eFuse file ({err!r})") from None
        if len(root) != 32:
            raise DeviceError(f"{source}: root_key_hash must be 32 bytes")
        if isinstance(rollback, bool) or not isinstance(rollback, int) or \
                not 0 <= rollback <= FUSE_MASK:
            raise DeviceError(f"{source}: rollback_fuse must be a 32-bit unsigned integer")
        if not isinstance(caps, list):
            raise DeviceError(f"{source}: capabilities must be a list")
        bits = 0
        for label in caps:
            bits |= 1 << Capability.from_label(str(label))
        return cls(root, rollback, bits)


def capability_bits(capabilities: Iterable[Capability | str]) -> int:
    bits = 0
    for cap in capabilities:
        bits |= 1 << (cap if isinstance(cap, Capability) else Capability.from_label(cap))
    return bits


def revoke_below(rollback: int, version: int) -> int:
    """The fuse after revoking every security version below ``version`` (bits only set)."""
    if not 0 <= version <= 32:
        raise DeviceError(f"security version {version} is outside 0..32")
    return (rollback | ((1 << version) - 1)) & FUSE_MASK


def _hkdf(secret: bytes, label: str, length: int) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(hashes.SHA256(), length, salt=None,
                info=b"sphere-emu/" + label.encode()).derive(secret)


class Device:
    """An emulated device directory. Use ``create``, ``open`` or ``temporary``."""

    def __init__(self, path: Path, efuses: Efuses, secret: bytes, *,
                 durable: bool = True) -> None:
        self.path = path
        self._durable = durable  # False: a temporary device, its files never synced to disk
        self.efuses = efuses
        self._secret = secret
        self._identity_key: Any = None
        self._tmp: tempfile.TemporaryDirectory | None = None

    # -- making and opening ------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, *, root_certificate: bytes | None = None,
               trusted: Iterable[bytes] | None = None,
               capabilities: Iterable[Capability | str] = (Capability.APP_DEVELOPMENT,),
               rollback: int = 0, secret: bytes | None = None, force: bool = False,
               durable: bool = True) -> "Device":
        """A new device rooted in ``root_certificate`` (PEM; default: the development CA).

        ``trusted`` certificates (PEM) go into its trust directory; by default, with the
        development root, that is the development signing certificate. ``durable=False``
        (``temporary``): its files are not synced to the disk as they are written.
        """
        from .trust.keys import (
            development_ca,
            development_signer,
            parse_certificate,
        )

        path = Path(path)
        if root_certificate is None:
            root = development_ca().certificate
            trusted = [development_signer().certificate.pem()] if trusted is None else trusted
        else:
            root = parse_certificate(root_certificate, "root certificate")
        if secret is None:
            secret = os.urandom(SECRET_SIZE)
        if len(secret) != SECRET_SIZE:
            raise DeviceError(f"the device secret must be {SECRET_SIZE} bytes")
        if path.exists() and not path.is_dir():
            raise DeviceError(f"{path}: exists and is not a directory")
        if path.is_dir() and any(path.iterdir()) and not force:
            raise DeviceError(f"{path}: directory is not empty (use --force to replace the "
                              f"device in it)")
        if not 0 <= rollback <= FUSE_MASK:
            raise DeviceError(f"rollback fuse {rollback:#x} is not a 32-bit value")
        try:
            for sub in ("", TRUST_DIR, FLASH_DIR):
                (path / sub).mkdir(parents=True, exist_ok=True)
            # Replacing a device: the old one's trust, flash and storage must not leak into
            # the new.
            for old in [*(path / TRUST_DIR).glob("*.cert.pem"),
                        *(path / FLASH_DIR).glob("*" + PACKAGE_SUFFIX),
                        *(path / STORAGE_DIR).glob("*" + STORAGE_SUFFIX)]:
                old.unlink()
        except OSError as err:
            raise DeviceError(f"{path}: cannot create ({err.strerror})") from None
        efuses = Efuses(root.key_hash, rollback, capability_bits(capabilities))
        write_file(path / SECRET, secret, mode=PRIVATE, force=True, durable=durable)
        write_file(path / ROOT_CERT, root.pem(), force=True, durable=durable)
        device = cls(path, efuses, secret, durable=durable)
        device._write_efuses()
        for pem in trusted or ():
            device.trust(pem)
        return device

    @classmethod
    def open(cls, path: str | Path) -> "Device":
        path = Path(path)
        if not path.is_dir():
            raise DeviceError(f"{path}: no such device directory")
        if not (path / EFUSES).is_file():
            raise DeviceError(f"{path}: not a device directory (no {EFUSES}; make one with "
                              f"'sphere-emu device create')")
        try:
            doc = json.loads(read_file(path / EFUSES, "eFuse file"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise DeviceError(f"{path / EFUSES}: not valid JSON") from None
        efuses = Efuses.from_json(doc, str(path / EFUSES))
        secret = read_file(path / SECRET, "device secret")
        if len(secret) != SECRET_SIZE:
            raise DeviceError(f"{path / SECRET}: must be {SECRET_SIZE} bytes, not {len(secret)}")
        return cls(path, efuses, secret)

    @classmethod
    def temporary(cls, **create_args: Any) -> "Device":
        """A fresh device in a temporary directory, removed when the device is closed
        or garbage-collected. By default it trusts the bundled development CA."""
        tmp = tempfile.TemporaryDirectory(prefix="sphere-emu-device-")
        device = cls.create(tmp.name, durable=False, **create_args)
        device._tmp = tmp
        return device

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> "Device":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- identity ----------------------------------------------------------------------
    def derive(self, label: str, length: int = 32) -> bytes:
        """Key material bound to this device's secret and a purpose label (DICE-style:
        the secret itself never leaves the device object)."""
        return _hkdf(self._secret, label, length)

    def identity_key(self) -> Any:
        """The device identity key (P-256), derived deterministically from the secret."""
        if self._identity_key is None:
            from cryptography.hazmat.primitives.asymmetric import ec

            # 64 extra bits make the reduction's bias negligible (FIPS 186-5 A.2.1 style).
            n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
            scalar = int.from_bytes(self.derive("identity-key", 40), "big") % (n - 1) + 1
            self._identity_key = ec.derive_private_key(scalar, ec.SECP256R1())
        return self._identity_key

    @property
    def identity_public_key(self) -> bytes:
        """The identity key's public point as X||Y (64 bytes)."""
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        point = self.identity_key().public_key().public_bytes(
            Encoding.X962, PublicFormat.UncompressedPoint)
        return point[1:]

    @property
    def device_id(self) -> bytes:
        """64 bytes, like a real device ID: the identity public key's X||Y."""
        return self.identity_public_key

    # -- eFuses ------------------------------------------------------------------------
    def _write_efuses(self) -> None:
        text = json.dumps(self.efuses.to_json(), indent=2) + "\n"
        write_file(self.path / EFUSES, text.encode(), force=True, durable=self._durable)

    def advance_rollback(self, version: int) -> int:
        """Revoke every security version below ``version``; returns the new fuse value."""
        fuse = revoke_below(self.efuses.rollback, version)
        if fuse != self.efuses.rollback:
            self.efuses = replace(self.efuses, rollback=fuse)
            self._write_efuses()
        return fuse

    def burn_capability(self, capability: Capability) -> None:
        if not self.efuses.has(capability):
            self.efuses = replace(self.efuses,
                                  capabilities=self.efuses.capabilities | 1 << capability)
            self._write_efuses()

    # -- trust -------------------------------------------------------------------------
    def root_certificate(self) -> "Certificate | None":
        from .trust.keys import load_certificate

        path = self.path / ROOT_CERT
        return load_certificate(path) if path.exists() else None

    def trusted_certificates(self) -> "list[Certificate]":
        from .trust.keys import load_certificate

        return [load_certificate(p) for p in sorted((self.path / TRUST_DIR).glob("*.cert.pem"))]

    def trust(self, certificate_pem: bytes, source: str = "certificate") -> Path:
        """Add a signing certificate (read from ``source``) to the device's trust directory."""
        from .trust.keys import parse_certificate

        cert = parse_certificate(certificate_pem, source)
        return write_file(self.path / TRUST_DIR / f"{cert.thumbprint.hex()}.cert.pem",
                          cert.pem(), force=True, durable=self._durable)

    def trust_store(self) -> "TrustStore":
        """The signers this device accepts (see sphere_emu.trust.store.TrustStore.rooted)."""
        from .trust.store import TrustStore

        return TrustStore.rooted(self.root_certificate(), self.efuses.root_key_hash,
                                 self.trusted_certificates(),
                                 app_development=self.efuses.has(Capability.APP_DEVELOPMENT))

    # -- flash -------------------------------------------------------------------------
    def slots(self) -> dict[str, Path]:
        flash = self.path / FLASH_DIR
        return {p.name[:-len(PACKAGE_SUFFIX)]: p
                for p in sorted(flash.glob("*" + PACKAGE_SUFFIX))} if flash.is_dir() else {}

    def read_slot(self, slot: str) -> bytes | None:
        path = self._slot_path(slot)
        return path.read_bytes() if path.is_file() else None

    def install(self, data: bytes, slot: str | None = None, *, verify: bool = True) -> str:
        """Write a package into flash; its slot comes from its Identity unless given.

        With ``verify`` (the default) the device's own trust store and rollback fuse must
        accept the package first, as a real device's sideload does.
        """
        from .image.package import parse_package
        from .image.verify import verify_package

        package = (verify_package(data, self.trust_store(), self.efuses.rollback).package
                   if verify else parse_package(data))
        if slot is None:
            identity = package.identity
            if identity is None:
                raise DeviceError("the package has no Identity section: give a slot")
            slot = slot_for(identity.image_type, identity.component_id)
        write_file(self._slot_path(slot), data, force=True, durable=self._durable)
        return slot

    def remove(self, slot: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._slot_path(slot).unlink()

    def _slot_path(self, slot: str) -> Path:
        if not _SLOT.match(slot):
            raise DeviceError(f"invalid flash slot name {slot!r}")
        return self.path / FLASH_DIR / (slot + PACKAGE_SUFFIX)

    # -- mutable storage -----------------------------------------------------------------
    def storage(self) -> dict[str, Path]:
        """The apps' mutable storage partitions, by component ID."""
        folder = self.path / STORAGE_DIR
        return {p.name[:-len(STORAGE_SUFFIX)]: p
                for p in sorted(folder.glob("*" + STORAGE_SUFFIX))} if folder.is_dir() else {}

    def storage_backing(self) -> "DeviceStorage":
        """The mutable-storage flash's partitions, kept in this directory."""
        return DeviceStorage(self.path / STORAGE_DIR, durable=self._durable)

    def summary(self) -> dict[str, Any]:
        store = self.trust_store()
        root = self.root_certificate()
        return {
            "path": str(self.path),
            "device_id": self.device_id.hex(),
            "identity_public_key": self.identity_public_key.hex(),
            "efuses": self.efuses.to_json(),
            "root_certificate": ({"subject": root.subject, "key_hash": root.key_hash.hex(),
                                  "matches_fuse": root.key_hash == self.efuses.root_key_hash}
                                 if root else None),
            "trusted_signers": [
                {"thumbprint": s.thumbprint.hex(), "subject": s.subject,
                 "image_types": "all" if s.image_types is None else sorted(s.image_types)}
                for s in store.signers],
            "untrusted_certificates": [{"thumbprint": t.hex(), "why": why}
                                       for t, why in store.notes if t],
            "flash": {slot: path.stat().st_size for slot, path in self.slots().items()},
            "storage": {cid: path.stat().st_size for cid, path in self.storage().items()},
        }


class DeviceStorage:
    """Mutable-storage partitions as ``<folder>/<component id>.bin`` files, keyed as the
    flash block keys them: the component ID's 16 bytes in the GUID binary layout. Each
    program replaces the file atomically (temporary file + rename), never half-written."""

    def __init__(self, folder: Path, *, durable: bool = True) -> None:
        self.folder = folder
        self._durable = durable  # False: a temporary device's, never synced to disk

    def path(self, key: bytes) -> Path:
        return self.folder / (str(uuid.UUID(bytes_le=key)) + STORAGE_SUFFIX)

    def load(self, key: bytes) -> bytes | None:
        path = self.path(key)
        return read_file(path, "mutable storage file") if path.is_file() else None

    def program(self, key: bytes, data: bytes) -> None:
        try:
            self.folder.mkdir(exist_ok=True)
        except OSError as err:
            raise DeviceError(f"{self.folder}: cannot create ({err.strerror})") from None
        write_file(self.path(key), data, force=True, durable=self._durable)

    def erase(self, key: bytes) -> bool:
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            return False
        except OSError as err:
            raise DeviceError(f"{self.path(key)}: cannot remove ({err.strerror})") from None
        return True


def slot_for(image_type: int, component_id: Any) -> str:
    """The flash slot an image of this type goes into."""
    from .image.metadata import ImageType

    if image_type == ImageType.APPLICATIONS:
        return f"app-{component_id}"
    try:
        return ImageType(image_type).name.lower().replace("_", "-")
    except ValueError:
        return f"type-{image_type}"
