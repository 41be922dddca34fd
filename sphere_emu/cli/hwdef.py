"""``sphere-emu hwdef``: hardware definitions (docs/sdk.md, "Hardware definitions")."""

from pathlib import Path

import click

from ..errors import SphereEmuError


@click.group(name="hwdef")
def command() -> None:
    """Hardware definitions: the JSON files naming a chip's, board's or app's peripherals."""


@command.command(name="generate-header")
@click.argument("definition", type=click.Path(dir_okay=False))
@click.option("--hardware-definitions", "search", multiple=True,
              type=click.Path(file_okay=False), metavar="DIR",
              help="Another directory to find imported definitions in (repeatable); the "
                   "importing file's own directory and the kit's come before and after.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Where to write the header (default: inc/hw/NAME.h beside the JSON).")
def generate_header(definition: str, search: tuple[str, ...], output: str | None) -> None:
    """Write the C header for a hardware-definition JSON file: a commented #define per
    peripheral, an #include per import."""
    from ..sdk.hwdef import generate_header as generate
    from ..sdk.hwdef import header_path, load
    from ..trust.files import write_file

    hwdef = load(definition, tuple(Path(d) for d in search))
    out = Path(output) if output else header_path(Path(definition))
    if not output:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise SphereEmuError(f"{out.parent}: cannot create ({err.strerror})") from None
    write_file(out, generate(hwdef, out).encode(), force=True)
    click.echo(f"{out}: {len(hwdef.peripherals)} peripherals")
