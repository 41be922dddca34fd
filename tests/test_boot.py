"""The verified boot chain with the real Security Monitor and stand-in kernel firmware:
each stage refuses a tampered, untrusted or revoked image, says so in one line, and nothing
after the refusal runs."""

import dataclasses
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from sphere_emu import assembly, boot, runner
from sphere_emu.board import OsSpec, load_board
from sphere_emu.cpu.core import CoreState
from sphere_emu.device import Device
from sphere_emu.errors import BoardError
from sphere_emu.image.metadata import ImageType, SignatureInfo
from sphere_emu.image.pack import PackOptions, pack_application, pack_os_component
from sphere_emu.image.package import build_package, parse_package
from sphere_emu.runner import Outcome
from sphere_emu.trust.keys import Signer, development_signer, make_certificate

ROOT = Path(__file__).resolve().parent.parent
PREBUILT = ROOT / "firmware" / "prebuilt"
BOARD = ROOT / "boards" / "mt3620-rdb.yaml"
RT_MANIFEST = ROOT / "firmware" / "apps" / "hello-rt" / "app_manifest.json"
SVN = 1  # the bundled OS images' security version
MS = 1_000_000


def untrusted_signer() -> Signer:
    key = ec.derive_private_key(0x5EED1E55, ec.SECP256R1())
    return Signer(make_certificate(key, "not trusted by the device"), key)


def os_package(kind: str, *, signer: Signer | None = None, svn: int = SVN,
               header: tuple[int, int] | None = None) -> bytes:
    """The bundled SM or stand-in kernel, re-signed; ``header`` = (word, value) replaces a
    word of its os_image_header (magic, load address, size, entry)."""
    name, image_type = {"sm": ("security-monitor", ImageType.SECURITY_MONITOR),
                        "kernel": ("a7-standin-kernel", ImageType.NORMAL_WORLD_KERNEL)}[kind]
    payload = bytearray(parse_package((PREBUILT / f"{name}.imagepackage").read_bytes()).payload)
    if header is not None:
        word, value = header
        payload[4 * word:4 * word + 4] = value.to_bytes(4, "little")
    return pack_os_component(bytes(payload), image_type,
                             signer or development_signer(),
                             name="standin-kernel" if kind == "kernel" else None,
                             options=PackOptions(security_version=svn))


def rt_app(*, signer: Signer | None = None, svn: int | None = None) -> bytes:
    return pack_application(RT_MANIFEST.read_bytes(), (PREBUILT / "hello-rt.elf").read_bytes(),
                            signer or development_signer(),
                            options=PackOptions(security_version=svn))


def flipped(data: bytes, at: int = 0x40) -> bytes:
    out = bytearray(data)
    out[at] ^= 0x01
    return bytes(out)


@dataclasses.dataclass
class Booted:
    chain: boot.BootChain
    report: object
    device: Device

    def lines(self, port: str = "a7-uart") -> list[str]:
        return self.chain.machine.serial.ports[port].output.decode().splitlines()

    def state(self, core: str) -> CoreState:
        return self.chain.machine.cores[core].state


def boot_with(tmp_path: Path, *, sm: bytes | None = None, kernel: bytes | None = None,
              apps: tuple[bytes, ...] = (), rollback: int = 0, expect: tuple[str, ...] = (),
              timeout_ms: int = 60) -> Booted:
    # The stand-in kernel by default: its lines are what these tests read.
    os = {"kernel": PREBUILT / "a7-standin-kernel.imagepackage"}
    for key, data in (("security_monitor", sm), ("kernel", kernel)):
        if data is not None:
            path = tmp_path / f"{key}.imagepackage"
            path.write_bytes(data)
            os[key] = path
    spec = dataclasses.replace(load_board(BOARD), os=OsSpec(**os))
    device = Device.temporary(rollback=rollback)
    sideloaded = []
    for i, data in enumerate(apps):
        sideloaded.append((device.install(data, verify=False), f"app{i}.imagepackage"))
    chain = assembly.build(spec, device, sideloaded)
    report = runner.run_boot(chain, timeout_ms * MS, expect)
    return Booted(chain, report, device)


