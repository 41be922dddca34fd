"""Structures Pluton writes into guest memory, declared once (parse and build).

All little-endian, fixed size, so Secure World firmware can declare them as plain C structs
(docs/pluton.md has the C view).
"""

from construct import Array, Bytes, Const, Int16ul, Int32ul, Struct

from .protocol import MEASUREMENT_COUNT

SECURITY_STATE = Struct(
    "version" / Const(1, Int32ul),
    "rollback_fuse" / Int32ul,
    "capabilities" / Int32ul,  # bit N: capability N
    "event_count" / Int32ul,
    "root_key_hash" / Bytes(32),
    "device_id" / Bytes(64),
)

IMAGE_INFO = Struct(
    "image_type" / Int16ul,
    "flags" / Int16ul,  # bit0: came compressed (payload fields then describe the wrapper)
    "component_id" / Bytes(16),  # as stored in the Identity section (mixed-endian GUID)
    "image_id" / Bytes(16),
    "security_version" / Int32ul,
    "payload_offset" / Int32ul,  # from the start of the package
    "payload_length" / Int32ul,
    "digest" / Bytes(32),  # SHA-256 of the whole package: what was measured
)
IMAGE_COMPRESSED = 0x1

EVENT = Struct(
    "index" / Int32ul,
    "digest" / Bytes(32),
    "description" / Bytes(64),  # NUL-padded ASCII
)
DESCRIPTION_SIZE = 64

QUOTE_MAGIC = b"SEQ1"
QUOTE = Struct(
    "magic" / Const(QUOTE_MAGIC),
    "device_id" / Bytes(64),
    "nonce" / Bytes(32),
    "measurements" / Array(MEASUREMENT_COUNT, Bytes(32)),
    "event_count" / Int32ul,
    "rollback_fuse" / Int32ul,
    "capabilities" / Int32ul,
    "signature" / Bytes(64),  # raw r||s by the device identity key over all bytes before it
)
NONCE_SIZE = 32
SIGNATURE_SIZE = 64
