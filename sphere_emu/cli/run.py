"""``sphere-emu run``: boot a board and run firmware on it."""

import gc
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

from ..app_requests import AppRequest, parse_app_request, schedule_app_requests
from ..assembly import assemble
from ..audio import AudioIO, AudioSpec, parse_audio_options
from ..board import load_board
from ..devices.trace import format_stamp
from ..elf import ElfImage, read_elf
from ..errors import SphereEmuError
from ..files import read_file, sniff
from ..hostio import HostIO, Route, parse_route
from ..hostlog import HostLog
from ..machine import Machine
from ..peripherals.firewall import Firewall
from ..pinio import PinIO
from ..runner import Outcome, Runner, RunReport
from ..units import format_ns, parse_duration_ns

if TYPE_CHECKING:
    from ..boot import BootChain
    from ..device import Device


@click.command(name="run")
@click.argument("board", type=click.Path())
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--core", "cores", multiple=True, metavar="NAME[=FILE]",
              help="Core to load an ELF onto: NAME takes the next FILE argument, NAME=FILE "
                   "names it directly. Repeat for several cores.")
@click.option("--timeout", metavar="DURATION",
              help="Stop after this much virtual time (e.g. 2s, 500ms; a bare number is "
                   "seconds). Default: no limit.")
@click.option("--wall-timeout", metavar="DURATION",
              help="Stop after this much host (wall-clock) time, whatever the guest does: "
                   "exit status 7. Default: no limit.")
@click.option("--expect", multiple=True, metavar="REGEX",
              help="Exit 0 as soon as a UART line matches (repeat: all must match).")
@click.option("--fail-on", multiple=True, metavar="REGEX",
              help="Exit 1 as soon as a UART line matches.")
@click.option("--uart", "uarts", multiple=True, metavar="NAME=WHERE",
              help="Route a UART: stdio, file:PATH, tcp:PORT (127.0.0.1) or null. "
                   "Unrouted UARTs print to stdout.")
@click.option("--quiet", is_flag=True, help="Do not print unrouted UART output or the summary.")
@click.option("--uart-prefix/--no-uart-prefix", default=None,
              help="Prefix each stdout line with its UART's name ([io0-uart] ...). Default: "
                   "on when ELFs run on several cores (--core io0=... --core io1=...).")
@click.option("--gdb", "gdb", multiple=True, is_flag=False, flag_value="", metavar="[CORE=PORT]",
              help="Serve GDB on 127.0.0.1: alone, one server per core on ports 3333, 3334, "
                   "... (order a7, io0, io1); CORE=PORT for chosen cores (repeat; port 0 picks "
                   "a free one). See docs/gdb.md.")
@click.option("--gdb-wait", is_flag=True,
              help="Hold the machine at reset until a debugger attaches (implies --gdb).")
@click.option("--debug-mode", "debug_apps", multiple=True, metavar="APP",
              help="Start this app in debug mode: held before its first instruction until a "
                   "debugger attached to its core continues it (APP: one of the image "
                   "packages given, by file, component ID or name; implies --gdb).")
@click.option("--device", "device_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Boot this persistent device (sphere-emu device create); image packages "
                   "given are sideloaded into its flash. Default: a fresh temporary "
                   "development device.")
@click.option("--vcd", type=click.Path(dir_okay=False), metavar="PATH",
              help="Write a VCD of the pins and board devices (virtual ns; GTKWave).")
@click.option("--trace", "trace", multiple=True, metavar="WHAT",
              help="Trace on stderr: 'pins' = one line per board-device state change, "
                   "'firewall' = one line per access a firewall denied (repeat for both).")
@click.option("--drive", "drives", multiple=True, metavar="TARGET=VALUE@TIME",
              help="Drive a device or pin at a virtual time, e.g. button-a=pressed@1.5s, "
                   "GPIO12=0@2s (repeat).")
@click.option("--app", "app_requests", multiple=True, metavar="ACTION@TIME",
              help="Stop or start the high-level app at a virtual time, as 'azsphere device "
                   "app stop/start' does: stop@2s (SIGTERM, then SIGKILL after 2 s), "
                   "start@3s (repeat).")
