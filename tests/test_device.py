"""Emulated device directories: identity, eFuses, trust and flash."""

import json
import stat

import pytest

from sphere_emu.device import Capability, Device, DeviceError
from sphere_emu.image.errors import ImageError
from sphere_emu.image.metadata import ImageType
from sphere_emu.image.pack import PackOptions, pack_os_component
from sphere_emu.trust.keys import create_key, development_ca, development_signer, load_signer

SECRET = bytes(range(32))


def test_create_then_open_gives_the_same_device(tmp_path):
    created = Device.create(tmp_path / "dev", secret=SECRET)
    opened = Device.open(tmp_path / "dev")
    assert opened.efuses == created.efuses
    assert opened.device_id == created.device_id and len(opened.device_id) == 64
    assert opened.efuses.root_key_hash == development_ca().certificate.key_hash
    assert opened.efuses.has(Capability.APP_DEVELOPMENT)
    assert stat.S_IMODE((tmp_path / "dev" / "pluton-secret.bin").stat().st_mode) == 0o600


def test_identity_is_derived_from_the_secret_alone(tmp_path):
    a = Device.create(tmp_path / "a", secret=SECRET)
    b = Device.create(tmp_path / "b", secret=SECRET)
    c = Device.create(tmp_path / "c")
    assert a.device_id == b.device_id != c.device_id
    assert a.derive("rng") == b.derive("rng") != a.derive("other")


def test_create_refuses_a_non_empty_directory_without_force(tmp_path):
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "precious").write_text("keep")
    with pytest.raises(DeviceError, match="not empty.*--force"):
        Device.create(tmp_path / "dev")
    Device.create(tmp_path / "dev", force=True)


def test_open_explains_what_is_wrong(tmp_path):
    with pytest.raises(DeviceError, match="no such device directory"):
        Device.open(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DeviceError, match="not a device directory"):
        Device.open(tmp_path / "empty")
    Device.create(tmp_path / "dev")
    (tmp_path / "dev" / "efuses.json").write_text('{"format": 1}')
    with pytest.raises(DeviceError, match="malformed eFuse file"):
        Device.open(tmp_path / "dev")


def test_rollback_fuse_only_advances_and_persists(tmp_path):
    dev = Device.create(tmp_path / "dev")
    assert dev.advance_rollback(3) == 0b111
    assert dev.advance_rollback(1) == 0b111  # never goes back
    assert Device.open(tmp_path / "dev").efuses.rollback == 0b111
    doc = json.loads((tmp_path / "dev" / "efuses.json").read_text())
    assert doc["rollback_fuse"] == 7
    with pytest.raises(DeviceError, match="outside 0..32"):
        dev.advance_rollback(33)


def test_install_verifies_with_the_devices_trust_and_fuse(tmp_path):
    dev = Device.create(tmp_path / "dev")
    signer = development_signer()
    sm = pack_os_component(b"sm", ImageType.SECURITY_MONITOR, signer,
                           options=PackOptions(security_version=1))
    assert dev.install(sm) == "security-monitor"
    assert dev.read_slot("security-monitor") == sm
    dev.advance_rollback(2)
    with pytest.raises(ImageError, match="downgrade"):
        dev.install(sm)
    assert dev.install(sm, verify=False) == "security-monitor"  # for boot-refusal tests


def test_user_keys_sign_only_apps_and_only_with_app_development(tmp_path):
    create_key(tmp_path / "mine")
    mine = load_signer(tmp_path / "mine.key.pem")
    kernel = pack_os_component(b"k", ImageType.NORMAL_WORLD_KERNEL, mine)
    locked = Device.create(tmp_path / "locked", capabilities=[])
    locked.trust(mine.certificate.pem())
    with pytest.raises(ImageError, match="untrusted signer.*app-development"):
        locked.install(kernel)
    dev = Device.create(tmp_path / "dev")
    dev.trust(mine.certificate.pem())
    with pytest.raises(ImageError, match="may sign only Applications"):
        dev.install(kernel)


def test_a_device_rooted_elsewhere_refuses_development_images(tmp_path):
    create_key(tmp_path / "root", ca=True)
    root_pem = (tmp_path / "root.cert.pem").read_bytes()
    dev = Device.create(tmp_path / "dev", root_certificate=root_pem)
    sm = pack_os_component(b"sm", ImageType.SECURITY_MONITOR, development_signer())
    with pytest.raises(ImageError, match="untrusted signer"):
        dev.install(sm)
    own = pack_os_component(b"sm", ImageType.SECURITY_MONITOR,
                            load_signer(tmp_path / "root.key.pem"))
    assert dev.install(own) == "security-monitor"


def test_temporary_device_trusts_the_development_ca_and_cleans_up():
    dev = Device.temporary()
    path = dev.path
    sm = pack_os_component(b"sm", ImageType.SECURITY_MONITOR, development_signer())
    dev.install(sm)
    assert path.is_dir()
    dev.close()
    assert not path.exists()


def test_summary_lists_identity_fuses_signers_and_flash(tmp_path):
    dev = Device.create(tmp_path / "dev", secret=SECRET, rollback=0b1)
    dev.install(pack_os_component(b"sm", ImageType.SECURITY_MONITOR, development_signer(),
                                  options=PackOptions(security_version=1)))
    s = dev.summary()
    assert s["device_id"] == dev.device_id.hex()
    assert s["efuses"]["rollback_fuse"] == 1 and s["efuses"]["capabilities"] == ["app-development"]
    assert s["root_certificate"]["matches_fuse"]
    assert len(s["trusted_signers"]) == 2 and "security-monitor" in s["flash"]


def test_replacing_a_device_drops_the_old_ones_flash_and_trust(tmp_path):
    create_key(tmp_path / "mine")
    old = Device.create(tmp_path / "dev")
    old.trust((tmp_path / "mine.cert.pem").read_bytes())
    old.install(pack_os_component(b"sm", ImageType.SECURITY_MONITOR, development_signer()))
    new = Device.create(tmp_path / "dev", force=True)
    assert new.slots() == {} and len(new.trusted_certificates()) == 1
    assert new.device_id != old.device_id


def test_a_root_certificate_not_matching_the_fuse_trusts_nothing_it_issued(tmp_path):
    dev = Device.create(tmp_path / "dev", capabilities=[])
    (tmp_path / "dev" / "efuses.json").write_text(
        (tmp_path / "dev" / "efuses.json").read_text().replace(
            dev.efuses.root_key_hash.hex(), "00" * 32))
    sm = pack_os_component(b"sm", ImageType.SECURITY_MONITOR, development_signer())
    with pytest.raises(ImageError, match="root certificate does not match its root-of-trust"):
        Device.open(tmp_path / "dev").install(sm)
