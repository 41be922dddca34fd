"""Loading ELF executables the way the Azure Sphere loaders do.

Each PT_LOAD segment is copied to its physical address (``p_paddr``, which equals the
virtual address in RT apps) and ``p_memsz - p_filesz`` bytes after it are zero-filled: the
Microsoft RT samples rely on zeroed statics without clearing .bss themselves.
"""

import io
import struct
from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.construct.core import ConstructError
from elftools.elf.constants import P_FLAGS
from elftools.elf.elffile import ELFFile

from .errors import FirmwareError
from .files import ELF_MAGIC, read_file, sniff

EM_ARM = "EM_ARM"
# No memory of the MT3620 a segment could be loaded into is larger (flash is 16 MiB).
MAX_SEGMENT = 16 * 1024 * 1024


@dataclass(frozen=True)
class Segment:
    address: int
    data: bytes  # file contents followed by the zero fill
    executable: bool


@dataclass(frozen=True)
class ElfImage:
    path: Path
    entry: int
    segments: tuple[Segment, ...]


def read_elf(path: str | Path) -> ElfImage:
    path = Path(path)
    data = read_file(path, "ELF file")
    if not data.startswith(ELF_MAGIC):
        if sniff(data) == "image package":
            raise FirmwareError(f"{path}: an image package, not an ELF file: boot it with the "
                                "board's OS (without --core)")
        raise FirmwareError(f"{path}: not an ELF file (it does not start with the ELF magic "
                            "7f 45 4c 46)")
    try:
        elf = ELFFile(io.BytesIO(data))
        if elf["e_machine"] != EM_ARM or elf.elfclass != 32:
            raise FirmwareError(f"{path}: not a 32-bit ARM ELF (machine {elf['e_machine']})")
        segments = []
        for number, seg in enumerate(elf.iter_segments()):
            if seg["p_type"] != "PT_LOAD" or seg["p_memsz"] == 0:
                continue
            segments.append(_segment(path, number, seg, len(data)))
        if not segments:
            raise FirmwareError(f"{path}: no loadable segments")
        return ElfImage(path, elf["e_entry"], tuple(segments))
    except (ELFError, ConstructError, ValueError, LookupError, TypeError, struct.error) as err:
        raise FirmwareError(f"{path}: not a valid ELF file ({err or type(err).__name__})"
                            ) from None


def _segment(path: Path, number: int, seg, file_size: int) -> Segment:  # noqa: ANN001
    """One PT_LOAD segment, its header checked in words before anything is allocated."""
    filesz, memsz, offset = seg["p_filesz"], seg["p_memsz"], seg["p_offset"]
    if memsz < filesz:
        raise FirmwareError(f"{path}: memsz smaller than filesz in segment {number} "
                            f"({memsz:#x} < {filesz:#x})")
    if offset + filesz > file_size:
        raise FirmwareError(f"{path}: segment {number} runs past the end of the file "
                            f"(offset {offset:#x} + filesz {filesz:#x} > {file_size:#x} bytes)")
    if memsz > MAX_SEGMENT:
        raise FirmwareError(f"{path}: segment {number} is {memsz:#x} bytes in memory, larger "
                            f"than any memory of the machine")
    data = seg.data() + bytes(memsz - filesz)
    return Segment(seg["p_paddr"], data, bool(seg["p_flags"] & P_FLAGS.PF_X))
