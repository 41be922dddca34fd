"""``sphere-emu image``: pack, sign, show and verify Azure Sphere image packages.

Image code is imported inside each command: ``cryptography`` and ``construct`` cost start-up
time that ``sphere-emu run`` should not pay just because this group exists.
"""

import json
import time
from pathlib import Path

import click

from ..errors import SphereEmuError


class U32(click.ParamType):
    """A 32-bit unsigned number, in decimal or with a 0x/0b/0o prefix."""

    name = "u32"

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201 - click's signature
        if isinstance(value, int):
            return value
        try:
            number = int(value, 0)
        except ValueError:
            self.fail(f"{value!r} is not a number", param, ctx)
        if not 0 <= number <= 0xFFFFFFFF:
            self.fail(f"{value!r} is not a 32-bit unsigned value", param, ctx)
        return number


def _build_time(value: str) -> int:
    if value == "now":
        return int(time.time())
    try:
        seconds = int(value, 0)
    except ValueError:
        raise SphereEmuError(f"--build-time {value!r}: give Unix seconds or 'now'") from None
    if not 0 <= seconds < 1 << 64:
        raise SphereEmuError(f"--build-time {value!r}: out of range")
    return seconds


def _signer(key: str, cert: str | None):  # noqa: ANN202 - a trust.keys.Signer
    from ..trust.keys import development_signer, load_signer

    if key == "development":
        return development_signer()
    return load_signer(key, cert)


def _write_output(path: str, data: bytes) -> None:
    from ..trust.files import write_file

    write_file(path, data, force=True)  # a build output, rebuilt at will


def _options(build_time: str, security_version: int | None, under_development: bool,
             compress: bool, image_id: str | None):  # noqa: ANN202 - a pack.PackOptions
    from uuid import UUID

    from ..image.metadata import TEMPORARY_FLAGS
    from ..image.pack import PackOptions

    try:
        uid = UUID(image_id) if image_id else None
    except ValueError:
        raise SphereEmuError(f"--image-id {image_id!r}: not a GUID") from None
    under = next(bit for bit, name in TEMPORARY_FLAGS.items() if name == "UnderDevelopment")
    return PackOptions(build_time=_build_time(build_time), image_id=uid,
                       security_version=security_version,
                       temporary_flags=under if under_development else 0, compress=compress)


def _read(path: str, what: str) -> bytes:
    from ..files import read_file

    return read_file(path, what)


_common_options = [
    click.option("--key", required=True, metavar="KEY.key.pem|development",
                 help="Signing key (its NAME.cert.pem beside it), or 'development' for the "
                      "bundled development key."),
    click.option("--cert", type=click.Path(), help="Certificate of --key, if "
                 "it is not beside the key."),
    click.option("--destination", "-o", required=True, type=click.Path(dir_okay=False),
                 help="Where to write the .imagepackage."),
    click.option("--build-time", default="0", show_default=True, metavar="SECONDS|now",
                 help="Build time recorded in the Debug section (fixed for reproducible "
                      "builds)."),
    click.option("--security-version", type=U32(),
                 help="Add a Revocation section with this security version."),
    click.option("--under-development", is_flag=True,
                 help="Add a TemporaryImage section flagged UnderDevelopment."),
    click.option("--compress", is_flag=True, help="Wrap the package in an LZMA-compressed "
                 "one (signed with the same key)."),
    click.option("--image-id", metavar="GUID", help="Image ID (default: derived from the "
                 "content)."),
]


def _with_common(f):  # noqa: ANN001, ANN202
    for option in reversed(_common_options):
        f = option(f)
    return f


@click.group(name="image")
def command() -> None:
    """Pack, sign, show and verify image packages."""


@command.command(name="pack-application")
@click.option("--manifest", required=True, type=click.Path(),
              help="The app_manifest.json.")
@click.option("--executable", required=True, type=click.Path(),
              help="The file the manifest's EntryPoint names (an ELF for real-time apps).")
@click.option("--file", "files", multiple=True, metavar="SRC:DEST",
              help="Another file to include, at DEST inside the package (repeatable).")
@click.option("--hardware-definitions", "hwdef_dirs", multiple=True, metavar="DIR",
              type=click.Path(file_okay=False),
              help="Directory holding --target-definition and the definitions it imports "
                   "(repeatable; the kit's HardwareDefinitions is searched last).")
@click.option("--target-definition", metavar="NAME.json",
              help="Hardware definition whose names resolve the manifest's \"$NAME\" "
                   "peripherals (e.g. sample_appliance.json).")
@_with_common
def pack_application(manifest, executable, files, hwdef_dirs, target_definition, key, cert,
                     destination, build_time, security_version, under_development, compress,
                     image_id) -> None:
    """Pack a high-level or real-time application into a signed image package."""
    from ..image.pack import pack_application as pack

    extra = []
    for spec in files:
        src, sep, dest = spec.rpartition(":")
        if not sep or not src or not dest:
            raise SphereEmuError(f"--file {spec!r}: expected SRC:DEST")
        extra.append((dest, _read(src, "file")))
    from ..image.errors import ManifestError

    manifest_data = _read(manifest, "manifest")
    if target_definition:
        from ..sdk import hwdef

        dirs = tuple(Path(d) for d in hwdef_dirs)
        definition = hwdef.load(hwdef.find_definition(target_definition, dirs), dirs)
        try:
            manifest_data = hwdef.resolve_manifest(manifest_data, definition)
        except hwdef.HardwareDefinitionError as err:
            raise hwdef.HardwareDefinitionError(
                f"{manifest}: {str(err).removeprefix('app_manifest.json: ')}") from None
    elif hwdef_dirs:
        raise SphereEmuError("--hardware-definitions needs --target-definition")
    try:
        data = pack(manifest_data, _read(executable, "executable"),
                    _signer(key, cert), files=extra,
                    options=_options(build_time, security_version, under_development, compress,
                                     image_id))
    except ManifestError as err:  # name the file the user gave, not the name inside packages
        raise ManifestError(f"{manifest}: {str(err).removeprefix('app_manifest.json: ')}"
                            ) from None
    _write_output(destination, data)
    click.echo(f"{destination}: {len(data)} bytes")


