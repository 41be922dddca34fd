"""The payload of an OS image package (Security Monitor, kernel): a load header, then a
flat image (``struct os_image_header`` in firmware/include/flash_layout.h).

The header says where the image goes and where it starts; the boot chain refuses a
payload whose header does not describe an image inside the region its stage may use.
Declared once here: the firmware build makes payloads with ``build_os_payload`` and the
boot chain reads them with ``read_load_header``.
"""

from dataclasses import dataclass
from pathlib import Path

from construct import Const, ConstError, Int32ul, StreamError, Struct

OS_IMAGE_MAGIC = 0x3149534F  # "OSI1"
OS_IMAGE_HEADER = Struct(
    "magic" / Const(OS_IMAGE_MAGIC, Int32ul),
    "load" / Int32ul,  # physical address of the image's first byte
    "size" / Int32ul,  # bytes of image after the header
    "entry" / Int32ul,  # first instruction (bit 0 set: Thumb)
)
HEADER_SIZE = OS_IMAGE_HEADER.sizeof()


@dataclass(frozen=True)
class LoadHeader:
    load: int
    size: int
    entry: int

    def image(self, payload: bytes) -> bytes:
        return payload[HEADER_SIZE:HEADER_SIZE + self.size]


def build_os_payload(elf_path: str | Path) -> bytes:
    """The header and the bytes of every PT_LOAD segment with file contents, from the
    lowest address to the highest, gaps zero-filled, padded to 4 bytes (deterministic).
    Used by the firmware build only: a boot does not load pyelftools."""
    from elftools.elf.elffile import ELFFile

    with Path(elf_path).open("rb") as f:
        elf = ELFFile(f)
        segments = [(s["p_paddr"], s.data()) for s in elf.iter_segments()
                    if s["p_type"] == "PT_LOAD" and s["p_filesz"]]
        entry = elf["e_entry"]
    base = min(address for address, _ in segments)
    image = bytearray(max(address + len(data) for address, data in segments) - base)
    for address, data in segments:
        image[address - base:address - base + len(data)] = data
    image += bytes(-len(image) % 4)
    return OS_IMAGE_HEADER.build({"load": base, "size": len(image), "entry": entry}) + image


def read_load_header(payload: bytes, region: tuple[int, int]) -> LoadHeader | None:
    """The payload's header if it describes an image inside ``region`` [start, end) that
    starts executing inside itself; None otherwise."""
    try:
        h = OS_IMAGE_HEADER.parse(payload)
    except (ConstError, StreamError):
        return None
    start, end = region
    ok = (0 < h.size <= len(payload) - HEADER_SIZE and h.load % 4 == 0
          and start <= h.load and h.load + h.size <= end
          and h.load <= h.entry & ~1 < h.load + h.size)
    return LoadHeader(h.load, h.size, h.entry) if ok else None
