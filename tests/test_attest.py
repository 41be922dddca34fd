"""Measured boot and attestation: the measurement log follows every stage's image, and the
quote (from the CLI, and from firmware through SM_GET_ATTESTATION) verifies with the
device's public identity key."""

import hashlib
import json

import pytest
from test_boot import boot_with, flipped, os_package, rt_app

from sphere_emu.pluton.attestation import QuoteError, verify_quote
from sphere_emu.pluton.structs import NONCE_SIZE

FIRMWARE_NONCE = b"stand-in kernel attestation 0001"  # the stand-in kernel's nonce


def replay(events, index: int) -> bytes:
    m = bytes(32)
    for e in events:
        if e.index == index:
            m = hashlib.sha256(m + e.digest).digest()
    return m


def test_measurement_log_follows_each_stage_image(tmp_path):
    def log(**images):
        b = boot_with(tmp_path, expect=("kernel: boot complete",), **images)
        assert b.report.outcome.name == "EXPECTED", b.report
        events = b.chain.pluton.events
        for index in range(3):
            assert b.chain.pluton.measurements[index] == replay(events, index)
        return {e.index: e.digest for e in events}, b.chain.pluton.measurements

    base, base_m = log(apps=(rt_app(),))
    for change, index in ((dict(sm=os_package("sm", svn=2)), 0),
                          (dict(kernel=os_package("kernel", svn=2)), 1),
                          (dict(apps=(rt_app(svn=5),)), 2)):
        images = {"apps": (rt_app(),), **change}
        other, other_m = log(**images)
        assert other[index] != base[index] and other_m[index] != base_m[index]
        assert all(other[i] == base[i] for i in base if i != index)


def test_firmware_quote_verifies_with_device_key(tmp_path):
    b = boot_with(tmp_path, expect=("kernel: boot complete",))
    line = next(x for x in b.lines() if x.startswith("kernel: quote "))
    quote = bytes.fromhex(line.split()[-1])
    parsed = verify_quote(quote, b.device.identity_public_key, FIRMWARE_NONCE)
    assert list(parsed.measurements[:2]) == list(b.chain.pluton.measurements[:2])
    device_line = next(x for x in b.lines() if x.startswith("kernel: device id "))
    assert device_line.split()[-1] == b.device.device_id.hex()
    with pytest.raises(QuoteError):
        verify_quote(flipped(quote, 200), b.device.identity_public_key, FIRMWARE_NONCE)


def test_cli_attest_prints_log_and_verifiable_quote(tmp_path, cli):
    device = tmp_path / "dev"
    assert cli("device", "create", str(device)).returncode == 0
    nonce = bytes(range(NONCE_SIZE))
    result = cli("device", "attest", str(device), "--nonce", nonce.hex(), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    public = json.loads(cli("device", "show", str(device), "--json").stdout)
    key = bytes.fromhex(public["identity_public_key"])
    quote = verify_quote(bytes.fromhex(doc["quote"]), key, nonce)
    assert [e["index"] for e in doc["events"]] == [0, 1]
    assert doc["events"][0]["description"].startswith("SecurityMonitor ")
    assert [m.hex() for m in quote.measurements] == doc["measurements"]
    with pytest.raises(QuoteError):
        verify_quote(bytes.fromhex(doc["quote"]), key, bytes(NONCE_SIZE))
    text = cli("device", "attest", str(device))
    assert text.returncode == 0 and "measurement log:" in text.stdout


def test_cli_attest_refuses_a_tampered_installed_kernel(tmp_path, cli):
    device = tmp_path / "dev"
    assert cli("device", "create", str(device)).returncode == 0
    bad = tmp_path / "kernel.imagepackage"
    bad.write_bytes(flipped(os_package("kernel")))
    assert cli("device", "install", str(device), str(bad), "--unverified").returncode == 0
    result = cli("device", "attest", str(device))
    assert result.returncode == 5
    assert result.stderr.splitlines() == [
        "boot refused by security-monitor: kernel image "
        "flash/normal-world-kernel.imagepackage: " + result.stderr.split(": ", 2)[2].strip()]
    assert "bad signature" in result.stderr
    assert result.stdout == ""
