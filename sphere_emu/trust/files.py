"""Writing user-owned files (keys, certificates, device state) safely.

A file is written to a temporary name in its own directory, flushed, given its final mode
and then moved into place, so a crash never leaves a half-written key or device (a file of
a throwaway device, ``durable=False``, is not flushed to the disk: nothing survives it). Without
``force`` the final step is a hard link, which fails if the name exists: the check and the
write are one atomic step, so nothing is overwritten by a race either.
"""

import contextlib
import os
import tempfile
from pathlib import Path

from ..errors import SphereEmuError

PRIVATE = 0o600
PUBLIC = 0o644


def write_file(path: str | Path, data: bytes, *, mode: int = PUBLIC, force: bool = False,
               durable: bool = True) -> Path:
    path = Path(path)
    if not path.parent.is_dir():
        raise SphereEmuError(f"{path}: directory {path.parent} does not exist")
    if not force and path.exists():
        raise SphereEmuError(f"{path}: already exists (use --force to overwrite it)")
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise SphereEmuError(f"{path}: cannot write ({err.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        if force:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise SphereEmuError(
                    f"{path}: already exists (use --force to overwrite it)") from None
    except OSError as err:
        raise SphereEmuError(f"{path}: cannot write ({err.strerror})") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return path

