"""``sphere-emu run``: boot a board and run firmware on it."""

import sys

import click

from ..board import load_board
from ..errors import SphereEmuError
from ..gdb import parse_gdb_options, start_servers
from ..hostio import HostIO, parse_route
from ..machine import Machine
from ..runner import Outcome, Runner
from ..units import format_ns, parse_duration_ns


@click.command(name="run")
@click.argument("board", type=click.Path(dir_okay=False))
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--core", "cores", multiple=True, metavar="NAME[=FILE]",
              help="Core to load an ELF onto: NAME takes the next FILE argument, NAME=FILE "
                   "names it directly. Repeat for several cores.")
@click.option("--timeout", metavar="DURATION",
              help="Stop after this much virtual time (e.g. 2s, 500ms). Default: no limit.")
@click.option("--expect", multiple=True, metavar="REGEX",
              help="Exit 0 as soon as a UART line matches (repeat: all must match).")
@click.option("--fail-on", multiple=True, metavar="REGEX",
              help="Exit 1 as soon as a UART line matches.")
@click.option("--uart", "uarts", multiple=True, metavar="NAME=WHERE",
              help="Route a UART: stdio, file:PATH, tcp:PORT (127.0.0.1) or null. "
                   "Unrouted UARTs print to stdout.")
@click.option("--quiet", is_flag=True, help="Do not print unrouted UART output or the summary.")
@click.option("--gdb", "gdb", multiple=True, is_flag=False, flag_value="", metavar="[CORE=PORT]",
              help="Serve GDB on 127.0.0.1: alone, one server per core on ports 3333, 3334, "
                   "... (order a7, io0, io1); CORE=PORT for chosen cores (repeat; port 0 picks "
                   "a free one). See docs/gdb.md.")
@click.option("--gdb-wait", is_flag=True,
              help="Hold the machine at reset until a debugger attaches (implies --gdb).")
def command(board, files, cores, timeout, expect, fail_on, uarts, quiet, gdb, gdb_wait) -> None:
    """Run FILES on BOARD.

    \b
    Exit status: 0 expectations met (or the run ended without --expect),
    1 a --fail-on line was seen, 2 bad input, 3 timeout before --expect matched,
    4 every started core halted (guest lockup).
    """
    spec = load_board(board)
    loads = _assign_files(cores, files, spec.cores)
    if not loads:
        raise SphereEmuError("nothing to run: give an ELF and --core NAME (e.g. --core io0)")
    timeout_ns = parse_duration_ns(timeout) if timeout else None
    routes = {r.port: r for r in map(parse_route, uarts)}
    gdb_ports = parse_gdb_options(gdb or ("",), spec.cores) if gdb or gdb_wait else {}
    machine = Machine(spec)
    images = {core_name: machine.load_elf(core_name, path) for core_name, path in loads}
    for name in routes:
        if name not in machine.serial.ports:
            raise SphereEmuError(f"--uart {name}: no such UART (have: "
                                 f"{', '.join(sorted(machine.serial.ports))})")
    host = HostIO(notify=lambda message: click.echo(message, err=True))
    debugger = report = None
    try:
        if gdb_ports:
            debugger = start_servers(machine, images, gdb_ports, wait_for_attach=gdb_wait,
                                     notify=lambda message: click.echo(f"gdb: {message}", err=True))
        for name, port in machine.serial.ports.items():
            route = routes.get(name)
            if route is not None:
                host.attach(port, route)
            elif not quiet:
                host.attach(port, parse_route(f"{name}=stdio"))
        runner = Runner(machine, list(expect), list(fail_on), poll=host.poll, debugger=debugger,
                        awaits_input=lambda: host.has_input)
        runner.on_halt = lambda core, reason: click.echo(
            f"[{format_ns(machine.clock.now_ns)}] {core.name}: halted: {reason}", err=True)
        try:
            report = runner.run(timeout_ns)
        except KeyboardInterrupt:
            click.echo(f"\ninterrupted at {format_ns(machine.clock.now_ns)}", err=True)
            sys.exit(130)
    finally:
        host.close()
        if debugger is not None:
            debugger.close(report.outcome.exit_code if report is not None else 130)
    if not quiet:
        _summary(report)
    sys.exit(report.outcome.exit_code)


def _summary(report) -> None:
    at = format_ns(report.time_ns)
    if report.outcome is Outcome.FAILED:
        f = report.failure
        click.echo(f"[{at}] failure line on {f.port}: {f.line}", err=True)
    elif report.outcome is Outcome.TIMEOUT:
        click.echo(f"[{at}] timeout: expectation not met", err=True)
    elif report.outcome is Outcome.LOCKUP:
        click.echo(f"[{at}] every running core halted", err=True)
    elif report.outcome is Outcome.DEBUG:
        click.echo(f"[{at}] run ended by the debugger (kill)", err=True)
    elif report.matched:
        last = report.matched[-1]
        click.echo(f"[{format_ns(last.time_ns)}] expectation met on {last.port}: {last.line}",
                   err=True)


def _assign_files(cores, files, known) -> list[tuple[str, str]]:
    loads: list[tuple[str, str]] = []
    waiting: list[str] = []
    for item in cores:
        name, sep, path = item.partition("=")
        if name not in known:
            raise SphereEmuError(f"--core {name}: no such core (have: {', '.join(known)})")
        if sep:
            loads.append((name, path))
        else:
            waiting.append(name)
    if len(waiting) != len(files):
        raise SphereEmuError(f"{len(files)} file(s) given for {len(waiting)} bare --core option(s):"
                             " pair each FILE with a --core NAME, or use --core NAME=FILE")
    loads += list(zip(waiting, files, strict=True))
    return loads
