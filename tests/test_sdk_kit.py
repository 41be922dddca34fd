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