# -- the whole chain -----------------------------------------------------------------------

def test_bundled_os_boots_stage_by_stage(tmp_path):
    b = boot_with(tmp_path, expect=("kernel: boot complete",))
    assert b.report.outcome is Outcome.EXPECTED
    lines = b.lines()
    order = ["[PLUTON] ROM: verifying", "[PLUTON] security monitor verified",
             "[SM] security monitor started", "[SM] kernel verified, measurement extended",
             "[SM] kernel loaded at 0x80000000", "kernel: hello", "kernel: boot complete"]
    at = [next(i for i, line in enumerate(lines) if line.startswith(o)) for o in order]
    assert at == sorted(at)
    assert [(p.stage, p.step) for p in b.chain.progress] == [
        ("security-monitor", "started"), ("kernel", "verified"), ("kernel", "entered")]
    assert [e.index for e in b.chain.pluton.events] == [0, 1]


def test_rt_app_is_verified_measured_and_started_on_io0(tmp_path):
    b = boot_with(tmp_path, apps=(rt_app(),), expect=("Tick 1",), timeout_ms=1500)
    assert b.report.outcome is Outcome.EXPECTED
    assert "[SM] app verified, measurement extended (flash entry 2)" in b.lines()
    assert "[SM] io0 started at 0x00100000" in b.lines()
    assert b.lines("io0-uart")[0] == "Hello from the MT3620 IO core!"
    assert [e.index for e in b.chain.pluton.events] == [0, 1, 2]


# -- refusals, stage by stage ---------------------------------------------------------------

TAMPERED = {
    "bad-signature": (lambda kind: flipped(os_package(kind)), 0, "bad signature"),
    "untrusted-signer": (lambda kind: os_package(kind, signer=untrusted_signer()), 0,
                         "untrusted signer"),
    "downgrade": (lambda kind: os_package(kind, svn=3), 0b1111, "downgrade: security version 3"),
}


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_security_monitor_refused_by_pluton_rom(tmp_path, case):
    make, fuse, reason = TAMPERED[case]
    # The bundled kernel would be revoked too by a fuse above its version: give a fresh one.
    b = boot_with(tmp_path, sm=make("sm"), kernel=os_package("kernel", svn=8), rollback=fuse)
    assert b.report.outcome is Outcome.REFUSED
    assert b.report.refusal.startswith("boot refused by pluton-rom: security monitor ")
    assert reason in b.report.refusal
    assert "\n" not in b.report.refusal
    # Nothing of it ran: the A7 was never released, nothing measured, nothing copied.
    assert b.state("a7") is CoreState.HELD
    assert not any(line.startswith("[SM]") for line in b.lines())
    assert b.chain.pluton.events == ()
    assert b.chain.machine.cores["a7"].physical_map.read_memory(0x803D0000, 256) == bytes(256)


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_kernel_refused_by_security_monitor(tmp_path, case):
    make, fuse, reason = TAMPERED[case]
    b = boot_with(tmp_path, sm=os_package("sm", svn=8), kernel=make("kernel"), rollback=fuse)
    assert b.report.outcome is Outcome.REFUSED
    assert b.report.refusal.startswith("boot refused by security-monitor: kernel image ")
    assert reason in b.report.refusal
    assert any(line.startswith("[SM] REFUSED kernel") for line in b.lines())
    assert not any(line.startswith("kernel:") for line in b.lines())
    assert [(p.stage, p.step) for p in b.chain.progress] == [("security-monitor", "started")]
    assert [e.index for e in b.chain.pluton.events] == [0]  # the kernel was never measured
    # Never copied into Normal-World SYSRAM.
    assert b.chain.machine.cores["a7"].physical_map.read_memory(0x80000000, 256) == bytes(256)


