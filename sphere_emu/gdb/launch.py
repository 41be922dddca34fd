"""Turning ``--gdb`` options into listening servers for a machine."""

from collections.abc import Callable, Iterable, Mapping

from ..elf import ElfImage
from ..errors import SphereEmuError
from ..machine import Machine
from ..peripherals.firewall import Firewall
from .hub import GdbHub, default_ports
from .server import DEFAULT_HOST, GdbServer
from .target import Target
from .tdesc import UnsupportedCore

FIRST_PORT = 3333


def parse_gdb_options(values: Iterable[str], core_names: Iterable[str]) -> dict[str, int]:
    """``--gdb`` (empty value: every core) and ``--gdb CORE=PORT`` -> {core: port}."""
    names = list(core_names)
    ports: dict[str, int] = {}
    explicit: dict[str, int] = {}
    for value in values:
        if value == "":
            ports.update(default_ports(names, FIRST_PORT))
            continue
        core, sep, port = value.partition("=")
        if not sep or not port.isdigit() or not 0 <= int(port) < 65536:
            raise SphereEmuError(f"--gdb {value!r}: expected CORE=PORT (e.g. io0=3333), or "
                                 "--gdb alone for every core")
        if core not in names:
            raise SphereEmuError(f"--gdb {value}: no such core (have: {', '.join(names)})")
        explicit[core] = int(port)
    ports.update(explicit)
    taken: dict[int, str] = {}
    for core, port in ports.items():
        if port and port in taken:
            raise SphereEmuError(f"--gdb: {taken[port]} and {core} both on port {port}")
        taken[port] = core
    return ports


def firewall_table(machine: Machine) -> Callable[[], str] | None:
    """Every firewall's ownership table, for ``monitor firewall``; None if there is none."""
    firewalls = [b for b in machine.peripherals.values() if isinstance(b, Firewall)]
    if not firewalls:
        return None
    return lambda: "".join(f"{fw.name}: {fw.describe()}\n" for fw in firewalls)


def start_servers(machine: Machine, images: Mapping[str, ElfImage],
                  ports: Mapping[str, int], *, wait_for_attach: bool = False,
                  host: str = DEFAULT_HOST,
                  notify: Callable[[str], None] = lambda message: None) -> GdbHub:
    """Listen for GDB on each chosen core; ``notify`` hears where, and who attaches."""
    servers: list[GdbServer] = []
    try:
        for name, port in ports.items():
            try:
                target = Target(machine.cores[name], images.get(name), firewall_table(machine))
            except UnsupportedCore as err:
                notify(f"{name}: no GDB server: {err}")
                continue
            try:
                server = GdbServer(target, port, host, notify)
            except OSError as err:
                raise SphereEmuError(f"--gdb {name}: cannot listen on {host}:{port}: "
                                     f"{err.strerror}") from None
            servers.append(server)
            notify(f"{name}: listening on {host}:{server.port}")
    except BaseException:
        for server in servers:
            server.finish(0)
        raise
    return GdbHub(servers, machine.cores.values(), wait_for_attach, machine.scheduler)
