"""Signing keys and certificates: files, modes, refusal to overwrite, chains, signatures."""

import stat

import pytest

from sphere_emu.errors import SphereEmuError
from sphere_emu.trust import TrustError
from sphere_emu.trust.files import write_file
from sphere_emu.trust.keys import (
    create_key,
    development_ca,
    development_signer,
    load_certificate,
    load_signer,
    verify_signature,
)
from sphere_emu.trust.store import APPLICATIONS_ONLY, TrustStore


def test_create_writes_a_private_key_0600_and_a_certificate(tmp_path):
    key_path, cert_path = create_key(tmp_path / "mine")
    assert key_path.name == "mine.key.pem" and cert_path.name == "mine.cert.pem"
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    signer = load_signer(key_path)
    assert signer.certificate.subject == "CN=mine,O=sphere-emu"
    assert signer.certificate.der == load_certificate(cert_path).der
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_create_never_overwrites_without_force(tmp_path):
    key_path, _ = create_key(tmp_path / "mine")
    before = key_path.read_bytes()
    with pytest.raises(TrustError, match="already exists.*--force"):
        create_key(tmp_path / "mine")
    assert key_path.read_bytes() == before
    create_key(tmp_path / "mine", force=True)
    assert key_path.read_bytes() != before
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600


def test_atomic_write_refuses_to_clobber_and_reports_missing_directories(tmp_path):
    write_file(tmp_path / "f", b"one")
    with pytest.raises(SphereEmuError, match="already exists"):
        write_file(tmp_path / "f", b"two")
    assert (tmp_path / "f").read_bytes() == b"one"
    with pytest.raises(SphereEmuError, match="does not exist"):
        write_file(tmp_path / "nope" / "f", b"x")


def test_signatures_are_deterministic_raw_r_s_and_verify():
    signer = development_signer()
    sig = signer.sign(b"hello")
    assert len(sig) == 64 and sig == signer.sign(b"hello")
    assert verify_signature(signer.certificate.public_key, sig, b"hello")
    assert not verify_signature(signer.certificate.public_key, sig, b"hellO")
    assert not verify_signature(development_ca().certificate.public_key, sig, b"hello")


def test_key_and_certificate_must_match(tmp_path):
    key_a, _ = create_key(tmp_path / "a")
    _, cert_b = create_key(tmp_path / "b")
    with pytest.raises(TrustError, match="does not match certificate"):
        load_signer(key_a, cert_b)


def test_bad_key_files_give_one_line_errors(tmp_path):
    (tmp_path / "junk.key.pem").write_text("not a key")
    with pytest.raises(TrustError, match="not a PEM private key"):
        load_signer(tmp_path / "junk.key.pem")
    with pytest.raises(SphereEmuError, match="no such key file"):
        load_signer(tmp_path / "missing.key.pem")
    (tmp_path / "junk.cert.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\nxx\n")
    with pytest.raises(TrustError, match="not an X.509 certificate"):
        load_certificate(tmp_path / "junk.cert.pem")


def test_development_signing_key_is_issued_by_the_development_ca():
    ca, signer = development_ca(), development_signer()
    assert ca.certificate.is_ca and not signer.certificate.is_ca
    assert signer.certificate.issued_by(ca.certificate)
    assert not ca.certificate.issued_by(signer.certificate)
    assert "DEVELOPMENT" in signer.certificate.subject


def test_a_ca_can_issue_keys_that_chain_to_it(tmp_path):
    create_key(tmp_path / "root", ca=True)
    root = load_signer(tmp_path / "root.key.pem")
    create_key(tmp_path / "leaf", issuer=root)
    leaf = load_certificate(tmp_path / "leaf.cert.pem")
    assert leaf.issued_by(root.certificate)
    assert not leaf.issued_by(development_ca().certificate)


def test_rooted_trust_store_scopes_signers_by_chain(tmp_path):
    ca = development_ca().certificate
    create_key(tmp_path / "own")
    own = load_certificate(tmp_path / "own.cert.pem")
    dev = development_signer().certificate
    store = TrustStore.rooted(ca, ca.key_hash, [dev, own], app_development=True)
    assert store.lookup(dev.thumbprint).image_types is None  # issued by the root: anything
    assert store.lookup(own.thumbprint).image_types == APPLICATIONS_ONLY
    locked = TrustStore.rooted(ca, ca.key_hash, [dev, own], app_development=False)
    assert locked.lookup(own.thumbprint) is None
    assert "app-development" in locked.why_untrusted(own.thumbprint)
    wrong_fuse = TrustStore.rooted(ca, bytes(32), [dev], app_development=False)
    assert wrong_fuse.lookup(dev.thumbprint) is None and wrong_fuse.lookup(ca.thumbprint) is None
