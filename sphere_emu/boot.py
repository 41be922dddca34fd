"""The verified boot chain, stage by stage (docs/boot-chain.md).

1. **Flash.** The host lays the device's images out in the emulated flash (A7 0x90000000):
   a table of contents (``firmware/include/flash_layout.h``) and each package at a 4 KiB
   boundary: the Security Monitor, the kernel, then the applications.
2. **Pluton ROM** (Python, this module): verifies the Security Monitor package (device
   trust store, rollback fuse, image type), checks its load header, measures it into
   measurement 0, copies the image into the Secure RAM and releases the A7 at its entry in
   Secure SVC mode. Nothing is loaded or run if any check fails.
3. **Security Monitor** (firmware, ``firmware/a7/sm``): asks Pluton to verify and measure
   the kernel, copies it into Normal-World SYSRAM and enters the Normal World.
4. **Kernel** (firmware): verifies every application through ``SM_VERIFY_IMAGE`` (the
   Security Monitor asks Pluton, which measures it into measurement 2) before it runs it.

Refusals found by firmware reach the host through Pluton: the Security Monitor reports
its progress and any refusal as Pluton *postcodes* (SetPostcode), which only the Secure
World can send, so no Normal-World code can fake or hide one. ``BootChain`` turns a refusal
report into one ``BootRefusal`` line and stops the run (exit status 5).
"""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from construct import Array, Const, Int32ul, Struct

from .board import OsSpec
from .cpu.core import CoreState
from .device import Device
from .errors import SphereEmuError
from .files import read_file
from .image.errors import ImageError, Reason
from .image.metadata import ImageType
from .image.os_payload import read_load_header
from .machine import Machine
from .peripherals.firewall import Firewall
from .peripherals.pluton_mailbox import serve_mailboxes
from .peripherals.storage_flash import StorageFlash
from .pluton.core import Pluton
from .pluton.protocol import MEASURE_SECURITY_MONITOR
from .pluton.rom import ROM_STAGE, BootRefusal, rom_stage

FLASH_ALIGN = 0x1000
FLASH_TABLE_MAX = 32

# enum flash_image_kind (flash_layout.h)
FLASH_SECURITY_MONITOR, FLASH_KERNEL, FLASH_APPLICATION = 1, 2, 3
FLASH_FLAG_DEBUG_MODE = 0x1  # the kernel starts this app held for a debugger

FLASH_TABLE = Struct(
    "magic" / Const(0x31544653, Int32ul),  # "SFT1"
    "count" / Int32ul,
    "entries" / Array(FLASH_TABLE_MAX, Struct(
        "kind" / Int32ul, "offset" / Int32ul, "size" / Int32ul, "flags" / Int32ul)),
)

# Boot reports, 0xKKSSEECC (firmware/a7/sm/sm.h): kind, stage, flash entry, step or code.
REPORT_PROGRESS, REPORT_REFUSED, REPORT_REBOOT, REPORT_POWER_DOWN = 0x53, 0x52, 0x42, 0x44
STAGES = {1: "security-monitor", 2: "kernel", 3: "app"}
VERIFIER = {"security-monitor": ROM_STAGE, "kernel": "security-monitor", "app": "kernel"}
STEPS = {1: "started", 2: "verified", 3: "entered"}
NO_ENTRY = 0xFF
REFUSAL_REASONS = {
    0x10: Reason.MALFORMED, 0x11: Reason.BAD_SIGNATURE, 0x12: Reason.UNTRUSTED_SIGNER,
    0x13: Reason.REVOKED, 0x14: Reason.WRONG_TYPE, 0x15: Reason.UNSUPPORTED,
    0x20: Reason.NOT_FOUND, 0x21: Reason.MALFORMED,
}
EXPECTED_TYPE = {"kernel": ImageType.NORMAL_WORLD_KERNEL, "app": ImageType.APPLICATIONS}


class BootError(SphereEmuError):
    """The boot cannot even be set up (a missing OS image, flash overflow): bad input."""


@dataclass(frozen=True)
class FlashImage:
    kind: int  # FLASH_SECURITY_MONITOR / FLASH_KERNEL / FLASH_APPLICATION
    source: str  # what a message calls it: the file given, or flash/<slot>.imagepackage
    data: bytes = field(repr=False)
    offset: int = 0  # from the flash base, set by layout_flash
    flags: int = 0  # FLASH_FLAG_* for the kernel


@dataclass(frozen=True)
class Progress:
    time_ns: int
    stage: str  # "security-monitor", "kernel", "app"
    step: str  # "started", "verified", "entered"
    image: str | None  # the flash image's source, when the report names one


