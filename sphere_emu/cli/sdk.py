"""``sphere-emu sdk``: the SDK kit shipped with sphere-emu (docs/sdk.md)."""

import click

from ..sdk import kit_path


@click.group(name="sdk")
def command() -> None:
    """The SDK kit: CMake toolchain files for building Azure Sphere apps."""


@command.command(name="path")
def path() -> None:
    """Print the kit's directory (use <it>/CMakeFiles/AzureSphereRTCoreToolchain.cmake)."""
    click.echo(str(kit_path()))
