"""What Pluton's boot ROM does before any core runs: verify and measure the Security Monitor.

The boot chain (sphere_emu/boot.py) calls ``rom_stage`` with the Security Monitor package it
found in flash and, on success, loads ``result.verified.payload`` into Secure-World memory
and releases the A7. Later stages are verified by the firmware itself, through Pluton's
mailbox; their refusals read the same way: which stage, which image, why.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from ..image.errors import ImageError, Reason
from ..image.metadata import ImageType
from ..image.verify import VerifiedPackage
from .commands import image_description
from .core import Pluton
from .protocol import MEASURE_SECURITY_MONITOR

ROM_STAGE = "pluton-rom"


@dataclass(frozen=True)
class BootRefusal:
    stage: str  # who refused, e.g. "pluton-rom"
    image: str  # what was refused, e.g. "flash/security-monitor.imagepackage"
    reason: str  # one line, e.g. "bad signature (signer 9aa1...)"
    code: Reason

    def __str__(self) -> str:
        return f"boot refused by {self.stage}: {self.image}: {self.reason}"


@dataclass(frozen=True)
class StageResult:
    stage: str
    image: str
    verified: VerifiedPackage | None = None
    refusal: BootRefusal | None = None

    @property
    def ok(self) -> bool:
        return self.verified is not None


def rom_stage(pluton: Pluton, image: str, data: bytes | None,
              check_payload: Callable[[bytes], str | None] = lambda payload: None
              ) -> StageResult:
    """Verify the Security Monitor package ``data`` and, only once it is certain to run,
    measure it. ``check_payload`` returns why a verified payload still cannot be loaded
    (e.g. a load address outside Secure RAM), or None."""
    if data is None:
        return StageResult(ROM_STAGE, image, refusal=BootRefusal(
            ROM_STAGE, image, "no such image in flash", Reason.NOT_FOUND))
    try:
        verified = pluton.verify_image(data, ImageType.SECURITY_MONITOR)
    except ImageError as err:
        return StageResult(ROM_STAGE, image,
                           refusal=BootRefusal(ROM_STAGE, image, str(err), err.reason))
    problem = check_payload(verified.payload)
    if problem is not None:
        return StageResult(ROM_STAGE, image, refusal=BootRefusal(
            ROM_STAGE, image, f"malformed: {problem}", Reason.MALFORMED))
    pluton.extend(MEASURE_SECURITY_MONITOR, hashlib.sha256(data).digest(),
                  image_description(verified))
    return StageResult(ROM_STAGE, image, verified=verified)
