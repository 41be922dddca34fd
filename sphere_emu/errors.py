"""The project's own error types.

Every error a user can cause (bad board file, bad image, wrong key, bad option) is a
``SphereEmuError``: the CLI prints its message as one line and exits nonzero. Anything else
escaping to the top is a bug in the emulator, never the user's fault.
"""


class SphereEmuError(Exception):
    """A user-facing error: ``str(err)`` is a complete one-line message."""

    exit_code = 2


class BoardError(SphereEmuError):
    """A board file is missing, malformed or inconsistent."""


class FirmwareError(SphereEmuError):
    """A firmware file (ELF) cannot be loaded onto the machine."""
