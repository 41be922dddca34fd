"""The SDK kit (sphere_emu/sdk): a sample-shaped RT project (tests/data/sdk-sample) with the
published samples' CMakeLists.txt shape configures and builds through the kit's
AzureSphereRTCoreToolchain.cmake with CMake + Ninja, packs an image package and boots."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BOARDS, ROOT, run_cli

from sphere_emu.testing import EmulatedDevice

SAMPLE = Path(__file__).parent / "data" / "sdk-sample"
pytestmark = pytest.mark.skipif(
    not (shutil.which("cmake") and shutil.which("ninja") and shutil.which("arm-none-eabi-gcc")),
    reason="cmake, ninja-build and gcc-arm-none-eabi are needed (tests/run.sh installs them)")


def test_sdk_path_prints_the_kit_directory():
    r = run_cli("sdk", "path")
    assert r.returncode == 0, r.stderr
    kit = Path(r.stdout.strip())
    assert (kit / "CMakeFiles" / "AzureSphereRTCoreToolchain.cmake").is_file()


def test_a_sample_shaped_project_builds_through_the_kit_and_boots(tmp_path):
    kit = Path(run_cli("sdk", "path").stdout.strip())
    gnu = Path(shutil.which("arm-none-eabi-gcc")).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    build = tmp_path / "build"
    configure = run_cli_tool(["cmake", "-G", "Ninja",
                              f"-DCMAKE_TOOLCHAIN_FILE={kit}/CMakeFiles/"
                              "AzureSphereRTCoreToolchain.cmake",
                              f"-DARM_GNU_PATH={gnu}",
                              f"-DSPHERE_EMU={sys.executable};-m;sphere_emu",
                              "-S", str(SAMPLE), "-B", str(build)], env)
    assert configure.returncode == 0, configure.stdout + configure.stderr
    made = run_cli_tool(["ninja", "-C", str(build)], env)
    assert made.returncode == 0, made.stdout + made.stderr
    package = build / "SdkSample_RTApp_MT3620_BareMetal.imagepackage"
    assert (build / "SdkSample_RTApp_MT3620_BareMetal.out").is_file() and package.is_file()
    shown = run_cli("image", "show", str(package))
    assert "/greeting.txt" in shown.stdout                    # RESOURCE_FILES went in
    r = run_cli("run", str(BOARDS / "mt3620-rdb.yaml"), str(package), "--timeout", "20ms",
                "--expect", "sdk-sample:")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "sdk-sample: built with CMake through the kit, statics zeroed" in r.stdout


def run_cli_tool(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)


# --- High-level apps: AzureSphereToolchain.cmake ------------------------------------------

HL_SAMPLE = Path(__file__).parent / "data" / "sdk-hl-sample"
needs_hl_toolchain = pytest.mark.skipif(
    not shutil.which("arm-linux-gnueabihf-gcc"),
    reason="gcc-arm-linux-gnueabihf is needed (tests/run.sh installs it)")


def configure_hl(source: Path, build: Path, *extra: str) -> subprocess.CompletedProcess:
    kit = Path(run_cli("sdk", "path").stdout.strip())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return run_cli_tool(["cmake", "-G", "Ninja",
                         f"-DCMAKE_TOOLCHAIN_FILE={kit}/CMakeFiles/AzureSphereToolchain.cmake",
                         "-DAZURE_SPHERE_TARGET_API_SET=latest-lts",
                         f"-DSPHERE_EMU={sys.executable};-m;sphere_emu", *extra,
                         "-S", str(source), "-B", str(build)], env)


@pytest.fixture(scope="module")
def hl_sample_package(tmp_path_factory) -> Path:
    build = tmp_path_factory.mktemp("hl-sample")
    configure = configure_hl(HL_SAMPLE, build)
    assert configure.returncode == 0, configure.stdout + configure.stderr
    made = run_cli_tool(["ninja", "-C", str(build)], {**os.environ, "PYTHONPATH": str(ROOT)})
    assert made.returncode == 0, made.stdout + made.stderr
    return build / "SdkSample_HighLevelApp.imagepackage"


@needs_hl_toolchain
def test_hl_sample_manifest_names_are_resolved_through_the_hardware_definitions(
        hl_sample_package):
    # $SAMPLE_LED -> MT3620_RDB_LED1_RED -> MT3620_GPIO8 -> 8, across three files.
    shown = run_cli("image", "show", str(hl_sample_package))
    assert shown.returncode == 0, shown.stderr
    assert "Capability Gpio:  [8, 12]" in shown.stdout
    assert "/bin/app" in shown.stdout


@needs_hl_toolchain
def test_hl_sample_boots_and_blinks_its_led_on_the_event_loop_timer(hl_sample_package):
    dev = EmulatedDevice.boot(BOARDS / "mt3620-rdb.yaml", hl_sample_package,
                              wall_timeout="60s")
    dev.wait_for_line(r"Blinking LED 1 red every 100 ms", timeout="2s")
    on = [dev.wait_for_device("led1-red", True, timeout="150ms")]
    for _ in range(2):
        dev.wait_for_device("led1-red", False, timeout="150ms")
        on.append(dev.wait_for_device("led1-red", True, timeout="150ms"))
    # Two timer periods apart, give or take the kernel's wake-up path (a few timer ticks).
    assert all(abs(b - a - 200_000_000) < 1_000 for a, b in zip(on, on[1:], strict=False)), on
    assert dev.pin("GPIO8").level == 0  # lit: the RDB's LEDs are active low
    dev.press("button-a")
    dev.wait_for_line(r"button pressed at tick \d+", timeout="150ms")


@needs_hl_toolchain
def test_hl_configure_fails_in_one_line_on_a_name_the_definition_lacks(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(HL_SAMPLE, source)
    definition = source / "HardwareDefinitions" / "mt3620_rdb" / "sample_appliance.json"
    definition.write_text(definition.read_text().replace('"MT3620_RDB_BUTTON_A"',
                                                         '"MT3620_RDB_BUTTON_Z"'))
    r = configure_hl(source, tmp_path / "build")
    assert r.returncode != 0
    assert "SAMPLE_BUTTON_1: Mapping MT3620_RDB_BUTTON_Z is not defined" in r.stderr


@needs_hl_toolchain
def test_hl_configure_refuses_an_unknown_api_set(tmp_path):
    r = configure_hl(HL_SAMPLE, tmp_path / "build", "-DAZURE_SPHERE_TARGET_API_SET=lts")
    assert r.returncode != 0
    assert 'AZURE_SPHERE_TARGET_API_SET "lts"' in r.stderr
