"""The Pluton model, driven only through its mailbox registers, as Secure World firmware would."""

import hashlib
import struct

import pytest

from sphere_emu.device import Capability, Device
from sphere_emu.image.metadata import ImageType
from sphere_emu.image.pack import PackOptions, pack_os_component
from sphere_emu.peripherals import PERIPHERAL_TYPES
from sphere_emu.peripherals.pluton_mailbox import PlutonMailbox
from sphere_emu.peripherals.registers import BusAccess, PeripheralContext
from sphere_emu.pluton.attestation import QuoteError, verify_quote
from sphere_emu.pluton.core import Pluton
from sphere_emu.pluton.protocol import (
    BLOCK_ID,
    MEASURE_KERNEL,
    MEASURE_SECURITY_MONITOR,
    NO_MEASUREMENT,
    Command,
    Status,
)
from sphere_emu.pluton.rom import rom_stage
from sphere_emu.pluton.structs import EVENT, IMAGE_INFO, QUOTE, SECURITY_STATE
from sphere_emu.trust.keys import development_signer

RAM = 0x80000000
SECRET = bytes(range(100, 132))
REG = PlutonMailbox("pluton", PeripheralContext(clock=None)).offsets
SECURE = BusAccess("a7-secure", secure=True)


class FakeMemory:
    """Guest RAM at RAM..RAM+256K; anything else is a bus error, as on the real bus."""

    def __init__(self) -> None:
        self.ram = bytearray(256 * 1024)

    def _at(self, address: int, size: int) -> int:
        offset = address - RAM
        if offset < 0 or offset + size > len(self.ram):
            raise RuntimeError(f"bus error at {address:#x}")
        return offset

    def read(self, address: int, size: int) -> bytes:
        offset = self._at(address, size)
        return bytes(self.ram[offset:offset + size])

    def write(self, address: int, data: bytes) -> None:
        offset = self._at(address, len(data))
        self.ram[offset:offset + len(data)] = data


class Irq:
    def __init__(self) -> None:
        self.level = False

    def set_irq_level(self, irq: int, level: bool) -> None:
        self.level = level


@pytest.fixture
def device(tmp_path):
    return Device.create(tmp_path / "dev", secret=SECRET)


@pytest.fixture
def memory():
    return FakeMemory()


@pytest.fixture
def mailbox(device, memory):
    box = PlutonMailbox("pluton", PeripheralContext(clock=None, memory=memory))
    box.attach(Pluton(device, memory))
    return box


def call(box: PlutonMailbox, command: int, *args: int) -> tuple[Status, list[int]]:
    box.write(REG["CMD"], 4, command, SECURE)
    for i, value in enumerate(args):
        box.write(REG[f"ARG{i}"], 4, value, SECURE)
    box.write(REG["DOORBELL"], 4, 1, SECURE)
    status = Status(box.read(REG["RESULT"], 4, SECURE))
    return status, [box.read(REG[f"RET{i}"], 4, SECURE) for i in range(4)]


def put(memory: FakeMemory, address: int, data: bytes) -> None:
    memory.write(address, data)


def package(version: int = 1, image_type: int = ImageType.SECURITY_MONITOR) -> bytes:
    return pack_os_component(b"secure world code", image_type, development_signer(),
                             options=PackOptions(security_version=version))


def test_the_mailbox_is_registered_for_board_files():
    assert PERIPHERAL_TYPES["pluton-mailbox"] is PlutonMailbox


def test_id_register_and_completion_interrupt(mailbox):
    irq = Irq()
    mailbox.irqs["irq"].connect(irq, 0)
    assert mailbox.read(REG["ID"], 4, SECURE) == BLOCK_ID
    call(mailbox, Command.GET_BOOT_MODE_FLAGS)
    assert mailbox.read(REG["STATUS"], 4, SECURE) & 1
    assert not irq.level  # completion pending but not enabled
    mailbox.write(REG["INT_ENABLE"], 4, 1, SECURE)
    assert irq.level
    mailbox.write(REG["INT_STATUS"], 4, 1, SECURE)  # write 1 to clear
    assert not irq.level