@click.option("--i2s0", "i2s0", multiple=True, metavar="out=FILE.wav|in=FILE.wav",
              help="I2S0's audio: the stream it sends, written as a WAV file (out=), and the "
                   "one it receives, read from a WAV file (in=); repeat for both.")
@click.option("--i2s1", "i2s1", multiple=True, metavar="out=FILE.wav|in=FILE.wav",
              help="I2S1's audio, as --i2s0.")
@click.option("--no-fast-forward", "no_fast_forward", is_flag=True,
              help="Run busy-waits on a timer counter instruction by instruction instead of "
                   "skipping them exactly (same output and virtual times; slower).")
@click.option("--fast", is_flag=True,
              help="Count IO-core instructions per translated block with the native counter "
                   "(faster; repeatable run to run but not the exact mode's timing: see "
                   "docs/performance.md). Without the native library the run stays exact.")
def command(board, files, cores, timeout, wall_timeout, expect, fail_on, uarts, quiet,
            uart_prefix, gdb, gdb_wait, debug_apps, device_dir, vcd, trace, drives, app_requests,
            i2s0, i2s1, no_fast_forward, fast) -> None:
    """Boot BOARD's signed OS with the app image packages in FILES, or run ELF FILES
    bare-metal on the cores named with --core.

    \b
    Exit status: 0 expectations met (or the run ended without --expect),
    1 a --fail-on line was seen, 2 bad input, 3 timeout before --expect matched,
    4 every started core halted (guest lockup), 5 an image package was refused,
    6 the debugger ended the run, 7 --wall-timeout passed, 130 Ctrl-C.
    """
    spec = load_board(board)
    if cores and device_dir:
        raise SphereEmuError("--core runs bare-metal ELFs; image packages and --device boot "
                             "the board's OS: give one or the other")
    requests = tuple(parse_app_request(text) for text in app_requests)
    if requests and cores:
        raise SphereEmuError("--app asks the board's OS to stop or start its app: boot image "
                             "packages, not bare ELFs on --core")
    # Without --core every file is an app package to sideload: read (bounded) and sniffed
    # first, so an ELF given by mistake is named as one.
    packages = [] if cores else [(path, _read_package(path)) for path in files]
    if debug_apps and cores:
        raise SphereEmuError("--debug-mode starts an app of an image package; a bare ELF "
                             "on --core can be held with --gdb-wait instead")
    debugged = {_debug_target(app, packages) for app in debug_apps}
    options = _RunOptions(
        timeout_ns=_limit("--timeout", timeout),
        wall_timeout_ns=_limit("--wall-timeout", wall_timeout), uart_prefix=uart_prefix,
        routes={r.port: r for r in map(parse_route, uarts)},
        gdb_ports=_gdb_ports(gdb, spec.cores) if gdb or gdb_wait or debug_apps else {},
        gdb_wait=gdb_wait, expect=_patterns("--expect", expect),
        fail_on=_patterns("--fail-on", fail_on), quiet=quiet, vcd=vcd,
        trace=_check_trace(trace), drives=drives, app_requests=requests,
        audio=[audio for block, values in (("i2s0", i2s0), ("i2s1", i2s1))
               if (audio := parse_audio_options(block, values)) is not None])
    if cores:
        elfs = [(name, read_elf(path)) for name, path in _assign_files(cores, files, spec.cores)]
        # Only now: bad input is refused before the machine's big allocations.
        machine = assemble(spec, fast_forward=not no_fast_forward, fast=fast).machine
        _say_if_not_fast(machine, fast)
        images = {name: machine.load_elf(name, elf) for name, elf in elfs}
        _run(machine, None, images, options)
        return
    # The device and image modules only here: a bare-metal run does not need them.
    from ..device import Device

    with (Device.open(device_dir) if device_dir else Device.temporary()) as device:
        slots = [(_sideload(device, path, data), path) for path, data in packages]
        booted = assemble(spec, device, slots, fast_forward=not no_fast_forward,
                          debug_mode={slot for slot, path in slots if path in debugged},
                          fast=fast)
        _say_if_not_fast(booted.machine, fast)
        _run(booted.machine, booted.chain, {}, options)


