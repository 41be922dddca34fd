"""The ``sphere-emu`` command line."""

import contextlib
import gc
import importlib
import logging
import os
import sys

import click

from ..errors import SphereEmuError

# Each module defines ``command``: a click command or group named as the module.
COMMAND_MODULES = ("run", "board", "image", "keys", "device", "sdk", "hwdef")


class _Main(click.Group):
    """The commands, each imported only when named (or listed by --help): a run never
    imports the image, key and SDK tooling."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMAND_MODULES:
            return None
        return importlib.import_module(f"{__name__}.{cmd_name}").command

    def main(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201 - click's signature
        """Usage errors are one line too (click's default is a usage block and a hint)."""
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Abort:
            click.echo("sphere-emu: aborted", err=True)
            sys.exit(1)
        except click.ClickException as err:
            where = f"{err.ctx.command_path}: " if getattr(err, "ctx", None) else ""
            hint = (f" (see {err.ctx.command_path} --help)"
                    if isinstance(err, click.UsageError) and err.ctx else "")
            click.echo(f"sphere-emu: error: {where}{err.format_message()}{hint}", err=True)
            sys.exit(err.exit_code)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SphereEmuError as err:
            click.echo(f"sphere-emu: error: {err}", err=True)
            sys.exit(err.exit_code)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """The version, then which instruction counter ``--fast`` can use (loaded only here:
    the library is not touched by commands that do not run cores)."""
    if not value or ctx.resilient_parsing:
        return
    import importlib.metadata  # a tenth of a run's start-up (it loads the email package)

    from ..engine.native import choose as choose_counter

    _, choice = choose_counter()
    click.echo(f"sphere-emu, version {importlib.metadata.version('sphere-emu')}")
    click.echo(f"instruction counter: {choice.describe()}")
    ctx.exit()


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=_print_version, help="Show the version and the instruction counter.")
def main() -> None:
    """Emulate an Azure Sphere MT3620: boot, run and debug its cores."""


def entry_point() -> None:
    """The ``sphere-emu`` program: ``main``, then an immediate exit.

    By the time ``main`` returns everything is closed (files, sockets, temporary devices),
    but tearing down the machine's Unicorn instances and the interpreter takes most of a
    second on a busy host. Ending the process at once keeps Ctrl-C and --wall-timeout
    prompt for whoever waits on the process, not just for the emulated machine.
    """
    gc.disable()  # for start-up, as in __main__.py; ``cli.run`` turns it back on
    try:
        main(prog_name="sphere-emu")
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    if not isinstance(code, int):
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)
