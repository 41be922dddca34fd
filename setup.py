"""Package layout that pyproject.toml cannot say: the bundled boards and signed firmware.

``boards/`` and ``firmware/prebuilt/`` stay where the checkout keeps them and are installed
as ``sphere_emu/bundled/boards/`` and ``sphere_emu/bundled/firmware/prebuilt/`` (same
relative places, so a board's relative ``os`` paths resolve in both; see
sphere_emu/bundled/__init__.py). Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

BUNDLED = {
    "sphere_emu.bundled.boards": "boards",
    "sphere_emu.bundled.firmware.prebuilt": "firmware/prebuilt",
}

setup(packages=find_packages(include=["sphere_emu", "sphere_emu.*"]) + list(BUNDLED),
      package_dir=BUNDLED)
