"""What Pluton's boot ROM does before any core runs: verify and measure the Security Monitor.

The boot chain calls ``rom_boot`` and, on success, loads ``result.verified.payload`` into
Secure-World memory and releases the A7. ``verify_stage`` is the same step for any later
stage (the Security Monitor verifying the kernel, the kernel verifying apps), so every
refusal reads the same way: which stage, which image, why.
"""

import hashlib
from dataclasses import dataclass

from ..image.errors import ImageError, Reason
from ..image.metadata import ImageType
from ..image.verify import VerifiedPackage
from .commands import image_description
from .core import Pluton
from .protocol import MEASURE_SECURITY_MONITOR

ROM_STAGE = "pluton-rom"
SECURITY_MONITOR_SLOT = "security-monitor"


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


def verify_stage(pluton: Pluton, stage: str, image: str, data: bytes | None,
                 expected_type: int, measurement: int) -> StageResult:
    """Verify ``data`` as the next stage's image and, only if it passes, measure it."""
    if data is None:
        return StageResult(stage, image, refusal=BootRefusal(
            stage, image, "no such image in flash", Reason.NOT_FOUND))
    try:
        verified = pluton.verify_image(data, expected_type)
    except ImageError as err:
        return StageResult(stage, image, refusal=BootRefusal(stage, image, str(err), err.reason))
    pluton.extend(measurement, hashlib.sha256(data).digest(), image_description(verified))
    return StageResult(stage, image, verified=verified)


def rom_boot(pluton: Pluton) -> StageResult:
    """Find the Security Monitor in the device's flash, verify it and measure it."""
    image = f"flash/{SECURITY_MONITOR_SLOT}.imagepackage"
    return verify_stage(pluton, ROM_STAGE, image,
                        pluton.device.read_slot(SECURITY_MONITOR_SLOT),
                        ImageType.SECURITY_MONITOR, MEASURE_SECURITY_MONITOR)
