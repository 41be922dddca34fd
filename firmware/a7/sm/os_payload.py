"""Make the payload of an OS image package (Security Monitor, kernel) from an ELF.

    python3 os_payload.py IMAGE.elf OUT.bin

The payload is ``struct os_image_header`` (firmware/include/flash_layout.h: magic "OSI1",
load address, image size, entry) followed by the flat image: the bytes of every PT_LOAD
segment with file contents, from the lowest address to the highest, gaps zero-filled.
Deterministic: the same ELF gives the same bytes.
"""

import struct
import sys

from elftools.elf.elffile import ELFFile

OS_IMAGE_MAGIC = 0x3149534F


def payload(path: str) -> bytes:
    with open(path, "rb") as f:
        elf = ELFFile(f)
        segments = [(s["p_paddr"], s.data()) for s in elf.iter_segments()
                    if s["p_type"] == "PT_LOAD" and s["p_filesz"]]
        entry = elf["e_entry"]
    base = min(addr for addr, _ in segments)
    image = bytearray(max(addr + len(data) for addr, data in segments) - base)
    for addr, data in segments:
        image[addr - base:addr - base + len(data)] = data
    image += bytes(-len(image) % 4)
    return struct.pack("<4I", OS_IMAGE_MAGIC, base, len(image), entry) + bytes(image)


if __name__ == "__main__":
    with open(sys.argv[2], "wb") as out:
        out.write(payload(sys.argv[1]))
