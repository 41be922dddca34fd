"""``sphere-emu device``: create and inspect emulated devices."""

import json

import click

from ..errors import SphereEmuError
from .image import U32


@click.group(name="device")
def command() -> None:
    """Create and inspect emulated devices (identity, eFuses, trust, flash)."""


@command.command(name="create")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--root-cert", type=click.Path(),
              help="Root-of-trust certificate (default: the bundled development CA).")
@click.option("--capability", "capabilities", multiple=True, metavar="NAME",
              help="Capability to burn (repeatable). Default: app-development.")
@click.option("--no-capabilities", is_flag=True, help="Burn no capabilities at all.")
@click.option("--rollback-fuse", type=U32(), default=0,
              help="Initial rollback fuse (bit N revokes security version N).")
@click.option("--force", is_flag=True, help="Replace a device already in DIRECTORY.")
def create(directory, root_cert, capabilities, no_capabilities, rollback_fuse, force) -> None:
    """Make a new device with a fresh secret (hence a fresh identity)."""
    from ..device import Capability, Device
    from ..files import read_file

    if no_capabilities and capabilities:
        raise SphereEmuError("give --capability or --no-capabilities, not both")
    caps = [] if no_capabilities else list(capabilities) or [Capability.APP_DEVELOPMENT]
    device = Device.create(directory, root_certificate=read_file(root_cert, "certificate")
                           if root_cert else None, capabilities=caps, rollback=rollback_fuse,
                           force=force)
    click.echo(f"{directory}: device {device.device_id.hex()[:16]}...")


@command.command(name="show")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def show(directory, as_json) -> None:
    """Print a device's identity, eFuses, trusted signers and flash contents."""
    from ..device import Device

    s = Device.open(directory).summary()
    if as_json:
        click.echo(json.dumps(s, indent=2))
        return
    fuses = s["efuses"]
    root = s["root_certificate"]
    if root is None:
        root_text = "missing"
    else:
        root_text = root["subject"] + ("" if root["matches_fuse"]
                                       else "  (DOES NOT MATCH THE FUSE)")
    lines = [f"device {s['path']}", f"  device ID:        {s['device_id']}",
             f"  root key hash:    {fuses['root_key_hash']}",
             f"  root certificate: {root_text}",
             f"  rollback fuse:    {fuses['rollback_fuse']:#010x}",
             f"  capabilities:     {', '.join(fuses['capabilities']) or 'none'}",
             "  trusted signers:"]
    lines += [f"    {t['thumbprint']}  {t['subject']}  ("
              + ("all image types" if t["image_types"] == "all" else "applications only") + ")"
              for t in s["trusted_signers"]] or ["    none"]
    lines += [f"    {u['thumbprint']}  not trusted: {u['why']}"
              for u in s["untrusted_certificates"]]
    lines.append("  flash:")
    lines += [f"    {slot:<32} {size} bytes" for slot, size in s["flash"].items()] or \
        ["    empty"]
    lines.append("  mutable storage:")
    lines += [f"    {cid:<40} {size} bytes" for cid, size in s["storage"].items()] or \
        ["    none"]
    click.echo("\n".join(lines))


@command.command(name="trust")
@click.argument("directory", type=click.Path(file_okay=False))
@click.argument("certificate", type=click.Path())
def trust(directory, certificate) -> None:
    """Add a signing certificate to a device's trust store."""
    from ..device import Device
    from ..files import read_file

    device = Device.open(directory)
    path = device.trust(read_file(certificate, "certificate"), certificate)
    thumb = path.name.split(".")[0]
    signer = device.trust_store().lookup(bytes.fromhex(thumb))
    scope = ("every image type" if signer and signer.image_types is None
             else "applications" if signer else
             "nothing until app-development is enabled")
    click.echo(f"{directory}: trusts {thumb} for {scope}")


@command.command(name="install")
@click.argument("directory", type=click.Path(file_okay=False))
@click.argument("package", type=click.Path())
@click.option("--slot", help="Flash slot (default: from the image type, e.g. security-monitor).")
@click.option("--unverified", is_flag=True,
              help="Install even if the device would refuse it (to test boot refusals).")
def install(directory, package, slot, unverified) -> None:
    """Write an image package into a device's flash."""
    from ..device import Device
    from ..files import read_file
    from ..image.errors import ImageError

    device = Device.open(directory)
    try:
        slot = device.install(read_file(package, "image package"), slot, verify=not unverified)
    except ImageError as err:
        raise ImageError(err.reason, f"{package}: {err}") from None
    click.echo(f"{directory}: installed {package} in flash slot {slot}")


@command.command(name="attest")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--board", type=click.Path(),
              help="Board to boot on (default: the bundled mt3620-rdb.yaml and its OS).")
@click.option("--nonce", metavar="HEX", help="32-byte nonce, as 64 hex digits (default: random).")
@click.option("--time", "duration", default="200ms", show_default=True, metavar="DURATION",
              help="Virtual time the device runs before it is asked for the quote.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def attest(directory, board, nonce, duration, as_json) -> None:
    """Boot the device's installed OS and print its measurement log and an attestation
    quote signed by the device identity key (docs/boot-chain.md).

    Exit status 5 if the boot chain refuses an image (the quote is then not given)."""
    import os
    import sys

    from ..assembly import build
    from ..board import load_board
    from ..bundled import DEFAULT_BOARD
    from ..device import Device
    from ..runner import Outcome, run_boot
    from ..units import parse_duration_ns

    if nonce is None:
        nonce_bytes = os.urandom(32)
    else:
        try:
            nonce_bytes = bytes.fromhex(nonce)
        except ValueError:
            nonce_bytes = b""
        if len(nonce_bytes) != 32:
            raise SphereEmuError("--nonce must be 64 hex digits (32 bytes)")
    device = Device.open(directory)
    chain = build(load_board(board or DEFAULT_BOARD), device)
    report = run_boot(chain, parse_duration_ns(duration))
    if report.outcome is Outcome.REFUSED:
        click.echo(report.refusal, err=True)
        sys.exit(Outcome.REFUSED.exit_code)
    pluton = chain.pluton
    quote = pluton.quote(nonce_bytes)
    doc = {"device_id": device.device_id.hex(),
           "identity_public_key": device.identity_public_key.hex(),
           "nonce": nonce_bytes.hex(),
           "measurements": [m.hex() for m in pluton.measurements],
           "events": [{"index": e.index, "digest": e.digest.hex(), "description": e.description}
                      for e in pluton.events],
           "quote": quote.hex()}
    if as_json:
        click.echo(json.dumps(doc, indent=2))
        return
    lines = [f"device {directory}", f"  device ID: {doc['device_id']}", "  measurement log:"]
    lines += [f"    [{e['index']}] {e['digest']}  {e['description']}" for e in doc["events"]]
    lines.append("  measurements:")
    lines += [f"    m{i} = {m}" for i, m in enumerate(doc["measurements"])]
    lines += [f"  nonce: {doc['nonce']}", f"  quote: {doc['quote']}",
              "  (verify with the device identity public key, X||Y: "
              f"{doc['identity_public_key']})"]
    click.echo("\n".join(lines))
