"""Installed from a wheel (``pip install .``, not ``-e``), used from anywhere: the bundled
boards and signed OS images come with it, a bundled board is named without a path, and
hello-hl boots from a directory that has nothing of the checkout in it."""

import os
import shutil
import subprocess
import sys
import tarfile

import pytest
from conftest import PREBUILT, ROOT

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git to list the "
                                "checkout's files")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv (system site-packages for the dependencies, nothing downloaded for
    them) with sphere-emu installed from a wheel built from a copy of the checkout."""
    tmp = tmp_path_factory.mktemp("wheel")
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                           capture_output=True, check=True).stdout.decode().split("\0")
    source = tmp / "source"
    with tarfile.open(tmp / "source.tar", "w") as tar:
        for name in filter(None, files):
            if (ROOT / name).is_file():
                tar.add(ROOT / name, arcname=name)
    with tarfile.open(tmp / "source.tar") as tar:
        tar.extractall(source, filter="data")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(tmp / "dist"), str(source)], check=True, timeout=600)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=300)
    wheel = next((tmp / "dist").glob("sphere_emu-*.whl"))
    # --ignore-installed: the system site may hold an (editable) sphere-emu of the same version
    subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps",
                    "--ignore-installed",
                    "--no-index", str(wheel)], check=True, timeout=300)
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([str(venv / "bin" / "sphere-emu"), *args], cwd=elsewhere,
                              env=env, capture_output=True, text=True, timeout=timeout)

    where = subprocess.run([venv / "bin" / "python", "-c",
                            "import sphere_emu; print(sphere_emu.__file__)"], cwd=elsewhere,
                           env=env, capture_output=True, text=True, check=True).stdout
    return run, elsewhere, venv, where


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    _run, _elsewhere, venv, where = installed
    assert where.startswith(str(venv)), where


def test_bundled_boards_are_listed_and_named_without_a_path(installed):
    run, *_ = installed
    listed = run("board", "list")
    assert listed.returncode == 0, listed.stderr
    assert any(line.split()[0] == "mt3620-rdb" for line in listed.stdout.splitlines())
    shown = run("board", "show", "mt3620-rdb")
    assert shown.returncode == 0 and "core io0" in shown.stdout


def test_hello_hl_boots_from_a_directory_outside_the_checkout(installed):
    run, elsewhere, *_ = installed
    shutil.copy(PREBUILT / "hello-hl.imagepackage", elsewhere / "app.imagepackage")
    result = run("run", "mt3620-rdb", "app.imagepackage", "--timeout", "2s",
                 "--expect", "Hello from a high-level app")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[SM] kernel verified" in result.stdout


def test_device_attest_default_board_works_when_installed(installed):
    run, elsewhere, *_ = installed
    assert run("device", "create", "dev").returncode == 0
    result = run("device", "attest", "dev", "--json")
    assert result.returncode == 0, result.stderr
    assert '"quote"' in result.stdout


def test_the_installed_kit_has_the_high_level_toolchain_definitions_and_sysroot(installed):
    run, _elsewhere, venv, _where = installed
    r = run("sdk", "path")
    assert r.returncode == 0, r.stderr
    kit = r.stdout.strip()
    assert kit.startswith(str(venv)), kit
    for name in ("CMakeFiles/AzureSphereToolchain.cmake", "HardwareDefinitions/mt3620_rdb.json",
                 "HardwareDefinitions/inc/hw/mt3620.h", "Sysroots/emu/usr/lib/libapplibs.a",
                 "Sysroots/emu/usr/lib/libgcc_s.a", "Sysroots/emu/usr/include/applibs/gpio.h"):
        assert os.path.isfile(os.path.join(kit, name)), name


@pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None,
                    reason="no C compiler: the wheel has no native counter to find")
def test_the_wheel_builds_and_finds_the_native_counter(installed):
    run, _elsewhere, venv, _where = installed
    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert "instruction counter: native block counter" in result.stdout, result.stdout
    assert str(venv) in result.stdout  # the library installed with the wheel