def _say_if_not_fast(machine: Machine, fast: bool) -> None:
    if fast and not machine.fast:
        click.echo(f"sphere-emu: --fast: running exact ({machine.counter_choice.detail})",
                   err=True)


@dataclass(frozen=True)
class _RunOptions:
    timeout_ns: int | None
    wall_timeout_ns: int | None
    uart_prefix: bool | None
    routes: dict[str, Route]
    gdb_ports: dict[str, int]
    gdb_wait: bool
    expect: list[str]
    fail_on: list[str]
    quiet: bool
    vcd: str | None = None
    trace: set[str] = frozenset()
    drives: tuple[str, ...] = ()
    app_requests: tuple[AppRequest, ...] = ()
    audio: list[AudioSpec] = field(default_factory=list)


TRACE_CATEGORIES = ("pins", "firewall")


def _check_trace(categories: tuple[str, ...]) -> set[str]:
    for category in categories:
        if category not in TRACE_CATEGORIES:
            raise SphereEmuError(f"--trace {category}: unknown (have: "
                                 f"{', '.join(TRACE_CATEGORIES)})")
    return set(categories)


def _limit(option: str, text: str | None) -> int | None:
    if text is None:
        return None
    ns = parse_duration_ns(text)
    if ns <= 0:
        raise SphereEmuError(f"{option} {text}: must be more than zero (leave the option out "
                             "for no limit)")
    return ns


