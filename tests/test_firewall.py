"""The I/O firewall (docs/security.md): the Pluton ROM leaves it enforcing with nothing
shared reachable, the Security Monitor opens blocks to the core of the app whose manifest
claims them, and a high-level app's calls outside its manifest are refused by the kernel
before the firewall ever sees an access."""

import json

from conftest import BOARDS, PREBUILT

from sphere_emu.testing import EmulatedDevice

RDB = BOARDS / "mt3620-rdb.yaml"
ROOT_HL = PREBUILT.parent / "hl" / "apps"


def owners(device: EmulatedDevice) -> dict[str, dict[str, str]]:
    return {row["block"]: row["access"]
            for row in device.machine.peripherals["firewall"].ownership()}


def test_the_manifest_decides_what_the_a7_may_touch_and_nothing_else_is_open():
    device = EmulatedDevice.boot(RDB, PREBUILT / "syscalls-hl.imagepackage")
    device.wait_for_line("exited with status", timeout="3s")
    firewall = device.machine.peripherals["firewall"]
    assert firewall.enabled
    table = owners(device)
    # Gpio [0, 12] -> GPIO blocks 0-3 and 12-15; Uart ISU2 -> ISU2; everything else closed.
    assert table.pop("gpio0") == table.pop("gpio3") == table.pop("isu2") == {"a7": "rw"}
    assert all(access == {} for access in table.values()), table
    assert device.output("isu2-uart") == b"syscalls-hl on ISU2\r\n"
    assert firewall.denials == []


def test_without_the_gpio_in_the_manifest_the_same_binary_gets_eperm_and_the_firewall_sees_nothing(
        tmp_path, cli):
    manifest = json.loads((ROOT_HL / "syscalls-hl" / "app_manifest.json").read_text())
    del manifest["Capabilities"]["Gpio"]
    (tmp_path / "app_manifest.json").write_text(json.dumps(manifest))
    package = tmp_path / "syscalls-hl.imagepackage"
    packed = cli("image", "pack-application", "--key", "development", "--manifest",
                 str(tmp_path / "app_manifest.json"), "--executable",
                 str(PREBUILT / "syscalls-hl.elf"), "-o", str(package))
    assert packed.returncode == 0, packed.stderr
    device = EmulatedDevice.boot(RDB, package)
    device.wait_for_line("exited with status", timeout="3s")
    text = [e.line for e in device.lines]
    assert "EPERM: syscalls-hl GPIO_OpenAsOutput(0) not in manifest" in text
    assert "EPERM: syscalls-hl GPIO_OpenAsInput(12) not in manifest" in text
    assert not any(line.startswith("[gpio]") for line in text)
    table = owners(device)
    assert table["gpio0"] == table["gpio3"] == {}
    assert table["isu2"] == {"a7": "rw"}
    assert device.machine.peripherals["firewall"].denials == []  # the kernel said no first