def test_unknown_command_and_bad_addresses_are_status_codes(mailbox):
    assert call(mailbox, 0x7F)[0] is Status.UNKNOWN_COMMAND
    assert call(mailbox, Command.SHA256, 0x1000, 16, RAM)[0] is Status.MEMORY_FAULT
    assert call(mailbox, Command.GET_DEVICE_ID, 0xFFFFFFF0)[0] is Status.MEMORY_FAULT
    assert call(mailbox, Command.READ_RNG, RAM, 1 << 20)[0] is Status.BAD_ARGUMENT
    assert call(mailbox, Command.READ_MEASUREMENT, 99, RAM)[0] is Status.BAD_ARGUMENT


def test_a_bug_in_a_command_becomes_internal_error_not_an_exception(mailbox, monkeypatch):
    def broken(*args):
        raise ZeroDivisionError

    monkeypatch.setattr(mailbox.pluton, "random", broken)
    assert call(mailbox, Command.READ_RNG, RAM, 16)[0] is Status.INTERNAL_ERROR


def test_rng_is_deterministic_per_device_and_differs_between_devices(tmp_path, memory, mailbox):
    assert call(mailbox, Command.READ_RNG, RAM, 48) == (Status.OK, [48, 0, 0, 0])
    first = memory.read(RAM, 48)
    call(mailbox, Command.READ_RNG, RAM, 48)
    assert memory.read(RAM, 48) != first  # the stream moves on
    same = Pluton(Device.open(tmp_path / "dev"))
    assert same.random(48) == first  # same device, fresh power-on: same stream
    other = Pluton(Device.create(tmp_path / "other"))
    assert other.random(48) != first


def test_sha256_over_guest_memory(mailbox, memory):
    put(memory, RAM + 0x100, b"abc")
    assert call(mailbox, Command.SHA256, RAM + 0x100, 3, RAM)[0] is Status.OK
    assert memory.read(RAM, 32) == hashlib.sha256(b"abc").digest()


def test_verify_image_writes_info_and_measures(mailbox, memory):
    data = package(version=1)
    put(memory, RAM + 0x1000, data)
    status, ret = call(mailbox, Command.VERIFY_IMAGE, RAM + 0x1000, len(data),
                       ImageType.SECURITY_MONITOR, RAM, MEASURE_SECURITY_MONITOR)
    assert status is Status.OK and ret[0] == ImageType.SECURITY_MONITOR and ret[1] == 1
    info = IMAGE_INFO.parse(memory.read(RAM, IMAGE_INFO.sizeof()))
    assert info.digest == hashlib.sha256(data).digest()
    assert data[info.payload_offset:info.payload_length].startswith(b"secure world code")
    call(mailbox, Command.READ_MEASUREMENT, MEASURE_SECURITY_MONITOR, RAM + 0x200)
    assert memory.read(RAM + 0x200, 32) == hashlib.sha256(bytes(32) + info.digest).digest()


@pytest.mark.parametrize(("tamper", "status"), [
    (lambda d: d[:-1] + bytes([d[-1] ^ 1]), Status.IMAGE_BAD_SIGNATURE),
    (lambda d: d[:40], Status.IMAGE_MALFORMED),
])
def test_verify_image_refusals_are_status_codes(mailbox, memory, tamper, status):
    data = tamper(package())
    put(memory, RAM + 0x1000, data)
    assert call(mailbox, Command.VERIFY_IMAGE, RAM + 0x1000, len(data), 0, 0,
                NO_MEASUREMENT)[0] is status


