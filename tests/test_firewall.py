"""The I/O firewall (docs/security.md): the Pluton ROM leaves it enforcing with nothing
shared reachable, the Security Monitor opens blocks to the core of the app whose manifest
claims them, and a high-level app's calls outside its manifest are refused by the kernel
before the firewall ever sees an access."""

import json
import re
import subprocess
import sys
import time

from conftest import BOARDS, PREBUILT, ROOT, needs_gdb

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


def test_without_the_gpio_in_the_manifest_the_same_binary_is_refused_and_the_firewall_sees_nothing(
        tmp_path, cli):
    manifest = json.loads((ROOT_HL / "syscalls-hl" / "app_manifest.json").read_text())
    del manifest["Capabilities"]["Gpio"]
    (tmp_path / "app_manifest.json").write_text(json.dumps(manifest))
    package = tmp_path / "syscalls-hl.imagepackage"
    packed = cli("image", "pack-application", "--key", "development", "--manifest",
                 str(tmp_path / "app_manifest.json"), "--executable",
                 str(PREBUILT / "syscalls-hl.elf"), "-o", str(package),
                 "--target-definition", "mt3620_rdb.json")  # the kit's: names its Uart
    assert packed.returncode == 0, packed.stderr
    device = EmulatedDevice.boot(RDB, package)
    device.wait_for_line("exited with status", timeout="3s")
    text = [e.line for e in device.lines]
    assert "EACCES: syscalls-hl Gpio 0 not in manifest" in text  # the kernel's errno
    assert "EACCES: syscalls-hl Gpio 12 not in manifest" in text
    assert "GPIO 12 reads 7 (-1)" in text  # the call failed; the value was never read
    table = owners(device)
    assert table["gpio0"] == table["gpio3"] == {}
    assert table["isu2"] == {"a7": "rw"}
    assert device.machine.peripherals["firewall"].denials == []  # the kernel said no first



ESCAPES = [
    "write another app's ISU0 UART: BusFault, BFAR 0x38070500",
    "read GPIO block 0 (not in the manifest): BusFault, BFAR 0x38010004",
    "read the other core's TCM (A7 window): BusFault, BFAR 0x3f100000",
    "read the other core's comm buffers: BusFault, BFAR 0x803c0000",
    "read the Secure SRAM: BusFault, BFAR 0x803d0000",
    "read the firewall registers: BusFault, BFAR 0x30000000",
    "read its own GPIO block 3: allowed",
    "DMA within its own SYSRAM: 16 words of its buffer changed",  # the control: DMA works
    "DMA from the other core's comm buffers: 0 words of its buffer changed",
    "DMA from the Secure SRAM: 0 words of its buffer changed",
    "DMA into the Secure SRAM: 0 words of its buffer changed",
]
DMA_MARK = (0x5EC0DEAD).to_bytes(4, "little")


def run_good(*others: str) -> EmulatedDevice:
    device = EmulatedDevice.boot(RDB, PREBUILT / "fw-good-rt.imagepackage",
                                 *(PREBUILT / other for other in others))
    device.wait_for_line("fw-good-rt: done", timeout="1s")
    return device


def test_each_escape_faults_only_the_offender_and_the_others_output_is_unchanged():
    alone = run_good()
    device = run_good("fw-escape-rt.imagepackage")
    escapes = [e.line.removeprefix("fw-escape-rt: ") for e in device.lines
               if e.port == "io1-uart"]
    assert escapes == [*ESCAPES, "done"]  # long before fw-good-rt's 100 ms
    # The well-behaved app on the other core saw nothing: same bytes on both its UARTs.
    for port in ("io0-uart", "isu0-uart"):
        assert device.output(port) == alone.output(port), port
    assert device.output("isu0-uart") == b"good on ISU0\r\n" * 10
    assert device.halted() == {}
    # The firewall's own refusals, each logged with the core and the address.
    denials = [(d.initiator, d.block, d.address, d.write)
               for d in device.machine.peripherals["firewall"].denials]
    assert denials == [("io1", "isu0", 0x38070500, True), ("io1", "gpio0", 0x38010004, False),
                       ("io1", "io1-comm-window", 0x803C0000, False)]  # its DMA channel
    secure_sram = device.machine.cores["a7"].physical_map.read_memory(0x803D0000, 0x30000)
    assert DMA_MARK not in secure_sram  # the DMA write went nowhere
    table = owners(device)
    assert table["isu0"] == {"io0": "rw"} and table["gpio3"] == {"io1": "rw"}


