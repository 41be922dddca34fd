"""Hardware definitions: the JSON files that name a chip's, a board's or an application's
peripherals, as the Azure Sphere SDK uses them (docs/sdk.md, "Hardware definitions").

A definition lists ``Peripherals``; each has a ``Name`` and a ``Type`` and either the chip's
own values (``AppManifestValue`` for app_manifest.json, ``MainCoreHeaderValue`` for C code) or
a ``Mapping`` to a peripheral of a definition it ``Imports``. Imports are found beside the
importing file, then in the directories the build names, then in the kit's own
``HardwareDefinitions`` directory, so an application's definition can import a board's that
imports the chip's. This module loads such a chain, resolves ``$NAME`` entries of a
manifest's capabilities to the chip's values (what the packer puts into the package), and
writes the C header an app includes (``#define NAME value``).
"""

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SphereEmuError
from ..files import read_text

KIT_DEFINITIONS = Path(__file__).resolve().parent / "HardwareDefinitions"
METADATA_TYPE = "Azure Sphere Hardware Definition"
MAX_IMPORT_DEPTH = 16  # far deeper than chip <- module <- board <- application
# Manifest capabilities whose entries may be "$NAME", and the peripheral Type each needs.
PERIPHERAL_CAPABILITIES = ("Gpio", "Uart", "I2cMaster", "SpiMaster", "Pwm", "Adc",
                           "I2sSubordinate")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class HardwareDefinitionError(SphereEmuError):
    """A hardware definition is missing, malformed, or does not define what is asked."""


@dataclass(frozen=True)
class Peripheral:
    name: str
    type: str
    comment: str | None = None
    mapping: str | None = None  # a peripheral of this definition or of its imports
    manifest_value: int | str | None = None  # AppManifestValue
    header_value: str | None = None  # MainCoreHeaderValue


@dataclass(frozen=True)
class HardwareDefinition:
    path: Path
    name: str
    top_content: tuple[str, ...]
    import_paths: tuple[str, ...]  # as written in the file
    peripherals: tuple[Peripheral, ...]
    imports: tuple["HardwareDefinition", ...] = field(default=(), repr=False)

    def find(self, name: str) -> "tuple[Peripheral, HardwareDefinition] | None":
        """The peripheral called ``name`` here or in an import (own names first)."""
        for peripheral in self.peripherals:
            if peripheral.name == name:
                return peripheral, self
        for imported in self.imports:
            found = imported.find(name)
            if found:
                return found
        return None

    def resolve(self, name: str) -> Peripheral:
        """The chip-level peripheral ``name`` stands for, following Mappings."""
        found = self.find(name)
        if found is None:
            raise HardwareDefinitionError(
                f"{self.path}: {name} is not defined here or in its imports")
        seen = [name]
        peripheral, where = found
        while peripheral.mapping is not None:
            target = where.find(peripheral.mapping)
            if target is None:
                raise HardwareDefinitionError(
                    f"{where.path}: {peripheral.name}: Mapping {peripheral.mapping} is not "
                    f"defined there or in its imports")
            mapped, mapped_where = target
            if mapped.type != peripheral.type:
                raise HardwareDefinitionError(
                    f"{where.path}: {peripheral.name}: Type {peripheral.type}, but its "
                    f"Mapping {mapped.name} is {mapped.type}")
            if mapped.name in seen:
                raise HardwareDefinitionError(
                    f"{where.path}: Mapping loop: {' -> '.join([*seen, mapped.name])}")
            seen.append(mapped.name)
            peripheral, where = mapped, mapped_where
        return peripheral


def _fail(path: Path, where: str, why: str) -> HardwareDefinitionError:
    return HardwareDefinitionError(f"{path}: {where}: {why}" if where else f"{path}: {why}")