def test_verify_image_refuses_wrong_type_and_downgrade(mailbox, memory, device):
    data = package(version=1)
    put(memory, RAM + 0x1000, data)
    assert call(mailbox, Command.VERIFY_IMAGE, RAM + 0x1000, len(data),
                ImageType.NORMAL_WORLD_KERNEL, 0, NO_MEASUREMENT)[0] is Status.IMAGE_WRONG_TYPE
    assert call(mailbox, Command.ADVANCE_ROLLBACK_FUSE, 2) == (Status.OK, [0b11, 0, 0, 0])
    assert device.efuses.rollback == 0b11
    assert call(mailbox, Command.VERIFY_IMAGE, RAM + 0x1000, len(data), 0, 0,
                NO_MEASUREMENT)[0] is Status.IMAGE_REVOKED


def test_every_single_byte_flip_is_refused_by_the_verify_command(mailbox, memory):
    data = package()
    for i in range(len(data)):
        tampered = bytearray(data)
        tampered[i] ^= 0xFF
        put(memory, RAM + 0x1000, bytes(tampered))
        status, _ = call(mailbox, Command.VERIFY_IMAGE, RAM + 0x1000, len(data), 0, 0,
                         NO_MEASUREMENT)
        assert status is not Status.OK, f"byte {i} flipped was accepted"
    assert mailbox.pluton.events == ()  # nothing refused was measured


def test_measurements_extend_only_and_keep_an_event_log(mailbox, memory):
    d1, d2 = hashlib.sha256(b"one").digest(), hashlib.sha256(b"two").digest()
    put(memory, RAM, d1 + d2 + b"kernel")
    assert call(mailbox, Command.EXTEND_MEASUREMENT, MEASURE_KERNEL, RAM, RAM + 64, 6)[0] \
        is Status.OK
    call(mailbox, Command.EXTEND_MEASUREMENT, MEASURE_KERNEL, RAM + 32, 0, 0)
    expected = hashlib.sha256(hashlib.sha256(bytes(32) + d1).digest() + d2).digest()
    assert call(mailbox, Command.READ_MEASUREMENT, MEASURE_KERNEL, RAM + 0x100)[1][0] == 2
    assert memory.read(RAM + 0x100, 32) == expected
    status, ret = call(mailbox, Command.READ_EVENT_LOG, 0, RAM + 0x200, 1000)
    assert status is Status.OK and ret[:2] == [2, 2]
    first = EVENT.parse(memory.read(RAM + 0x200, EVENT.sizeof()))
    assert (first.index, first.digest, first.description.rstrip(b"\0")) == \
        (MEASURE_KERNEL, d1, b"kernel")
    # There is no command that sets or resets a measurement: only extend.
    assert not [c for c in Command if "RESET" in c.name or "SET_MEAS" in c.name]


def test_security_state_capabilities_and_identity(mailbox, memory, device):
    status, ret = call(mailbox, Command.GET_SECURITY_STATE, RAM, 512)
    state = SECURITY_STATE.parse(memory.read(RAM, SECURITY_STATE.sizeof()))
    assert status is Status.OK and ret[0] == state.rollback_fuse == 0
    assert state.root_key_hash == device.efuses.root_key_hash
    assert state.device_id == device.device_id
    assert call(mailbox, Command.IS_CAPABILITY_ENABLED, Capability.APP_DEVELOPMENT)[1][0] == 1
    assert call(mailbox, Command.IS_CAPABILITY_ENABLED, Capability.PLUTON_DEBUG)[1][0] == 0
    status, ret = call(mailbox, Command.GET_ENABLED_CAPABILITIES, RAM + 0x400, 128)
    assert ret[0] == 1 << Capability.APP_DEVELOPMENT
    assert struct.unpack_from("<2H", memory.read(RAM + 0x400, 4)) == (11, 0)
    call(mailbox, Command.GET_DEVICE_ID, RAM + 0x800)
    call(mailbox, Command.GET_PUBLIC_KEY, 0, RAM + 0x900)
    assert memory.read(RAM + 0x800, 64) == memory.read(RAM + 0x900, 64) == device.device_id
    assert call(mailbox, Command.GET_SECURITY_STATE, RAM, 8)[0] is Status.BUFFER_TOO_SMALL