def test_a_second_app_claiming_an_owned_isu_is_refused_naming_both():
    device = run_good("eperm-hl.imagepackage")  # eperm-hl's manifest lists Uart ISU0 too
    text = [e.line for e in device.lines]
    assert "[kernel] eperm-hl: refused: ISU0 is already owned by fw-good-rt" in text
    assert "[kernel] starting eperm-hl" not in text
    assert owners(device)["isu0"] == {"io0": "rw"}
    assert owners(device)["gpio2"] == {}  # nothing of a refused app is claimed


def test_trace_firewall_prints_each_denied_access_with_its_virtual_time(cli):
    r = cli("run", str(RDB), str(PREBUILT / "fw-good-rt.imagepackage"),
            str(PREBUILT / "fw-escape-rt.imagepackage"), "--timeout", "20ms",
            "--trace", "firewall", "--expect", "fw-escape-rt: done")
    assert r.returncode == 0, r.stdout + r.stderr
    traced = re.findall(r"^\[\s+(\d+\.\d{6})\] (firewall: .*)$", r.stderr, re.M)
    assert [line for _, line in traced] == [
        "firewall: io1 write of isu0 at 0x38070500 denied",
        "firewall: io1 read of gpio0 at 0x38010004 denied",
        "firewall: io1 read of io1-comm-window at 0x803c0000 denied"]
    times = [float(t) for t, _ in traced]
    assert 0 < times[0] <= times[1] <= times[2] < 0.02  # virtual seconds, in order
    r = cli("run", str(RDB), str(PREBUILT / "fw-good-rt.imagepackage"), "--timeout", "1ms",
            "--trace", "nothing")
    assert r.returncode == 2
    assert r.stderr.strip() == "sphere-emu: error: --trace nothing: unknown (have: pins, firewall)"


@needs_gdb
def test_monitor_firewall_shows_the_ownership_table(tmp_path):
    out = tmp_path / "out.log"
    with out.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sphere_emu", "run", str(RDB),
             str(PREBUILT / "fw-good-rt.imagepackage"), str(PREBUILT / "fw-escape-rt.imagepackage"),
             "--gdb", "io0=0"], cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
        try:
            end = time.monotonic() + 30
            while not (m := re.search(r"io0: listening on 127\.0\.0\.1:(\d+)", out.read_text())):
                assert proc.poll() is None and time.monotonic() < end, out.read_text()
                time.sleep(0.05)
            while "fw-escape-rt: done" not in out.read_text():  # the machine runs on, then idles
                assert proc.poll() is None and time.monotonic() < end, out.read_text()
                time.sleep(0.05)
            gdb = subprocess.run(
                ["gdb-multiarch", "-q", "-nx", "-batch", str(PREBUILT / "fw-good-rt.elf"),
                 "-ex", f"target remote 127.0.0.1:{m[1]}", "-ex", "monitor firewall",
                 "-ex", "kill"], cwd=ROOT, capture_output=True, text=True, timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
    said = gdb.stdout + gdb.stderr  # GDB prints monitor output on stderr in batch mode
    assert "firewall: firewall enforcing" in said, said
    rows = {line.split()[0]: line for line in said.splitlines() if line.startswith("  ")}
    assert rows["isu0"].endswith("io0 rw") and rows["gpio3"].endswith("io1 rw")
    assert rows["gpio0"].endswith("secure only")
