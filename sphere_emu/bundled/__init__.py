"""The boards and signed firmware that ship with sphere-emu, wherever it is installed.

In a checkout they are ``boards/`` and ``firmware/prebuilt/`` at the top of the tree; a
wheel carries the same two directories as package data under ``sphere_emu/bundled/``
(setup.py maps them), in the same relative places, so a board file's relative paths (its
``os`` key, its includes) work in both. A bundled board can be named without a path:
``mt3620-rdb`` is ``boards/mt3620-rdb.yaml``.
"""

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _root() -> Path:
    """The directory holding ``boards/`` and ``firmware/prebuilt/``."""
    return _HERE if (_HERE / "boards").is_dir() else _HERE.parent.parent


BOARDS = _root() / "boards"
PREBUILT = _root() / "firmware" / "prebuilt"
DEFAULT_BOARD = BOARDS / "mt3620-rdb.yaml"


def board_names() -> list[str]:
    """The bundled boards, by the name they can be given as."""
    return sorted(p.stem for p in BOARDS.glob("*.yaml"))


def find_board(name: str | Path) -> Path:
    """``name`` as given if a file (or anything else) is there; else the bundled board of
    that name (``mt3620-rdb`` or ``mt3620-rdb.yaml``); else ``name`` unchanged, for the
    caller's "no such board file" error."""
    path = Path(name)
    if path.exists() or path.is_symlink() or len(path.parts) != 1:
        return path
    bundled = BOARDS / (path.name if path.suffix == ".yaml" else f"{path.name}.yaml")
    return bundled if bundled.is_file() else path
