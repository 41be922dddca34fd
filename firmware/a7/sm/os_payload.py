"""Make the payload of an OS image package (Security Monitor, kernel) from an ELF.

    python3 os_payload.py IMAGE.elf OUT.bin

The format is declared once, in sphere_emu/image/os_payload.py; this is the build step.
"""

import sys

from sphere_emu.image.os_payload import build_os_payload

if __name__ == "__main__":
    with open(sys.argv[2], "wb") as out:
        out.write(build_os_payload(sys.argv[1]))