def test_attestation_quote_covers_measurements_and_nonce(mailbox, memory, device):
    data = package()
    put(memory, RAM + 0x1000, data)
    call(mailbox, Command.VERIFY_IMAGE, RAM + 0x1000, len(data), 0, 0, MEASURE_SECURITY_MONITOR)
    nonce = bytes(range(32))
    put(memory, RAM, nonce)
    status, ret = call(mailbox, Command.SIGN_ATTESTATION, RAM, RAM + 0x100, 1024)
    assert status is Status.OK and ret[0] == QUOTE.sizeof()
    raw = memory.read(RAM + 0x100, ret[0])
    quote = verify_quote(raw, device.identity_public_key, nonce)
    assert quote.measurements[MEASURE_SECURITY_MONITOR] == \
        mailbox.pluton.measurements[MEASURE_SECURITY_MONITOR] != bytes(32)
    with pytest.raises(QuoteError, match="different nonce"):
        verify_quote(raw, device.identity_public_key, bytes(32))
    tampered = bytearray(raw)
    tampered[100] ^= 1
    with pytest.raises(QuoteError, match="bad quote signature"):
        verify_quote(bytes(tampered), device.identity_public_key, nonce)


def test_no_secret_or_private_key_ever_reaches_guest_memory(mailbox, memory, device):
    data = package()
    put(memory, RAM + 0x20000, data)
    put(memory, RAM + 0x30000, bytes(32))
    for command, args in [
        (Command.READ_RNG, (RAM, 4096)), (Command.GET_SECURITY_STATE, (RAM + 0x1000, 512)),
        (Command.VERIFY_IMAGE, (RAM + 0x20000, len(data), 0, RAM + 0x2000, 0)),
        (Command.SIGN_ATTESTATION, (RAM + 0x30000, RAM + 0x3000, 1024)),
        (Command.GET_DEVICE_ID, (RAM + 0x4000,)), (Command.GET_PUBLIC_KEY, (0, RAM + 0x5000)),
        (Command.READ_EVENT_LOG, (0, RAM + 0x6000, 4096)),
        (Command.GET_ENABLED_CAPABILITIES, (RAM + 0x7000, 128)),
    ]:
        assert call(mailbox, command, *args)[0] is Status.OK, command
    scalar = device.identity_key().private_numbers().private_value.to_bytes(32, "big")
    guest = bytes(memory.ram)
    for secret in (SECRET, scalar, scalar[::-1], device.derive("rng")):
        for i in range(0, 32, 8):  # not even a fragment of it
            assert secret[i:i + 8] not in guest


def test_rom_verifies_and_measures_the_security_monitor(device):
    pluton = Pluton(device)
    result = rom_stage(pluton, "sm", package())
    assert result.ok and result.verified.image_type == ImageType.SECURITY_MONITOR
    assert pluton.events[0].index == MEASURE_SECURITY_MONITOR
    assert pluton.events[0].digest == hashlib.sha256(package()).digest()


def test_rom_refusals_name_the_image_the_stage_and_the_reason(device):
    pluton = Pluton(device)
    missing = rom_stage(pluton, "flash/sm", None)
    assert not missing.ok
    assert str(missing.refusal) == "boot refused by pluton-rom: flash/sm: no such image in flash"
    tampered = bytearray(package())
    tampered[3] ^= 1
    assert rom_stage(pluton, "sm", bytes(tampered)).refusal.reason.startswith("bad signature")
    kernel = package(image_type=ImageType.NORMAL_WORLD_KERNEL)
    assert "wrong image type" in rom_stage(pluton, "sm", kernel).refusal.reason
    unloadable = rom_stage(pluton, "sm", package(), lambda payload: "no load header")
    assert unloadable.refusal.reason == "malformed: no load header"
    device.advance_rollback(1)
    old = rom_stage(pluton, "sm", package(version=0))
    assert old.refusal.reason.startswith("downgrade: security version 0")
    assert pluton.events == ()  # nothing refused was measured