def _text(path: Path, where: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise _fail(path, where, "must be a non-empty string")
    return value


def _peripheral(path: Path, index: int, entry: Any) -> Peripheral:
    where = f"Peripherals[{index}]"
    if not isinstance(entry, dict):
        raise _fail(path, where, "must be an object")
    name = _text(path, f"{where}.Name", entry.get("Name"))
    if not _IDENTIFIER.fullmatch(name):
        raise _fail(path, f"{where}.Name", f"{name!r} is not a C identifier")
    where = f"Peripherals[{index}] ({name})"
    kind = _text(path, f"{where}.Type", entry.get("Type"))
    comment = entry.get("Comment")
    if comment is not None and not isinstance(comment, str):
        raise _fail(path, f"{where}.Comment", "must be a string")
    if any(isinstance(v, str) and ("\n" in v or "\r" in v)
           for v in (comment, entry.get("MainCoreHeaderValue"))):
        raise _fail(path, where, "a Comment or MainCoreHeaderValue must be one line")
    mapping = entry.get("Mapping")
    value = entry.get("AppManifestValue")
    header = entry.get("MainCoreHeaderValue")
    if mapping is not None:
        if value is not None or header is not None:
            raise _fail(path, where, "has a Mapping and its own values: give one or the other")
        if not isinstance(mapping, str) or not _IDENTIFIER.fullmatch(mapping):
            raise _fail(path, f"{where}.Mapping", "must name a peripheral")
    else:
        if header is None:
            raise _fail(path, where, "needs a Mapping or a MainCoreHeaderValue")
        _text(path, f"{where}.MainCoreHeaderValue", header)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | str)):
            raise _fail(path, f"{where}.AppManifestValue", "must be a number or a string")
    return Peripheral(name, kind, comment, mapping, value, header)


def parse(path: Path, text: str) -> HardwareDefinition:
    """One definition file, checked, without its imports loaded."""
    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        for key in keys:
            if keys.count(key) > 1:
                raise _fail(path, key, "listed twice in one JSON object")
        return dict(pairs)

    try:
        doc = json.loads(text.removeprefix("\ufeff"), object_pairs_hook=unique)
    except (json.JSONDecodeError, RecursionError) as err:
        raise _fail(path, "", f"not valid JSON ({err})") from None
    if not isinstance(doc, dict):
        raise _fail(path, "", "must be a JSON object")
    meta = doc.get("Metadata")
    if not isinstance(meta, dict) or meta.get("Type") != METADATA_TYPE:
        raise _fail(path, "Metadata.Type", f'must be "{METADATA_TYPE}"')
    if meta.get("Version") != 1:
        raise _fail(path, "Metadata.Version", "must be 1")
    description = doc.get("Description", {})
    if not isinstance(description, dict):
        raise _fail(path, "Description", "must be an object")
    top = description.get("MainCoreHeaderFileTopContent", [])
    if not isinstance(top, list) or not all(isinstance(line, str) for line in top):
        raise _fail(path, "Description.MainCoreHeaderFileTopContent",
                    "must be a list of strings")
    imports = doc.get("Imports", [])
    if not isinstance(imports, list):
        raise _fail(path, "Imports", "must be a list")
    import_paths = []
    for i, entry in enumerate(imports):
        if not isinstance(entry, dict):
            raise _fail(path, f"Imports[{i}]", 'must be an object like {"Path": "mt3620.json"}')
        import_paths.append(_text(path, f"Imports[{i}].Path", entry.get("Path")))
    peripherals = doc.get("Peripherals", [])
    if not isinstance(peripherals, list):
        raise _fail(path, "Peripherals", "must be a list")
    parsed = tuple(_peripheral(path, i, entry) for i, entry in enumerate(peripherals))
    names = [p.name for p in parsed]
    for name in names:
        if names.count(name) > 1:
            raise _fail(path, "Peripherals", f"{name} is defined twice")
    name = description.get("Name", path.stem)
    return HardwareDefinition(path, name if isinstance(name, str) else path.stem, tuple(top),
                              tuple(import_paths), parsed)


def _find_import(importer: Path, wanted: str, search: tuple[Path, ...]) -> Path:
    for directory in (importer.parent, *search, KIT_DEFINITIONS):
        candidate = directory / wanted
        if candidate.is_file():
            return candidate
    places = ", ".join(str(d) for d in (importer.parent, *search, KIT_DEFINITIONS))
    raise HardwareDefinitionError(f"{importer}: Imports {wanted}: not found (looked in {places})")


