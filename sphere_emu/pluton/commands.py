"""The mailbox commands: argument registers in, guest memory and result registers out.

Each handler takes the six argument registers and returns up to four result registers;
failures raise ``PlutonError`` with a status code. ``execute`` turns everything, including
a bug in a handler, into a status: nothing raised here may reach the emulator's core loop.
Guest buffers are bounded before they are read, and nothing secret is ever written out.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..image.errors import ImageError, Reason
from ..image.metadata import image_type_name
from ..image.verify import VerifiedPackage
from .protocol import (
    MEASUREMENT_COUNT,
    NO_MEASUREMENT,
    PUBLIC_KEY_IDENTITY,
    Command,
    PlutonError,
    Status,
)
from .structs import (
    DESCRIPTION_SIZE,
    EVENT,
    IMAGE_COMPRESSED,
    IMAGE_INFO,
    NONCE_SIZE,
    SECURITY_STATE,
)

if TYPE_CHECKING:  # core.Pluton.execute calls into this module
    from .core import Pluton

log = logging.getLogger("sphere_emu.pluton")

MAX_RNG = 4096
MAX_HASHED = 16 << 20  # nothing in the MT3620's memory map is larger than its flash
CAPABILITY_SLOTS = 64  # GetEnabledCapabilities fills uint16_t[64], like the real ioctl
IMAGE_STATUS = {
    Reason.MALFORMED: Status.IMAGE_MALFORMED,
    Reason.BAD_SIGNATURE: Status.IMAGE_BAD_SIGNATURE,
    Reason.UNTRUSTED_SIGNER: Status.IMAGE_UNTRUSTED_SIGNER,
    Reason.REVOKED: Status.IMAGE_REVOKED,
    Reason.WRONG_TYPE: Status.IMAGE_WRONG_TYPE,
    Reason.UNSUPPORTED: Status.IMAGE_UNSUPPORTED,
    Reason.NOT_FOUND: Status.IMAGE_MALFORMED,
}

Args = tuple[int, int, int, int, int, int]
Handler = Callable[["Pluton", Args], list[int]]


def _read(pluton: Pluton, address: int, size: int, limit: int) -> bytes:
    if size > limit:
        raise PlutonError(Status.BAD_ARGUMENT, f"{size} bytes is over the {limit}-byte limit")
    if pluton.memory is None:
        raise PlutonError(Status.MEMORY_FAULT, "no bus connection")
    try:
        data = bytes(pluton.memory.read(address, size))
    except Exception:  # whatever the bus raises, the guest sees a memory fault
        raise PlutonError(Status.MEMORY_FAULT,
                          f"cannot read {size} bytes at {address:#x}") from None
    if len(data) != size:
        raise PlutonError(Status.MEMORY_FAULT, f"short read at {address:#x}")
    return data


def _write(pluton: Pluton, address: int, data: bytes, capacity: int | None = None) -> None:
    if capacity is not None and len(data) > capacity:
        raise PlutonError(Status.BUFFER_TOO_SMALL, f"needs {len(data)} bytes, has {capacity}")
    if pluton.memory is None:
        raise PlutonError(Status.MEMORY_FAULT, "no bus connection")
    try:
        pluton.memory.write(address, data)
    except Exception:
        raise PlutonError(Status.MEMORY_FAULT,
                          f"cannot write {len(data)} bytes at {address:#x}") from None


def _set_postcode(p: Pluton, a: Args) -> list[int]:
    p.postcode = a[0]
    return []


def _boot_mode_flags(p: Pluton, a: Args) -> list[int]:
    return [0]  # a normal boot: no recovery, no debug strap


def _read_rng(p: Pluton, a: Args) -> list[int]:
    address, size = a[0], a[1]
    if size > MAX_RNG:
        raise PlutonError(Status.BAD_ARGUMENT, f"at most {MAX_RNG} random bytes per command")
    _write(p, address, p.random(size))
    return [size]


def _security_state(p: Pluton, a: Args) -> list[int]:
    state = p.security_state()
    if a[0]:
        _write(p, a[0], state, a[1])
    return [p.device.efuses.rollback, p.device.efuses.capabilities, SECURITY_STATE.sizeof()]


def _verify_image(p: Pluton, a: Args) -> list[int]:
    address, size, expected, info_at, measure_into = a[0], a[1], a[2], a[3], a[4]
    if measure_into != NO_MEASUREMENT and not 0 <= measure_into < MEASUREMENT_COUNT:
        raise PlutonError(Status.BAD_ARGUMENT, f"measurement index {measure_into}")
    data = _read(p, address, size, MAX_HASHED)
    try:
        verified = p.verify_image(data, expected or None)
    except ImageError as err:
        raise PlutonError(IMAGE_STATUS[err.reason], str(err)) from None
    package = verified.outer or verified.package
    identity = verified.identity
    digest = hashlib.sha256(data).digest()
    if info_at:
        _write(p, info_at, IMAGE_INFO.build({
            "image_type": identity.image_type,
            "flags": IMAGE_COMPRESSED if verified.outer else 0,
            "component_id": identity.component_id.bytes_le,
            "image_id": identity.image_id.bytes_le,
            "security_version": verified.security_version,
            "payload_offset": 0, "payload_length": len(package.payload), "digest": digest}))
    if measure_into != NO_MEASUREMENT:
        p.extend(measure_into, digest, image_description(verified))
    return [identity.image_type, verified.security_version, 0, len(package.payload)]


def image_description(verified: VerifiedPackage) -> str:
    return f"{image_type_name(verified.image_type)} {verified.component_id}"


def _is_capability_enabled(p: Pluton, a: Args) -> list[int]:
    return [int(a[0] < 32 and bool(p.device.efuses.capabilities >> a[0] & 1))]


def _enabled_capabilities(p: Pluton, a: Args) -> list[int]:
    bits = p.device.efuses.capabilities
    if a[0]:
        numbers = [n for n in range(32) if bits >> n & 1]
        slots = numbers + [0] * (CAPABILITY_SLOTS - len(numbers))
        _write(p, a[0], b"".join(n.to_bytes(2, "little") for n in slots), a[1])
    return [bits]


def _sign_attestation(p: Pluton, a: Args) -> list[int]:
    nonce = _read(p, a[0], NONCE_SIZE, NONCE_SIZE)
    quote = p.quote(nonce)
    _write(p, a[1], quote, a[2])
    return [len(quote)]


def _sha256(p: Pluton, a: Args) -> list[int]:
    _write(p, a[2], hashlib.sha256(_read(p, a[0], a[1], MAX_HASHED)).digest())
    return []


def _extend(p: Pluton, a: Args) -> list[int]:
    digest = _read(p, a[1], 32, 32)
    text = _read(p, a[2], a[3], DESCRIPTION_SIZE) if a[3] else b""
    p.extend(a[0], digest, text.rstrip(b"\0").decode("ascii", "replace"))
    return []


def _read_measurement(p: Pluton, a: Args) -> list[int]:
    if not 0 <= a[0] < MEASUREMENT_COUNT:
        raise PlutonError(Status.BAD_ARGUMENT, f"measurement index {a[0]}")
    _write(p, a[1], p.measurements[a[0]])
    return [sum(1 for e in p.events if e.index == a[0])]


def _read_event_log(p: Pluton, a: Args) -> list[int]:
    first, address, capacity = a[0], a[1], a[2]
    events = p.events[first:]
    fit = min(len(events), capacity // EVENT.sizeof())
    out = b"".join(EVENT.build({"index": e.index, "digest": e.digest,
                                "description": e.description.encode().ljust(DESCRIPTION_SIZE,
                                                                            b"\0")})
                   for e in events[:fit])
    if out:
        _write(p, address, out)
    return [fit, len(p.events)]


def _device_id(p: Pluton, a: Args) -> list[int]:
    _write(p, a[0], p.device_id)
    return []


def _public_key(p: Pluton, a: Args) -> list[int]:
    if a[0] != PUBLIC_KEY_IDENTITY:
        raise PlutonError(Status.BAD_ARGUMENT, f"no public key {a[0]}")
    _write(p, a[1], p.device.identity_public_key)
    return []


def _advance_rollback(p: Pluton, a: Args) -> list[int]:
    return [p.advance_rollback(a[0])]


HANDLERS: dict[int, Handler] = {
    Command.SET_POSTCODE: _set_postcode,
    Command.GET_BOOT_MODE_FLAGS: _boot_mode_flags,
    Command.READ_RNG: _read_rng,
    Command.GET_SECURITY_STATE: _security_state,
    Command.VERIFY_IMAGE: _verify_image,
    Command.IS_CAPABILITY_ENABLED: _is_capability_enabled,
    Command.GET_ENABLED_CAPABILITIES: _enabled_capabilities,
    Command.SIGN_ATTESTATION: _sign_attestation,
    Command.SHA256: _sha256,
    Command.EXTEND_MEASUREMENT: _extend,
    Command.READ_MEASUREMENT: _read_measurement,
    Command.READ_EVENT_LOG: _read_event_log,
    Command.GET_DEVICE_ID: _device_id,
    Command.GET_PUBLIC_KEY: _public_key,
    Command.ADVANCE_ROLLBACK_FUSE: _advance_rollback,
}


def execute(pluton: Pluton, command: int, args: Args) -> tuple[Status, list[int]]:
    handler = HANDLERS.get(command)
    if handler is None:
        return Status.UNKNOWN_COMMAND, []
    try:
        return Status.OK, handler(pluton, args)
    except PlutonError as err:
        log.debug("pluton: command %#x failed: %s", command, err)
        return err.status, []
    except Exception:
        log.exception("pluton: command %#x hit a model bug", command)
        return Status.INTERNAL_ERROR, []