def _patterns(option: str, patterns: tuple[str, ...]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as err:
            raise SphereEmuError(f"{option} {pattern!r}: not a regular expression: {err}") from None
    return list(patterns)


def _read_package(path: str) -> bytes:
    data = read_file(path, "image package")
    if sniff(data) == "ELF file":
        raise SphereEmuError(f"{path}: an ELF file needs --core NAME (e.g. --core io0); apps "
                             "to boot with the OS are image packages")
    return data


def _debug_target(app: str, packages: list[tuple[str, bytes]]) -> str:
    """The package file ``--debug-mode APP`` means: the file itself, or the package whose
    component ID or name (its metadata's, as the device knows it) is APP."""
    from ..image.errors import ImageError
    from ..image.package import parse_package

    for path, _data in packages:
        if app == path:
            return path
    for path, data in packages:
        try:
            package = parse_package(data)
        except ImageError:
            continue  # refused at boot, by the stage whose job it is
        identity, debug = package.identity, package.debug
        if (identity is not None and app.lower() == str(identity.component_id)) or (
                debug is not None and app == debug.name):
            return path
    raise SphereEmuError(f"--debug-mode {app}: not one of the image packages given (name a "
                         "file, a component ID or an app name)")


def _sideload(device: "Device", path: str, data: bytes) -> str:
    """Put an app package into the device's flash. The boot chain verifies it, not this:
    a package the device would refuse is refused at boot, by the stage whose job it is.
    One whose layout does not even name its flash slot is refused here, the same way
    (one line, exit status 5: docs/boot-chain.md)."""
    from ..device import DeviceError
    from ..image.errors import ImageError

    try:
        return device.install(data, verify=False)
    except (ImageError, DeviceError) as err:
        click.echo(f"sideload refused: app image {path}: {err}", err=True)
        sys.exit(Outcome.REFUSED.exit_code)


def _run(machine: Machine, boot: "BootChain | None", images: dict[str, ElfImage],
         options: _RunOptions) -> None:
    """Run until the outcome is known, print it, and exit with its status."""
    routes, quiet = options.routes, options.quiet
    for name in routes:
        if name not in machine.serial.ports:
            raise SphereEmuError(f"--uart {name}: no such UART (have: "
                                 f"{', '.join(sorted(machine.serial.ports))})")
    pins = PinIO(machine, vcd=options.vcd, trace=options.trace, drives=options.drives,
                 emit=lambda line: click.echo(line, err=True))
    if "firewall" in options.trace:
        for block in machine.peripherals.values():
            if isinstance(block, Firewall):
                block.on_denied.append(lambda denial: click.echo(
                    f"{format_stamp(denial.time_ns)} {denial}", err=True))
    audio = AudioIO(machine.peripherals, options.audio)
    if options.app_requests:
        console = machine.serial.ports.get(machine.board.boot.console or "")
        if console is None:
            raise SphereEmuError(f"--app: board {machine.board.name} names no OS console "
                                 "(its 'boot' key) to take the requests")
        schedule_app_requests(list(options.app_requests), machine.clock, console)
    # Several bare-metal cores: their consoles share stdout, so say whose line each is.
    prefix = options.uart_prefix if options.uart_prefix is not None else len(images) > 1
    host = HostIO(notify=lambda message: click.echo(message, err=True), stdout_prefix=prefix)
    debugger = report = None
    try:
        if options.gdb_ports:
            from ..gdb import start_servers  # see _gdb_ports
            debugger = start_servers(machine, images, options.gdb_ports,
                                     wait_for_attach=options.gdb_wait,
                                     notify=lambda message: click.echo(f"gdb: {message}", err=True))
        for name, port in machine.serial.ports.items():
            route = routes.get(name)
            if route is not None:
                host.attach(port, route)
            elif not quiet:
                host.attach(port, parse_route(f"{name}=stdio"))
        poll = host.poll if boot is None else lambda: (host.poll(), boot.poll())
        wall = options.wall_timeout_ns
        runner = Runner(machine, options.expect, options.fail_on, poll=poll, debugger=debugger,
                        awaits_input=lambda: host.has_input,
                        wall_timeout_s=None if wall is None else wall / 1e9)
        runner.on_halt = lambda core, reason: click.echo(
            f"[{format_ns(machine.clock.now_ns)}] {core.name}: halted: {reason}", err=True)
        try:
            refusal = None
            if boot is not None:
                boot.on_refusal = lambda refusal: runner.refuse(str(refusal))
                refusal = boot.power_on()  # the ROM stage: a refusal here runs nothing
            _collect_from_here()
            with HostLog(lambda: sys.stderr):
                report = (runner.run(options.timeout_ns) if refusal is None else
                          RunReport(Outcome.REFUSED, machine.clock.now_ns,
                                    refusal=str(refusal)))
        except KeyboardInterrupt:  # before the run started: nothing ran
            report = RunReport(Outcome.INTERRUPTED, machine.clock.now_ns)
    finally:
        host.close()
        pins.close()
        audio.close()
        if debugger is not None:
            debugger.close(report.outcome.exit_code if report is not None else 130)
    if report.outcome is Outcome.REFUSED:
        click.echo(report.refusal, err=True)  # the one line that says what was refused
    elif report.outcome is Outcome.INTERRUPTED:
        click.echo(f"interrupted at {format_ns(report.time_ns)} of virtual time", err=True)
    elif report.outcome is Outcome.WALL_TIMEOUT:
        click.echo(f"wall-clock limit: stopped after {format_ns(options.wall_timeout_ns)} of "
                   f"host time, at {format_ns(report.time_ns)} of virtual time", err=True)
    elif not quiet:
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
    elif report.outcome is Outcome.EXPECTED and not report.matched:
        why = ("nothing left to run (every core asleep or halted, no event pending)"
               if report.idle else "the --timeout of virtual time passed")
        click.echo(f"[{at}] stopped: {why}", err=True)
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


def _gdb_ports(gdb: tuple[str, ...], cores: dict) -> dict[str, int]:
    """``--gdb`` options as ports by core. The GDB servers are imported only by a run that
    asks for them: they are a tenth of a plain run's start-up."""
    from ..gdb import parse_gdb_options
    return parse_gdb_options(gdb or ("",), cores)


def _collect_from_here() -> None:
    """The garbage collector back on for the run, if start-up held it off (``entry_point``),
    with what start-up built left out of its walks for good."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
