"""Package layout that pyproject.toml cannot say: the bundled boards and signed firmware.

``boards/`` and ``firmware/prebuilt/`` stay where the checkout keeps them and are installed
as ``sphere_emu/bundled/boards/`` and ``sphere_emu/bundled/firmware/prebuilt/`` (same
relative places, so a board's relative ``os`` paths resolve in both; see
sphere_emu/bundled/__init__.py).

The native instruction counter (sphere_emu/engine/native/counter.c) and the GPIO output
latch (gpio_latch.c) are an optional extension: a plain shared library loaded with ctypes
(no Python API), built when a C compiler is there and skipped without failing the install
when not; the emulator then uses Unicorn's own counting and the Python GPIO path
(``sphere-emu --version`` says which). Everything else is in
pyproject.toml.
"""

from setuptools import Extension, find_packages, setup

BUNDLED = {
    "sphere_emu.bundled.boards": "boards",
    "sphere_emu.bundled.firmware.prebuilt": "firmware/prebuilt",
}

NATIVE_COUNTER = Extension("sphere_emu.engine.native._counter",
                           sources=["sphere_emu/engine/native/counter.c",
                                    "sphere_emu/engine/native/gpio_latch.c"],
                           extra_compile_args=["-O2"], optional=True)

setup(packages=find_packages(include=["sphere_emu", "sphere_emu.*"]) + list(BUNDLED),
      package_dir=BUNDLED, ext_modules=[NATIVE_COUNTER])