def layout_flash(images: Sequence[FlashImage], flash_size: int
                 ) -> tuple[bytes, list[FlashImage]]:
    """The flash contents: the table of contents, then each image 4 KiB aligned."""
    if len(images) > FLASH_TABLE_MAX:
        raise BootError(f"{len(images)} images do not fit the flash table "
                        f"(at most {FLASH_TABLE_MAX})")
    placed: list[FlashImage] = []
    at = _align(FLASH_TABLE.sizeof())
    for image in images:
        placed.append(FlashImage(image.kind, image.source, image.data, at, image.flags))
        at = _align(at + len(image.data))
    if at > flash_size:
        raise BootError(f"the images need {at} bytes of flash; it has {flash_size}")
    entries = [{"kind": p.kind, "offset": p.offset, "size": len(p.data), "flags": p.flags}
               for p in placed]
    entries += [{"kind": 0, "offset": 0, "size": 0, "flags": 0}] * (
        FLASH_TABLE_MAX - len(entries))
    flash = bytearray(FLASH_TABLE.build({"count": len(placed), "entries": entries}))
    for p in placed:
        flash[len(flash):] = bytes(p.offset - len(flash))
        flash += p.data
    return bytes(flash), placed


def _align(n: int) -> int:
    return -(-n // FLASH_ALIGN) * FLASH_ALIGN


def device_images(device: Device, os: OsSpec, sideloaded: Sequence[tuple[str, str]] = (),
                  debug_mode: Collection[str] = ()) -> list[FlashImage]:
    """What the device boots: its installed Security Monitor and kernel, or the board's
    when it has none installed; then its applications, the ``sideloaded`` ones first, in
    that order (``(slot, file)`` pairs: messages name the file). Apps in the slots named
    by ``debug_mode`` start held for a debugger."""
    slots = device.slots()
    images = []
    for kind, slot, fallback in ((FLASH_SECURITY_MONITOR, "security-monitor",
                                  os.security_monitor),
                                 (FLASH_KERNEL, "normal-world-kernel", os.kernel)):
        if slot in slots:
            images.append(FlashImage(kind, f"flash/{slot}.imagepackage",
                                     read_file(slots[slot], "image package")))
        else:
            images.append(FlashImage(kind, str(fallback), _read(fallback)))
    names = dict(sideloaded)
    apps = list(names) + sorted(s for s in slots if s.startswith("app-") and s not in names)
    images += [FlashImage(FLASH_APPLICATION, names.get(s, f"flash/{s}.imagepackage"),
                          read_file(slots[s], "image package"),
                          flags=FLASH_FLAG_DEBUG_MODE if s in debug_mode else 0)
               for s in apps]
    return images


def _read(path: Path) -> bytes:
    try:
        return read_file(path, "OS image package")
    except SphereEmuError as err:
        raise BootError(f"{err} (see the board's 'os' key)") from None


class _ReportingPluton(Pluton):
    """Pluton, with its postcode register watched: the Security Monitor's boot reports."""

    def __init__(self, device: Device, memory, on_postcode: Callable[[int], None]) -> None:
        self._on_postcode = on_postcode
        super().__init__(device, memory)

    @property
    def postcode(self) -> int:
        return self._postcode

    @postcode.setter
    def postcode(self, value: int) -> None:
        self._postcode = value
        self._on_postcode(value)

    def _restore_postcode(self, value: int) -> None:
        self._postcode = value  # a restored value is not a new report


class BootChain:
    """One device booting on one machine: flash layout, ROM stage, firmware reports."""

    def __init__(self, machine: Machine, device: Device, images: Sequence[FlashImage]) -> None:
        self.machine = machine
        self.device = device
        self.facts = facts = machine.board.boot
        if facts.core is None or facts.flash is None or facts.secure_ram is None:
            raise BootError(f"board {machine.board.name} has no 'boot' key: it cannot boot "
                            "an OS (docs/board-format.md)")
        self.core = machine.cores[facts.core]
        self.pluton = _ReportingPluton(device, machine.system_memory, self._on_postcode)
        serve_mailboxes(machine.peripherals.values(), self.pluton)
        for block in machine.peripherals.values():
            if isinstance(block, StorageFlash):
                block.attach(device.storage_backing())  # apps' storage outlives the run
        self.flash, self.images = layout_flash(images, facts.flash.size)
        self.refusal: BootRefusal | None = None
        self.progress: list[Progress] = []
        self.reboots = 0
        self.powered_down = False
        self.on_refusal: Callable[[BootRefusal], None] = lambda refusal: None
        self._reboot_requested = False

    # -- stage 1 and 2: flash and Pluton's ROM -------------------------------------------
    def power_on(self) -> BootRefusal | None:
        """Write the flash, run the ROM stage and, if it passes, release the A7."""
        a7 = self.core
        a7.physical_map.write_memory(self.facts.flash.base, self.flash)
        sm = next((i for i in self.images if i.kind == FLASH_SECURITY_MONITOR), None)
        self._console("[PLUTON] ROM: verifying the security monitor")
        refusal, entry = self._rom_stage(sm)
        if refusal is not None:
            self._console(f"[PLUTON] REFUSED security-monitor: {refusal.reason}")
            self._refused(refusal)
            return refusal
        self._console(f"[PLUTON] security monitor verified, measurement "
                      f"{MEASURE_SECURITY_MONITOR} extended; releasing the A7 at {entry:#010x}")
        for block in self.machine.peripherals.values():
            if isinstance(block, Firewall):
                block.close()  # the ROM's last act: nothing shared is reachable yet
        a7.start_at(entry)
        return None

    def _rom_stage(self, sm: FlashImage | None) -> tuple[BootRefusal | None, int]:
        ram = self.facts.secure_ram
        secure_ram = (ram.base, ram.end)
        result = rom_stage(
            self.pluton, f"security monitor {sm.source}" if sm else "security monitor",
            sm.data if sm else None,
            lambda payload: None if read_load_header(payload, secure_ram) else (
                "the payload's load header does not describe an image in the Security "
                "Monitor RAM"))
        if result.refusal is not None:
            return result.refusal, 0
        payload = result.verified.payload
        header = read_load_header(payload, secure_ram)
        self.core.physical_map.write_memory(header.load, header.image(payload))
        return None, header.entry

    # -- stage 3 and 4: what the Security Monitor reports ----------------------------------
    def _on_postcode(self, code: int) -> None:
        kind, stage, entry, low = code >> 24, code >> 16 & 0xFF, code >> 8 & 0xFF, code & 0xFF
        stage_name = STAGES.get(stage)
        if stage_name is None:
            return  # not a boot report (e.g. the power-on reset of the register)
        image = self.images[entry] if entry < len(self.images) else None
        if kind == REPORT_PROGRESS:
            self.progress.append(Progress(self.machine.clock.now_ns, stage_name,
                                          STEPS.get(low, f"step {low}"),
                                          image.source if image else None))
        elif kind == REPORT_REFUSED:
            self._refused(self._firmware_refusal(stage_name, image, entry, low))
        elif kind in (REPORT_REBOOT, REPORT_POWER_DOWN):
            self._reboot_requested = kind == REPORT_REBOOT
            self.powered_down = kind == REPORT_POWER_DOWN
            self.machine.scheduler.request_stop()

    def _firmware_refusal(self, stage: str, image: FlashImage | None, entry: int,
                          code: int) -> BootRefusal:
        reason = REFUSAL_REASONS.get(code, Reason.MALFORMED)
        what = f"{stage} image " + (image.source if image else "(no flash entry)"
                                    if entry == NO_ENTRY else f"(flash entry {entry})")
        if code == 0x20:
            return BootRefusal(VERIFIER[stage], what, "no such image in flash", reason)
        if code == 0x21:
            return BootRefusal(VERIFIER[stage], what, "malformed: the payload's load header "
                               "does not describe an image in Normal-World SYSRAM", reason)
        detail = f"{reason.value} (code {code:#x})"
        if image is not None:
            # The firmware's code is authoritative; the host's own check only words it.
            try:
                self.pluton.verify_image(image.data, EXPECTED_TYPE.get(stage))
            except ImageError as err:
                if err.reason is reason:
                    detail = str(err)
        return BootRefusal(VERIFIER[stage], what, detail, reason)

    def _refused(self, refusal: BootRefusal) -> None:
        if self.refusal is None:
            self.refusal = refusal
            self.machine.scheduler.request_stop()
            self.on_refusal(refusal)

    # -- reboot --------------------------------------------------------------------------
    def poll(self) -> None:
        """Between run chunks: carry out a reboot the Security Monitor asked for
        (SM_REBOOT): every core held in reset, every block's registers and Pluton back to
        their power-on state (RAM keeps its contents), then boot again from the ROM. After
        a power down (SM_POWER_DOWN) every core stays held: nothing is left to run, so the
        run ends (waking after the residency time is not modelled)."""
        if self.powered_down and any(c.state is not CoreState.HELD
                                     for c in self.machine.cores.values()):
            self.machine.reset()
            return
        if not self._reboot_requested:
            return
        self._reboot_requested = False
        self.reboots += 1
        self.machine.reset()
        self.pluton.reset()
        self.progress.clear()
        self.power_on()

    # -- snapshots ---------------------------------------------------------------------
    def snapshot(self) -> dict:
        """The machine's snapshot (Pluton's state rides with its mailbox blocks) and the
        chain's own record: restore it into a chain built from the same device and images."""
        return {"machine": self.machine.snapshot(), "reboots": self.reboots,
                "reboot_requested": self._reboot_requested, "powered_down": self.powered_down,
                "progress": [(p.time_ns, p.stage, p.step, p.image) for p in self.progress]}

    def restore(self, snap: dict) -> None:
        self.machine.restore(snap["machine"])
        self.reboots = snap["reboots"]
        self._reboot_requested = snap["reboot_requested"]
        self.powered_down = snap["powered_down"]
        self.progress = [Progress(*p) for p in snap["progress"]]

    def _console(self, line: str) -> None:
        port = self.machine.serial.ports.get(self.facts.console or "")
        if port is not None:
            port.transmit(line.encode() + b"\r\n")
