"""Making signed packages: applications (ASXipFS + manifest) and OS components.

Packing is reproducible: the same inputs, key and build time give the same bytes. The image
ID, which the SDK draws at random, is derived from the content instead (unless given), and
the build time is an input, never the clock.
"""

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from .asxipfs import EXECUTABLE_MODE, FILE_MODE, FsFile, build_asxipfs
from .compression import compress_package
from .errors import ImageError, Reason
from .manifest import NAME_BYTES, AppManifest, parse_manifest
from .metadata import (
    AbiDepends,
    AbiProvides,
    AbiType,
    AbiVersion,
    Debug,
    Identity,
    ImagePolicy,
    ImageType,
    RequiredFlashOffset,
    Revocation,
    SectionValue,
    TemporaryImage,
)
from .package import PackageSigner, build_package

MANIFEST_PATH = "/app_manifest.json"
# Component IDs of OS images are derived from this namespace and the type name, so every
# build of, say, the Security Monitor carries the same one without anyone choosing it.
OS_COMPONENT_NAMESPACE = UUID("6d1f2b58-3c4a-4f0e-9b7d-5e2a8c1f0d43")

# Names for --type: the image type in kebab case, plus short aliases.
TYPE_ALIASES = {"kernel": ImageType.NORMAL_WORLD_KERNEL, "loader": ImageType.NORMAL_WORLD_LOADER,
                "dtb": ImageType.NORMAL_WORLD_DTB, "rootfs": ImageType.ROOT_FS}


def type_label(image_type: ImageType) -> str:
    return image_type.name.lower().replace("_", "-")


OS_TYPES = {type_label(t): t for t in ImageType
            if t not in (ImageType.INVALID, ImageType.APPLICATIONS)} | TYPE_ALIASES


def image_type_from_label(label: str) -> ImageType:
    try:
        return OS_TYPES[label]
    except KeyError:
        raise ImageError(Reason.UNSUPPORTED, f"unknown image type {label!r} (known: "
                                             f"{', '.join(sorted(OS_TYPES))})") from None


@dataclass(frozen=True)
class PackOptions:
    """What every package can carry besides its payload."""

    build_time: int = 0  # Unix seconds for the Debug section
    image_id: UUID | None = None  # default: derived from the content
    security_version: int | None = None  # adds a Revocation section
    temporary_flags: int = 0  # adds a TemporaryImage section when nonzero
    compress: bool = False  # wrap the signed package in an LZMA-compressed one


def derived_id(*parts: bytes) -> UUID:
    digest = hashlib.sha256(b"sphere-emu image id\0" + b"\0".join(parts)).digest()
    return UUID(bytes=digest[:16], version=4)


def debug_name(name: str) -> str:
    """The first NAME_BYTES bytes of ``name``, cut on a character boundary."""
    raw = name.encode()[:NAME_BYTES]
    return raw.decode("utf-8", "ignore")


def _common(options: PackOptions) -> list[SectionValue]:
    sections: list[SectionValue] = []
    if options.temporary_flags:
        sections.append(TemporaryImage(options.temporary_flags))
    if options.security_version is not None:
        sections.append(Revocation(options.security_version))
    return sections


def _finish(payload: bytes, sections: list[SectionValue], signer: PackageSigner,
            options: PackOptions) -> bytes:
    package = build_package(payload, sections, signer)
    return compress_package(package, signer) if options.compress else package


def check_rt_executable(data: bytes, where: str) -> None:
    """A real-time app's EntryPoint must be a 32-bit little-endian ARM ELF executable."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    if not data.startswith(b"\x7fELF"):
        raise ImageError(Reason.UNSUPPORTED, f"{where}: a RealTimeCapable app's executable "
                                             f"must be an ELF file")
    try:
        elf = ELFFile(io.BytesIO(data))
        ok = (elf.elfclass == 32 and elf.little_endian and elf["e_machine"] == "EM_ARM"
              and elf["e_type"] == "ET_EXEC")
        loadable = any(seg["p_type"] == "PT_LOAD" for seg in elf.iter_segments())
    except (ELFError, ValueError, KeyError, OSError) as err:
        raise ImageError(Reason.UNSUPPORTED, f"{where}: not a valid ELF file ({err})") from None
    if not ok:
        raise ImageError(Reason.UNSUPPORTED, f"{where}: not a 32-bit little-endian ARM "
                                             f"executable ELF")
    if not loadable:
        raise ImageError(Reason.UNSUPPORTED, f"{where}: ELF has no loadable segments")


def pack_application(manifest_json: bytes, executable: bytes, signer: PackageSigner, *,
                     files: Sequence[tuple[str, bytes]] = (),
                     options: PackOptions = PackOptions()) -> bytes:
    """An application package: ASXipFS with the manifest, the EntryPoint and ``files``."""
    manifest = parse_manifest(manifest_json)
    if manifest.real_time:
        check_rt_executable(executable, f"EntryPoint {manifest.entry_point}")
    taken = {MANIFEST_PATH, manifest.entry_point}
    entries = [FsFile(MANIFEST_PATH, manifest_json, FILE_MODE),
               FsFile(manifest.entry_point, executable, EXECUTABLE_MODE)]
    for dest, data in files:
        path = "/" + dest.strip("/")
        if path in taken:
            raise ImageError(Reason.MALFORMED, f"--file {dest}: {path} is already in the package")
        taken.add(path)
        entries.append(FsFile(path, data, FILE_MODE))
    payload = build_asxipfs(entries)
    return _finish(payload, application_sections(manifest, payload, options), signer, options)


def application_sections(manifest: AppManifest, payload: bytes,
                         options: PackOptions) -> list[SectionValue]:
    image_id = options.image_id or derived_id(manifest.component_id.bytes, payload)
    sections: list[SectionValue] = [
        Identity(ImageType.APPLICATIONS, manifest.component_id, image_id),
        Debug(options.build_time, debug_name(manifest.name)),
        *_common(options),
    ]
    if manifest.target_runtime_version is not None:
        sections.append(AbiDepends((AbiVersion(manifest.target_runtime_version,
                                               AbiType.APPLICATION_RUNTIME),)))
    return sections


def pack_os_component(payload: bytes, image_type: int, signer: PackageSigner, *,
                      component_id: UUID | None = None, name: str | None = None,
                      provides: Sequence[AbiVersion] = (), depends: Sequence[AbiVersion] = (),
                      flash_offset: int | None = None, policy: int | None = None,
                      options: PackOptions = PackOptions()) -> bytes:
    """A raw binary (Security Monitor, kernel, ...) as a signed package of ``image_type``."""
    if image_type in (ImageType.INVALID, ImageType.APPLICATIONS):
        raise ImageError(Reason.UNSUPPORTED, "an OS component cannot be of type "
                                             f"{ImageType(image_type).name}")
    try:
        label = type_label(ImageType(image_type))
    except ValueError:
        label = f"type-{image_type}"
    component_id = component_id or UUID(bytes=hashlib.sha256(
        OS_COMPONENT_NAMESPACE.bytes + label.encode()).digest()[:16], version=4)
    image_id = options.image_id or derived_id(component_id.bytes, payload)
    sections: list[SectionValue] = [
        Identity(image_type, component_id, image_id),
        Debug(options.build_time, debug_name(name or label)),
        *_common(options),
    ]
    if provides:
        sections.append(AbiProvides(tuple(provides)))
    if depends:
        sections.append(AbiDepends(tuple(depends)))
    if flash_offset is not None:
        sections.append(RequiredFlashOffset(flash_offset))
    if policy is not None:
        sections.append(ImagePolicy(policy))
    return _finish(payload, sections, signer, options)
