"""``sphere-emu board show``: each core's view of the machine, like QEMU's ``info mtree``."""

import json

import click

from ..board import BoardSpec, load_board


@click.group(name="board")
def command() -> None:
    """List and inspect boards (a bundled board by name, any other by its file)."""


@command.command(name="list")
def list_boards() -> None:
    """List the bundled boards: each can be named without a path (sphere-emu run NAME ...)."""
    from ..bundled import BOARDS, board_names

    for name in board_names():
        spec = load_board(BOARDS / f"{name}.yaml")
        click.echo(f"{name:<16} {spec.description}")


@command.command(name="show")
@click.argument("board", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def show(board: str, as_json: bool) -> None:
    """Print every core's address map with peripherals and IRQs."""
    spec = load_board(board)
    if as_json:
        click.echo(json.dumps(board_summary(spec), indent=2))
        return
    click.echo(f"board {spec.name}: {spec.description}".rstrip(": "))
    for core in spec.cores.values():
        click.echo(f"\ncore {core.name} ({core.type}, {core.frequency_hz / 1e6:g} MHz, "
                   f"{core.irqs} IRQs, {core.priority_bits} priority bits, reset {core.reset})")
        for e in core.map:
            if e.kind == "memory":
                what = f"memory {e.target}" + (f" +{e.offset:#x}" if e.offset else "")
            elif e.kind == "peripheral":
                what = spec.peripherals[e.target].type
            else:
                what = "unimplemented"
            irqs = "  " + " ".join(f"{k}=IRQ{v}" for k, v in e.irqs.items()) if e.irqs else ""
            flags = "  secure-only" if e.secure_only else ""
            click.echo(f"  {e.base:08x}-{e.end - 1:08x}  {e.name:<16} {what}{irqs}{flags}")
    _show_pins(spec)


def _show_pins(spec: BoardSpec) -> None:
    if spec.pins.count:
        click.echo(f"\npins GPIO0..GPIO{spec.pins.count - 1}" + "".join(
            f"\n  {alias:<16} GPIO{n}" for alias, n in spec.pins.aliases.items()))
    if spec.devices:
        click.echo("\ndevices")
    for d in spec.devices.values():
        wiring = " ".join(f"{role}={pin}" for role, pin in d.pins.items())
        options = "".join(f" {k}={v}" for k, v in d.written.items())
        click.echo(f"  {d.name:<16} {d.type:<8} {wiring}{options}")


def board_summary(spec: BoardSpec) -> dict:
    return {
        "name": spec.name,
        "description": spec.description,
        "memories": {m.name: {"size": m.size, "readonly": m.readonly}
                     for m in spec.memories.values()},
        "peripherals": {p.name: {"type": p.type, **p.options} for p in spec.peripherals.values()},
        "cores": {c.name: {
            "type": c.type, "frequency_hz": c.frequency_hz, "reset": c.reset, "irqs": c.irqs,
            "priority_bits": c.priority_bits,
            "map": [{"name": e.name, "kind": e.kind, "target": e.target, "base": e.base,
                     "size": e.size, "offset": e.offset, "irqs": dict(e.irqs),
                     "secure_only": e.secure_only} for e in c.map]}
            for c in spec.cores.values()},
        "pins": {"count": spec.pins.count, "aliases": dict(spec.pins.aliases)},
        "devices": {d.name: {"type": d.type, **d.pins, **d.written}
                    for d in spec.devices.values()},
    }