@command.command(name="pack-os-component")
@click.argument("binary", type=click.Path())
@click.option("--type", "type_label", required=True, metavar="TYPE",
              help="Image type: security-monitor, kernel (normal-world-kernel), loader, dtb, "
                   "rootfs, pluton-runtime, ... (any image type in kebab case).")
@click.option("--component-id", metavar="GUID",
              help="Component ID (default: a fixed ID derived from the type).")
@click.option("--name", help="Name for the Debug section (default: the type).")
@click.option("--provides", multiple=True, metavar="VERSION:ABI",
              help="ABIProvides entry, ABI one of secure-world-runtime, os-runtime, "
                   "application-runtime (repeatable).")
@click.option("--depends", multiple=True, metavar="VERSION:ABI", help="ABIDepends entry.")
@click.option("--flash-offset", type=U32(),
              help="Add a RequiredFlashOffset section.")
@_with_common
def pack_os_component(binary, type_label, component_id, name, provides, depends, flash_offset,
                      key, cert, destination, build_time, security_version, under_development,
                      compress, image_id) -> None:
    """Pack a raw binary (Security Monitor, kernel, ...) into a signed image package."""
    from uuid import UUID

    from ..image.pack import image_type_from_label
    from ..image.pack import pack_os_component as pack

    try:
        cid = UUID(component_id) if component_id else None
    except ValueError:
        raise SphereEmuError(f"--component-id {component_id!r}: not a GUID") from None
    data = pack(_read(binary, "binary"), image_type_from_label(type_label), _signer(key, cert),
                component_id=cid, name=name, provides=[_abi(p, "--provides") for p in provides],
                depends=[_abi(d, "--depends") for d in depends], flash_offset=flash_offset,
                options=_options(build_time, security_version, under_development, compress,
                                 image_id))
    _write_output(destination, data)
    click.echo(f"{destination}: {len(data)} bytes")


def _abi(spec: str, option: str):  # noqa: ANN202 - a metadata.AbiVersion
    from ..image.metadata import AbiType, AbiVersion

    version, sep, abi = spec.partition(":")
    names = {t.name.lower().replace("_", "-"): t for t in AbiType}
    try:
        return AbiVersion(int(version, 0), names[abi])
    except (ValueError, KeyError):
        raise SphereEmuError(f"{option} {spec!r}: expected VERSION:ABI with ABI one of "
                             f"{', '.join(names)}") from None


@command.command(name="show")
@click.argument("package", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def show(package, as_json) -> None:
    """Decode every section of PACKAGE (and its files, for an application)."""
    from ..image.errors import ImageError
    from ..image.show import describe

    try:
        block = describe(_read(package, "image package"), package)
    except ImageError as err:
        raise ImageError(err.reason, f"{package}: {err}") from None
    if as_json:
        click.echo(json.dumps(block.to_json(), indent=2, default=str))
    else:
        click.echo("\n".join(block.lines()))


@command.command(name="verify")
@click.argument("package", type=click.Path())
@click.option("--trust", "trusted", multiple=True, type=click.Path(),
              metavar="CERT", help="Trust this certificate (repeatable). Default: the "
                                   "bundled development CA and signing key.")
@click.option("--device", type=click.Path(file_okay=False),
              help="Verify as this emulated device would: its trust store and rollback fuse.")
@click.option("--rollback-fuse", type=U32(), default=None,
              help="Rollback fuse value to check the security version against (default: 0, "
                   "or the device's).")
@click.option("--type", "type_label", metavar="TYPE",
              help="Also require this image type (e.g. security-monitor, applications).")
def verify(package, trusted, device, rollback_fuse, type_label) -> None:
    """Check PACKAGE's layout, signer and signature; exit 0 only if all hold."""
    from ..image.errors import ImageError
    from ..image.metadata import ImageType, image_type_name
    from ..image.pack import image_type_from_label
    from ..trust.keys import load_certificate
    from ..trust.store import TrustStore

    if device and trusted:
        raise SphereEmuError("give --device or --trust, not both")
    fuse = rollback_fuse or 0
    if device:
        from ..device import Device

        dev = Device.open(device)
        store = dev.trust_store()
        fuse = dev.efuses.rollback if rollback_fuse is None else rollback_fuse
    elif trusted:
        store = TrustStore.of(load_certificate(c) for c in trusted)
    else:
        store = TrustStore.development()
    expected = None
    if type_label:
        expected = (ImageType.APPLICATIONS if type_label in ("applications", "application")
                    else image_type_from_label(type_label))
    from ..image.verify import verify_package

    try:
        verified = verify_package(_read(package, "image package"), store, fuse,
                                  expected_type=expected)
    except ImageError as err:
        raise ImageError(err.reason, f"{package}: {err}") from None
    debug = verified.package.debug
    click.echo(f"{package}: OK: {image_type_name(verified.image_type)} "
               f"{debug.name if debug else verified.component_id!s}, security version "
               f"{verified.security_version}, signed by {verified.signer.subject} "
               f"({verified.signer.thumbprint.hex()})"
               + (", LZMA-compressed" if verified.outer else ""))