@pytest.mark.parametrize("header", [(0, 0), (1, 0x80000000)], ids=["no-magic", "not-secure"])
def test_security_monitor_with_bad_load_header_is_refused_unmeasured(tmp_path, header):
    b = boot_with(tmp_path, sm=os_package("sm", header=header))
    assert b.report.outcome is Outcome.REFUSED
    assert "malformed: the payload's load header" in b.report.refusal
    assert b.state("a7") is CoreState.HELD and b.chain.pluton.events == ()


@pytest.mark.parametrize("header", [(0, 0), (1, 0x803D0000), (2, 0x10000000)],
                         ids=["no-magic", "over-secure-ram", "too-big"])
def test_kernel_with_bad_load_header_is_refused_unmeasured(tmp_path, header):
    # A correctly signed kernel that asks to be loaded over the Security Monitor's RAM is
    # refused before a byte is copied.
    b = boot_with(tmp_path, kernel=os_package("kernel", header=header))
    assert b.report.outcome is Outcome.REFUSED
    assert b.report.refusal.startswith("boot refused by security-monitor: kernel image ")
    assert "malformed: the payload's load header" in b.report.refusal
    assert any("REFUSED kernel (flash entry 1): malformed" in x for x in b.lines())
    assert [e.index for e in b.chain.pluton.events] == [0]
    assert not any(line.startswith("kernel:") for line in b.lines())


def test_app_package_in_the_kernel_slot_is_refused_as_wrong_type(tmp_path):
    b = boot_with(tmp_path, kernel=rt_app())
    assert b.report.outcome is Outcome.REFUSED
    assert b.report.refusal.startswith("boot refused by security-monitor: kernel image ")
    assert "wrong image type" in b.report.refusal
    assert not any(line.startswith("kernel:") for line in b.lines())


APP_TAMPERED = {
    "bad-signature": (lambda: flipped(rt_app(), 0x2040), 0, "bad signature"),
    "untrusted-signer": (lambda: rt_app(signer=untrusted_signer()), 0, "untrusted signer"),
    "downgrade": (lambda: rt_app(svn=2), 0b111, "downgrade: security version 2"),
}


@pytest.mark.parametrize("case", sorted(APP_TAMPERED))
def test_app_refused_through_security_monitor(tmp_path, case):
    make, fuse, reason = APP_TAMPERED[case]
    b = boot_with(tmp_path, sm=os_package("sm", svn=8), kernel=os_package("kernel", svn=8),
                  apps=(make(),), rollback=fuse)
    assert b.report.outcome is Outcome.REFUSED
    assert b.report.refusal.startswith("boot refused by kernel: app image app0.imagepackage: ")
    assert reason in b.report.refusal
    assert any(line.startswith("[SM] REFUSED app (flash entry 2)") for line in b.lines())
    # The RT app never started: io0 is still in reset and silent.
    assert b.state("io0") is CoreState.HELD
    assert b.lines("io0-uart") == []
    assert not any("start RT app" in line for line in b.lines())
    assert [e.index for e in b.chain.pluton.events] == [0, 1]


def test_missing_kernel_image_is_a_one_line_error(tmp_path, cli):
    board = tmp_path / "board.yaml"
    board.write_text(f"include: {BOARD}\nos: {{kernel: nowhere.imagepackage}}\n")
    result = cli("run", str(board), "--timeout", "10ms")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"sphere-emu: error: {tmp_path / 'nowhere.imagepackage'}: no such OS image package "
        f"(see the board's 'os' key)"]


# -- the command line -------------------------------------------------------------------------

def test_cli_refusal_is_one_line_and_exit_5(tmp_path, cli):
    pkg = tmp_path / "hello-rt.imagepackage"
    pkg.write_bytes(flipped(rt_app(), 0x2040))
    result = cli("run", str(BOARD), str(pkg), "--timeout", "50ms", "--quiet")
    assert result.returncode == 5
    assert result.stderr.splitlines() == [
        f"boot refused by kernel: app image {pkg}: bad signature "
        f"(signer {development_signer().thumbprint.hex()})"]


