"""Loading ELF executables the way the Azure Sphere loaders do.

Each PT_LOAD segment is copied to its physical address (``p_paddr``, which equals the
virtual address in RT apps) and ``p_memsz - p_filesz`` bytes after it are zero-filled: the
Microsoft RT samples rely on zeroed statics without clearing .bss themselves.

Only the file header and the program headers are read, with ``struct``: that is all a
loader needs, and it keeps pyelftools (a tenth of the start-up) out of a bare-metal run.
"""

import struct
from dataclasses import dataclass
from pathlib import Path

from .errors import FirmwareError
from .files import ELF_MAGIC, read_file, sniff

EM_ARM = 40
MACHINES = {3: "EM_386", 8: "EM_MIPS", 20: "EM_PPC", 40: "EM_ARM", 62: "EM_X86_64",
            183: "EM_AARCH64", 243: "EM_RISCV"}
ELFCLASS32 = 1
BYTE_ORDERS = {1: "<", 2: ">"}  # EI_DATA: ELFDATA2LSB, ELFDATA2MSB
PT_LOAD = 1
PF_X = 1
# e_type .. e_shstrndx of an ELF32 header, after the 16 identification bytes.
_HEADER = "HHIIIIIHHHHHH"
_PHDR = "8I"  # p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align
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
    order = BYTE_ORDERS.get(data[5]) if len(data) > 5 else None
    if order is None:
        raise FirmwareError(f"{path}: not a valid ELF file (unknown byte order "
                            f"{data[5] if len(data) > 5 else 'missing'})")
    header = struct.Struct(order + _HEADER)
    if len(data) < 16 + header.size:
        raise FirmwareError(f"{path}: not a valid ELF file (the file header is truncated)")
    (_type, machine, _version, entry, phoff, _shoff, _flags, _ehsize, phentsize, phnum,
     *_sections) = header.unpack_from(data, 16)
    if machine != EM_ARM or data[4] != ELFCLASS32:
        raise FirmwareError(f"{path}: not a 32-bit ARM ELF (machine "
                            f"{MACHINES.get(machine, machine)})")
    phdr = struct.Struct(order + _PHDR)
    if phnum and (phentsize < phdr.size
                  or phoff + (phnum - 1) * phentsize + phdr.size > len(data)):
        raise FirmwareError(f"{path}: not a valid ELF file (the program headers, {phnum} of "
                            f"{phentsize} bytes at {phoff:#x}, are not inside the file)")
    segments = []
    for number in range(phnum):
        p_type, offset, _vaddr, paddr, filesz, memsz, flags, _align = phdr.unpack_from(
            data, phoff + number * phentsize)
        if p_type != PT_LOAD or memsz == 0:
            continue
        segments.append(_segment(path, number, data, offset, paddr, filesz, memsz, flags))
    if not segments:
        raise FirmwareError(f"{path}: no loadable segments")
    return ElfImage(path, entry, tuple(segments))


def _segment(path: Path, number: int, file: bytes, offset: int, paddr: int, filesz: int,
             memsz: int, flags: int) -> Segment:
    """One PT_LOAD segment, its header checked in words before anything is allocated."""
    if memsz < filesz:
        raise FirmwareError(f"{path}: memsz smaller than filesz in segment {number} "
                            f"({memsz:#x} < {filesz:#x})")
    if offset + filesz > len(file):
        raise FirmwareError(f"{path}: segment {number} runs past the end of the file "
                            f"(offset {offset:#x} + filesz {filesz:#x} > {len(file):#x} bytes)")
    if memsz > MAX_SEGMENT:
        raise FirmwareError(f"{path}: segment {number} is {memsz:#x} bytes in memory, larger "
                            f"than any memory of the machine")
    return Segment(paddr, file[offset:offset + filesz] + bytes(memsz - filesz),
                   bool(flags & PF_X))