def load(path: str | Path, search: tuple[Path, ...] = (),
         _chain: tuple[Path, ...] = ()) -> HardwareDefinition:
    """The definition at ``path`` with its imports, found beside each importing file, then in
    ``search``, then in the kit's HardwareDefinitions directory."""
    path = Path(path)
    if len(_chain) > MAX_IMPORT_DEPTH:
        raise HardwareDefinitionError(f"{path}: imports nested deeper than {MAX_IMPORT_DEPTH}")
    key = path.resolve()
    if key in _chain:
        raise HardwareDefinitionError(
            f"{path}: imports itself ({' -> '.join(p.name for p in (*_chain, key))})")
    definition = parse(path, read_text(path, "hardware definition"))
    imports = tuple(load(_find_import(path, wanted, search), search, (*_chain, key))
                    for wanted in definition.import_paths)
    loaded = HardwareDefinition(definition.path, definition.name, definition.top_content,
                                definition.import_paths, definition.peripherals, imports)
    for peripheral in loaded.peripherals:  # every Mapping must lead to the chip
        if peripheral.mapping is not None:
            loaded.resolve(peripheral.name)
    return loaded


def find_definition(name: str, directories: tuple[Path, ...]) -> Path:
    """The TARGET_DEFINITION file ``name`` in the first of ``directories`` (then the kit's
    HardwareDefinitions) holding it."""
    for directory in (*directories, KIT_DEFINITIONS):
        if (directory / name).is_file():
            return directory / name
    where = ", ".join(str(d) for d in (*directories, KIT_DEFINITIONS))
    raise HardwareDefinitionError(f"hardware definition {name}: not found in {where}")


def resolve_capabilities(doc: dict[str, Any], definition: HardwareDefinition) -> bool:
    """Replace every ``"$NAME"`` peripheral entry of ``doc["Capabilities"]`` by the chip's
    AppManifestValue; True if anything changed."""
    capabilities = doc.get("Capabilities")
    if not isinstance(capabilities, dict):
        return False
    changed = False
    for key in PERIPHERAL_CAPABILITIES:
        entries = capabilities.get(key)
        if not isinstance(entries, list):
            continue
        for i, entry in enumerate(entries):
            if not (isinstance(entry, str) and entry.startswith("$")):
                continue
            where = f"app_manifest.json: Capabilities.{key}[{i}]"
            found = definition.find(entry[1:])
            if found is None:
                raise HardwareDefinitionError(
                    f"{where}: {entry} is not defined in {definition.path.name} or its imports")
            if found[0].type != key:
                raise HardwareDefinitionError(
                    f"{where}: {entry} is {found[0].type}, not {key}")
            chip = definition.resolve(entry[1:])
            if chip.manifest_value is None:
                raise HardwareDefinitionError(
                    f"{where}: {entry} ({chip.name}) has no AppManifestValue")
            entries[i] = chip.manifest_value
            changed = True
    return changed


def resolve_manifest(data: bytes, definition: HardwareDefinition) -> bytes:
    """app_manifest.json with its ``$NAME`` entries resolved. Text the packer must refuse
    anyway (not JSON, duplicate keys) is returned unchanged, for its own error."""
    def strict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({key for key, _ in pairs}) != len(pairs):
            raise ValueError("duplicate key")
        return dict(pairs)

    try:
        doc = json.loads(data.decode().removeprefix("\ufeff"), object_pairs_hook=strict)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return data
    if not isinstance(doc, dict) or not resolve_capabilities(doc, definition):
        return data
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()


def header_path(json_path: Path) -> Path:
    """Where the SDK keeps a definition's header: ``inc/hw/NAME.h`` beside the JSON."""
    return json_path.parent / "inc" / "hw" / f"{json_path.stem}.h"


def generate_header(definition: HardwareDefinition, out: Path) -> str:
    """The C header for ``definition``, to be written at ``out``: its top content, a line
    naming the JSON it came from, an include per import and a commented ``#define`` per
    peripheral (the Mapping's name, or the chip's MainCoreHeaderValue)."""
    source = os.path.relpath(definition.path.resolve(), out.resolve().parent)
    lines = list(definition.top_content)
    if lines:
        lines.append("")
    lines += [f"// This file is autogenerated from {Path(source).as_posix()}.  "
              "Do not edit it directly.", "", "#pragma once"]
    lines += [f'#include "{Path(p).stem}.h"' for p in definition.import_paths]
    lines.append("")
    for peripheral in definition.peripherals:
        if peripheral.comment:
            lines.append(f"// {peripheral.comment}")
        value = peripheral.mapping if peripheral.mapping is not None else peripheral.header_value
        lines += [f"#define {peripheral.name} {value}", ""]
    return "\n".join(lines) + "\n"
