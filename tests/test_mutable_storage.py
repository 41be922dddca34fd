"""Mutable storage kept in the device directory across runs (firmware/a7/kernel/storage.c,
the mutable-storage flash block, Device.storage_backing). Driven with
firmware/hl/apps/bootcount-hl, which counts its boots in its storage, tries a write past
its 1 KiB quota and deletes storage the OS refuses to give (EIO) before starting afresh."""

import struct
import uuid
import zlib
from pathlib import Path

import pytest
from conftest import BOARDS, PREBUILT

from sphere_emu.device import Device
from sphere_emu.testing import EmulatedDevice

RDB = BOARDS / "mt3620-rdb.yaml"
APP = PREBUILT / "bootcount-hl.imagepackage"
COMPONENT = "5a1e000b-6d0c-4f3e-9b9e-00000000000b"
QUOTA_LINE = "write past the 1 KiB quota: -1, errno 28 (No space left on device)"


def partition(count: int, component: str = COMPONENT) -> bytes:
    """What the kernel programs (its format, docs/kernel-and-apps.md): header, then data."""
    data = struct.pack("<I", count)
    return struct.pack("<4sII16sI", b"MST1", len(data), zlib.crc32(data),
                       uuid.UUID(component).bytes_le, 0) + data


def storage_file(device_dir: Path) -> Path:
    return device_dir / "storage" / f"{COMPONENT}.bin"


@pytest.fixture
def device_dir(tmp_path):
    Device.create(tmp_path / "dev")
    return tmp_path / "dev"


def boot_count(device_dir) -> tuple[EmulatedDevice, int]:
    dev = EmulatedDevice.boot(RDB, APP, device=device_dir, wall_timeout="60s")
    line = dev.wait_for_line(r"^boot count \d+$", timeout="1s")
    return dev, int(line.line.split()[-1])


def test_the_count_survives_runs_of_the_cli_on_one_device_directory(cli, tmp_path):
    dev = tmp_path / "dev"
    assert cli("device", "create", str(dev)).returncode == 0
    run = ("run", str(RDB), str(APP), "--device", str(dev), "--timeout", "2s",
           "--expect", r"^boot count \d+$")
    first = cli(*run)
    assert first.returncode == 0, first.stderr
    assert "boot count 1" in first.stdout.splitlines()
    assert QUOTA_LINE in first.stdout.splitlines()
    second = cli(*run)
    assert second.returncode == 0, second.stderr
    assert "boot count 2" in second.stdout.splitlines()
    # On the host: one file per component ID, exactly what the OS programmed.
    assert storage_file(dev).read_bytes() == partition(2)
    shown = cli("device", "show", str(dev))
    assert f"{COMPONENT}" in shown.stdout and "36 bytes" in shown.stdout


def test_a_device_directory_without_the_file_starts_with_empty_storage(device_dir):
    assert boot_count(device_dir)[1] == 1
    assert boot_count(device_dir)[1] == 2
    storage_file(device_dir).unlink()
    dev, count = boot_count(device_dir)
    assert count == 1
    assert not any("mutable storage of" in e.line for e in dev.lines)


def test_the_quota_gives_enospc_and_the_failed_write_changes_nothing(device_dir):
    dev, _count = boot_count(device_dir)
    assert any(e.line == QUOTA_LINE for e in dev.lines)
    assert storage_file(device_dir).read_bytes() == partition(1)


@pytest.mark.parametrize(("damage", "reason"), [
    (lambda good: good[:30], "not a mutable storage partition"),
    (lambda good: good[:-2], "truncated or overlong"),
    (lambda good: good[:-1] + b"\x07", "checksum mismatch"),
    (lambda good: partition(5, "5a1e0001-6d0c-4f3e-9b9e-000000000001"),
     "it belongs to another component"),
])
def test_damaged_storage_gives_eio_with_a_reason_and_is_never_used(device_dir, damage, reason):
    storage_file(device_dir).parent.mkdir()
    storage_file(device_dir).write_bytes(damage(partition(41)))
    dev, count = boot_count(device_dir)
    text = [e.line for e in dev.lines]
    assert (f"[kernel] mutable storage of bootcount-hl ({COMPONENT}): {reason}; "
            "Storage_OpenMutableFile fails with EIO until Storage_DeleteMutableFile") in text
    assert "Storage_OpenMutableFile: errno 5 (Input/output error): starting afresh" in text
    assert "Storage_DeleteMutableFile: 0" in text
    assert count == 1  # the damaged count (41) was never read
    assert storage_file(device_dir).read_bytes() == partition(1)


def test_a_run_stopped_while_the_flash_programs_keeps_the_old_contents(device_dir):
    assert boot_count(device_dir)[1] == 1
    dev = EmulatedDevice.boot(RDB, APP, device=device_dir, wall_timeout="60s")
    dev.wait_for_line(r"\[kernel\] starting bootcount-hl", timeout="1s")
    dev.run_for("5ms")  # inside the 25 ms sector erase + program of the new count
    assert storage_file(device_dir).read_bytes() == partition(1)
    dev.wait_for_line(r"^boot count 2$", timeout="1s")
    assert storage_file(device_dir).read_bytes() == partition(2)
    assert [p.name for p in storage_file(device_dir).parent.iterdir()] == [
        storage_file(device_dir).name]  # no temporary file left behind
