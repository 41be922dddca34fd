"""pytest plugin: the ``sphere_device`` fixture.

Installed as a ``pytest11`` entry point, so any project with sphere-emu installed can write::

    def test_blink(sphere_device):
        dev = sphere_device("boards/mt3620-rdb.yaml", io0="build/app.elf")
        dev.wait_for_line("LED on", timeout="500ms")
"""

import pytest

from . import EmulatedDevice


@pytest.fixture
def sphere_device():
    """A factory for ``EmulatedDevice`` objects: ``sphere_device(board, core=elf, ...)``."""
    return EmulatedDevice