def test_cli_boots_rt_app_package_on_persistent_device(tmp_path, cli):
    device = tmp_path / "dev"
    assert cli("device", "create", str(device)).returncode == 0
    pkg = tmp_path / "hello-rt.imagepackage"
    pkg.write_bytes(rt_app())
    result = cli("run", str(BOARD), str(pkg), "--device", str(device), "--timeout", "2s",
                 "--expect", "Tick 1")
    assert result.returncode == 0, result.stderr
    assert "Hello from the MT3620 IO core!" in result.stdout
    # Sideloaded into the device's flash: it boots again without being given.
    shown = json.loads(cli("device", "show", str(device), "--json").stdout)
    assert "app-5a1e0006-6d0c-4f3e-9b9e-000000000006" in shown["flash"]
    again = cli("run", str(BOARD), "--device", str(device), "--timeout", "2s",
                "--expect", "Tick 1", "--quiet")
    assert again.returncode == 0, again.stderr


def test_cli_elf_with_core_still_runs_bare_metal(cli):
    result = cli("run", str(BOARD), str(PREBUILT / "hello-rt.elf"), "--core", "io0",
                 "--timeout", "1500ms", "--expect", "Tick 1", "--quiet")
    assert result.returncode == 0


def test_cli_rejects_elf_without_core_and_mixing(tmp_path, cli):
    result = cli("run", str(BOARD), str(PREBUILT / "hello-rt.elf"))
    assert result.returncode == 2
    assert "needs --core" in result.stderr
    result = cli("run", str(BOARD), "--device", str(tmp_path), "--core",
                 f"io0={PREBUILT / 'hello-rt.elf'}")
    assert result.returncode == 2
    assert "give one or the other" in result.stderr


# -- with the OS kernel and the sample apps (the board's default OS) ---------------------------

def test_kernel_runs_verified_hello_hl_and_hello_rt(cli):
    result = cli("run", str(BOARD), str(PREBUILT / "hello-hl.imagepackage"),
                 str(PREBUILT / "hello-rt.imagepackage"), "--timeout", "2s",
                 "--expect", "Hello from a high-level app", "--expect", "Tick 1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("[SM] kernel verified") < out.index("[SM] app verified") < out.index(
        "Hello from a high-level app")


@pytest.mark.parametrize("case", ["bad signature", "untrusted signer"])
def test_kernel_refuses_tampered_hello_hl(tmp_path, cli, case):
    good = (PREBUILT / "hello-hl.imagepackage").read_bytes()
    if case == "bad signature":
        bad = flipped(good, 0x1010)
    else:
        package = parse_package(good)
        bad = build_package(package.payload, [s.value for s in package.sections
                                              if not isinstance(s.value, SignatureInfo)],
                            untrusted_signer())
    path = tmp_path / "hello-hl.imagepackage"
    path.write_bytes(bad)
    result = cli("run", str(BOARD), str(path), "--timeout", "1s",
                 "--expect", "Hello from a high-level app")
    assert result.returncode == 5
    assert result.stderr.splitlines() == [
        line for line in result.stderr.splitlines() if line.startswith("boot refused by kernel: "
                                                                        f"app image {path}: ")]
    assert len(result.stderr.splitlines()) == 1
    assert case in result.stderr
    assert "Hello from a high-level app" not in result.stdout


def test_board_os_key_paths_are_relative_to_their_file(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "base.yaml").write_text(f"include: {BOARD}\nos: {{kernel: k.imagepackage}}\n")
    (tmp_path / "board.yaml").write_text("include: sub/base.yaml\n"
                                         "os: {security-monitor: sm.imagepackage}\n")
    spec = load_board(tmp_path / "board.yaml")
    assert spec.os == OsSpec(security_monitor=tmp_path / "sm.imagepackage",
                             kernel=sub / "k.imagepackage")
    assert load_board(BOARD).os == OsSpec()  # defaults: the bundled packages
    assert OsSpec().kernel == PREBUILT / "kernel.imagepackage"
    (tmp_path / "bad.yaml").write_text(f"include: {BOARD}\nos: {{loader: x}}\n")
    with pytest.raises(BoardError, match=r"os\.loader: unknown key"):
        load_board(tmp_path / "bad.yaml")
