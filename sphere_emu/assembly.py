"""Putting a runnable machine together: the one place that does (the CLI, the testing API
and ``build`` use it), bare or with the verified boot chain (``boot.py``).

A bare run imports nothing of the boot chain, image packages or Pluton until the guest
first knocks on a Pluton mailbox: they are a fifth of a bare run's start-up.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .board import BoardSpec
from .machine import Machine
from .peripherals.pluton_mailbox import serve_mailboxes

if TYPE_CHECKING:
    from .boot import BootChain
    from .device import Device
    from .pluton.core import Pluton


@dataclass
class Assembly:
    """A machine ready to run: bare (firmware loaded per core) or with a boot chain."""

    machine: Machine
    chain: "BootChain | None" = None


def assemble(spec: BoardSpec, device: "Device | None" = None,
             sideloaded: Sequence[tuple[str, str]] | None = None, *,
             fast_forward: bool = True, debug_mode: Collection[str] = (),
             fast: bool = False) -> Assembly:
    """The machine for ``spec``.

    Without ``sideloaded`` the machine runs bare: firmware is loaded per core and any
    Pluton mailbox is served by ``device``'s Pluton (default: a temporary development
    device, made on first use). With ``sideloaded`` (``(slot, file)`` pairs, possibly
    none) it boots ``device``'s verified chain, not yet powered on; the apps in the slots
    ``debug_mode`` names start held for a debugger. ``fast_forward``: skip busy-waits
    exactly (the default) or step through them. ``fast``: count IO-core instructions per
    block (``--fast``, docs/performance.md).
    """
    machine = Machine(spec, fast_forward=fast_forward, fast=fast)
    if sideloaded is None:
        serve_mailboxes(machine.peripherals.values(), _TemporaryPluton(machine)
                        if device is None else _pluton(device, machine))
        return Assembly(machine)
    from .boot import BootChain, device_images
    from .device import Device

    owner = device if device is not None else Device.temporary()
    return Assembly(machine, BootChain(machine, owner,
                                       device_images(owner, spec.os, sideloaded,
                                                     debug_mode)))


def build(spec: BoardSpec, device: "Device", sideloaded: Sequence[tuple[str, str]] = ()
          ) -> "BootChain":
    """A machine for ``spec`` with ``device``'s boot chain attached, not yet powered on."""
    chain = assemble(spec, device, sideloaded).chain
    assert chain is not None
    return chain


def _pluton(device: "Device", machine: Machine) -> "Pluton":
    from .pluton.core import Pluton

    return Pluton(device, machine.system_memory)


class _TemporaryPluton:
    """For a machine that runs without a device: a fresh development device's Pluton,
    made when the guest first knocks on the mailbox."""

    def __init__(self, machine: Machine) -> None:
        self._machine = machine
        self._pluton: Pluton | None = None

    def execute(self, command: int, args: Sequence[int]) -> tuple[int, list[int]]:
        return self._made().execute(command, args)

    def _made(self) -> "Pluton":
        if self._pluton is None:
            from .device import Device

            self._pluton = _pluton(Device.temporary(), self._machine)
        return self._pluton

    def snapshot(self) -> dict | None:
        return self._pluton.snapshot() if self._pluton is not None else None

    def restore(self, state: dict) -> None:
        self._made().restore(state)
