"""Command IDs and status codes of the Pluton mailbox (docs/pluton.md).

IDs 0x02–0x4C follow the Pluton runtime's public remote-API numbers where they exist
(mt3620-facts §6.3); 0x60 upwards are this emulator's own. Kept free of heavy imports:
firmware-facing constants are needed by the mailbox at machine start-up.
"""

from enum import IntEnum

from ..peripherals.pluton_mailbox import BLOCK_ID as PLUTON_BLOCK_ID


class Command(IntEnum):
    SET_POSTCODE = 0x02
    GET_BOOT_MODE_FLAGS = 0x03
    READ_RNG = 0x40
    GET_SECURITY_STATE = 0x41
    VERIFY_IMAGE = 0x42  # an internal ID in the real runtime ("verify image?")
    IS_CAPABILITY_ENABLED = 0x48
    GET_ENABLED_CAPABILITIES = 0x49
    SIGN_ATTESTATION = 0x4C  # the real ID's name is ProcessAttestation
    SHA256 = 0x60
    EXTEND_MEASUREMENT = 0x61
    READ_MEASUREMENT = 0x62
    READ_EVENT_LOG = 0x63
    GET_DEVICE_ID = 0x64
    GET_PUBLIC_KEY = 0x65
    ADVANCE_ROLLBACK_FUSE = 0x66


class Status(IntEnum):
    OK = 0x00
    UNKNOWN_COMMAND = 0x01
    BAD_ARGUMENT = 0x02
    MEMORY_FAULT = 0x03  # an address argument the bus could not read or write
    BUFFER_TOO_SMALL = 0x04
    IMAGE_MALFORMED = 0x10
    IMAGE_BAD_SIGNATURE = 0x11
    IMAGE_UNTRUSTED_SIGNER = 0x12
    IMAGE_REVOKED = 0x13  # a downgrade: security version revoked by the rollback fuse
    IMAGE_WRONG_TYPE = 0x14
    IMAGE_UNSUPPORTED = 0x15
    INTERNAL_ERROR = 0xFF  # a bug in the model; logged, never raised into the emulator


class PlutonError(Exception):
    """A command failed; ``status`` is what the guest sees in RESULT."""

    def __init__(self, status: Status, message: str = "") -> None:
        super().__init__(message or status.name)
        self.status = status


MEASUREMENT_COUNT = 8
# Which measurement register each boot stage extends (a convention, like TPM PCRs).
MEASURE_SECURITY_MONITOR = 0
MEASURE_KERNEL = 1
MEASURE_APPLICATIONS = 2
NO_MEASUREMENT = 0xFFFFFFFF

PUBLIC_KEY_IDENTITY = 0

# The mailbox's registers: sphere_emu/peripherals/pluton_mailbox.py.
BLOCK_ID = PLUTON_BLOCK_ID
BASE_ADDRESS = 0x3F000000  # where board files map it, Secure World only (docs/pluton.md)
