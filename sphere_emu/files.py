"""Reading the files a user names: checked first, then read with a bound.

Every file the CLI (and the testing API) reads goes through ``read_file``: it must be a
regular file (a FIFO would block forever, ``/dev/zero`` never ends) no larger than the limit
of its kind, and it is read with that limit, so no input can make the emulator allocate
without bound. Anything else is a ``SphereEmuError`` naming the path and why, on one line.
The limits are documented in docs/cli.md ("Input files").
"""

import errno
import os
import stat
from pathlib import Path

from .errors import SphereEmuError

KiB = 1024
MiB = 1024 * KiB

# The largest file of each kind: far above any real one, far below what hurts the host.
# The MT3620's flash is 16 MiB: no image package, nor what is packed into one, can be larger.
LIMITS = {
    "board file": 1 * MiB,
    "ELF file": 64 * MiB,
    "image package": 16 * MiB,
    "certificate": 64 * KiB,
    "key file": 64 * KiB,
    "manifest": 1 * MiB,
    "hardware definition": 1 * MiB,
    "executable": 16 * MiB,
    "binary": 16 * MiB,
    "file": 16 * MiB,
    "eFuse file": 64 * KiB,
    "device secret": 64 * KiB,
    "mutable storage file": 1 * MiB,
    "WAV file": 64 * MiB,
}

_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def a(what: str) -> str:
    """``what`` with its indefinite article: "an image package", "a board file"."""
    return ("an " if what[:1].lower() in "aeio" else "a ") + what


def _size(n: int) -> str:
    return f"{n // MiB} MiB" if n >= MiB and n % MiB == 0 else f"{n // KiB} KiB"


def _os_error(path: Path, err: OSError, what: str) -> SphereEmuError:
    if err.errno == errno.ENOENT:
        return SphereEmuError(f"{path}: no such {what}")
    if err.errno == errno.ELOOP:
        return SphereEmuError(f"{path}: cannot resolve the path (symbolic link loop)")
    if err.errno in (errno.EACCES, errno.EPERM):
        return SphereEmuError(f"{path}: cannot read the {what} (permission denied)")
    if err.errno == errno.ENOTDIR:
        return SphereEmuError(f"{path}: no such {what} (a parent is not a directory)")
    return SphereEmuError(f"{path}: cannot read the {what} ({err.strerror or err})")


def _check(path: Path, st: os.stat_result, what: str, limit: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise SphereEmuError(f"{path}: is a directory, not {a(what)}")
    if not stat.S_ISREG(st.st_mode):
        kind = next((name for test, name in _KINDS if test(st.st_mode)), "a special file")
        raise SphereEmuError(f"{path}: not a regular file ({kind}), expected {a(what)}")
    if st.st_size > limit:
        raise SphereEmuError(f"{path}: larger than {_size(limit)} for {a(what)} "
                             f"({st.st_size} bytes)")


def check_file(path: str | Path, what: str = "file") -> Path:
    """Check that ``path`` could be read as a ``what`` (without reading it)."""
    path = Path(path)
    try:
        st = os.stat(path)
    except OSError as err:
        raise _os_error(path, err, what) from None
    _check(path, st, what, LIMITS.get(what, LIMITS["file"]))
    return path


def read_file(path: str | Path, what: str = "file") -> bytes:
    """The bytes of the regular file ``path``: at most the limit for ``what``."""
    path = Path(path)
    limit = LIMITS.get(what, LIMITS["file"])
    try:
        # O_NONBLOCK: should the path become a FIFO after the check, open does not wait.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        if err.errno == errno.EISDIR:
            raise SphereEmuError(f"{path}: is a directory, not {a(what)}") from None
        raise _os_error(path, err, what) from None
    try:
        _check(path, os.fstat(fd), what, limit)
        chunks = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(MiB, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as err:
        raise _os_error(path, err, what) from None
    finally:
        os.close(fd)
    if total > limit:  # it grew while we read it
        raise SphereEmuError(f"{path}: larger than {_size(limit)} for {a(what)}")
    return b"".join(chunks)


def read_text(path: str | Path, what: str) -> str:
    """``read_file`` decoded as UTF-8; other bytes are named, not a traceback."""
    data = read_file(path, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise SphereEmuError(f"{path}: not a text file (byte {data[err.start]:#04x} at line "
                             f"{line} is not UTF-8), expected {a(what)}") from None


ELF_MAGIC = b"\x7fELF"


def sniff(data: bytes) -> str | None:
    """What ``data`` looks like: "ELF file", "image package" or None (neither)."""
    if data.startswith(ELF_MAGIC):
        return "ELF file"
    from .image.metadata import MAGIC
    from .image.package import SIGNATURE_SIZE

    if len(data) >= SIGNATURE_SIZE + 12:
        end = len(data) - SIGNATURE_SIZE
        meta_len = int.from_bytes(data[end - 4:end], "little")
        if 12 <= meta_len <= end and data[end - meta_len:end - meta_len + 4] == MAGIC:
            return "image package"
    return None
