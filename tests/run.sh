#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then run it:
# the cross toolchains, gdb-multiarch, cmake and ninja (apt, only when missing), the package with its test
# extras (pip), lint, the firmware reproducibility check, and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v arm-none-eabi-gcc >/dev/null || missing+=(gcc-arm-none-eabi)
# High-level apps: Debian's Linux cross toolchain with static glibc (libc6-dev-armhf-cross
# comes with it); the host cc builds the POSIX test program for comparison.
command -v arm-linux-gnueabihf-gcc >/dev/null || missing+=(gcc-arm-linux-gnueabihf)
command -v cc >/dev/null || missing+=(gcc)
command -v gdb-multiarch >/dev/null || missing+=(gdb-multiarch)
command -v cmake >/dev/null || missing+=(cmake)          # the SDK kit's build test
command -v ninja >/dev/null || missing+=(ninja-build)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

python3 -m pip install -q --disable-pip-version-check -e '.[test]'
ruff check .
make -s -C firmware check
python3 -m pytest "$@"
