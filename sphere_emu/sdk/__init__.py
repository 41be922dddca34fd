"""The SDK kit shipped with sphere-emu: CMake toolchain files named and behaving like the
Azure Sphere SDK's, so published samples build from their own CMakeLists.txt
(docs/sdk.md). ``sphere-emu sdk path`` prints the kit's directory.

Layout (as in the real SDK): ``CMakeFiles/AzureSphereRTCoreToolchain.cmake`` for real-time
capable apps, sharing ``CMakeFiles/AzureSphereKit.cmake`` (the azsphere_* functions) with the
high-level toolchain file that will sit beside it.
"""

from pathlib import Path


def kit_path() -> Path:
    return Path(__file__).resolve().parent
