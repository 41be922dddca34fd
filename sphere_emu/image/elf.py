"""Loading ELF executables the way the Azure Sphere loaders do.

Each PT_LOAD segment is copied to its physical address (``p_paddr``, which equals the
virtual address in RT apps) and ``p_memsz - p_filesz`` bytes after it are zero-filled: the
Microsoft RT samples rely on zeroed statics without clearing .bss themselves.
"""

from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.constants import P_FLAGS
from elftools.elf.elffile import ELFFile

from ..errors import FirmwareError

EM_ARM = "EM_ARM"


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
    try:
        with path.open("rb") as f:
            elf = ELFFile(f)
            if elf["e_machine"] != EM_ARM or elf.elfclass != 32:
                raise FirmwareError(f"{path}: not a 32-bit ARM ELF (machine {elf['e_machine']})")
            segments = []
            for seg in elf.iter_segments():
                if seg["p_type"] != "PT_LOAD" or seg["p_memsz"] == 0:
                    continue
                data = seg.data()
                if len(data) != seg["p_filesz"]:
                    raise FirmwareError(f"{path}: truncated segment at {seg['p_paddr']:#010x}")
                data += bytes(seg["p_memsz"] - seg["p_filesz"])
                segments.append(Segment(seg["p_paddr"], data, bool(seg["p_flags"] & P_FLAGS.PF_X)))
            if not segments:
                raise FirmwareError(f"{path}: no loadable segments")
            return ElfImage(path, elf["e_entry"], tuple(segments))
    except FileNotFoundError:
        raise FirmwareError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FirmwareError(f"{path}: is a directory") from None
    except (ELFError, ValueError, KeyError) as err:
        raise FirmwareError(f"{path}: not a valid ELF file ({err})") from None
    except OSError as err:
        raise FirmwareError(f"{path}: cannot read ({err.strerror})") from None
