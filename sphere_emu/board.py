"""Board files: YAML that describes a machine, validated into typed specs.

A board file names memories (host buffers), peripherals (block instances) and cores. Each
block is declared once, placed in every core that sees it with its address and IRQ number
there; a core's own map keeps only what is private to it::

    include: mt3620.yaml          # merged first; this file adds to and overrides it
    memories:
      io0-tcm: {size: 192K}
    peripherals:
      io0-uart: {type: mt3620-uart, at: {io0: 0x21040000}, irqs: {io0: 4}}
      adc: {type: unimplemented, size: 64K, at: {a7: 0x38000000, io0: 0x38000000}}
    cores:
      io0:
        type: cortex-m4f
        frequency: 197.6MHz
        map:
          - {at: 0x00100000, memory: io0-tcm}
          - {at: 0x21000000, size: 4K, unimplemented: io0-cirq}

The result, ``CoreSpec.map``, is each core's whole view (what ``board show`` prints).
The optional ``os`` key names the signed OS images a boot starts from (docs/boot-chain.md);
paths are relative to the board file that gives them, and default to the bundled prebuilt
packages::

    os: {security-monitor: my-sm.imagepackage, kernel: my-kernel.imagepackage}

A peripheral option may name another peripheral (``peer: mbox-a7io0-io0`` pairs the two ends
of a mailbox); a core may be held in reset by a block's reset line (``reset_by:
io-reset.io0``). Mappings merge key by key; a core's ``map`` entries merge by the name they
map. Every error
names the file, the key path and what is wrong, on one line.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .bundled import PREBUILT, find_board
from .devices.spec import DeviceSpec, PinsSpec, parse_devices, parse_pins
from .errors import BoardError, SphereEmuError
from .files import read_text
from .peripherals.registers import PeripheralRef
from .units import parse_frequency_hz, parse_int, parse_size

CORE_TYPES = ("cortex-m4f", "cortex-a7")
# The bundled OS images (firmware/prebuilt/, committed): used when a board has no ``os`` key.
DEFAULT_OS = {"security-monitor": PREBUILT / "security-monitor.imagepackage",
              "kernel": PREBUILT / "kernel.imagepackage"}
RESET_STATES = ("running", "held")
UNIMPLEMENTED = "unimplemented"  # the type of a placeholder block: reads 0, ignores writes
PAGE = 0x1000
# libyaml's parser where PyYAML was built with it: about 6x faster on the SoC file, a
# fifth of a bare run's start-up otherwise. Same documents, same YAMLError marks.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class MemorySpec:
    name: str
    size: int
    readonly: bool = False  # cores cannot write it (flash); loaders still can


@dataclass(frozen=True)
class PeripheralSpec:
    name: str
    type: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MapEntry:
    name: str
    base: int
    size: int
    kind: str  # "memory" | "peripheral" | "unimplemented"
    target: str  # memory or peripheral name; the block name for unimplemented
    offset: int = 0  # into the memory
    irqs: dict[str, int] = field(default_factory=dict)
    secure_only: bool = False

    @property
    def end(self) -> int:
        return self.base + self.size


@dataclass(frozen=True)
class CoreSpec:
    name: str
    type: str
    frequency_hz: int
    reset: str
    irqs: int
    priority_bits: int
    map: tuple[MapEntry, ...]
    reset_by: tuple[str, str] | None = None  # (peripheral, reset line) that holds/releases it


@dataclass(frozen=True)
class OsSpec:
    """The image packages a boot starts from (files; checked when the board boots)."""

    security_monitor: Path = DEFAULT_OS["security-monitor"]
    kernel: Path = DEFAULT_OS["kernel"]


@dataclass(frozen=True)
class BootSpec:
    """What the verified boot chain needs to know about the SoC (docs/boot-chain.md)."""

    core: str | None = None  # the core Pluton's ROM releases
    flash: MapEntry | None = None  # where that core sees the flash the images are laid out in
    secure_ram: MapEntry | None = None  # where the Security Monitor must load
    console: str | None = None  # the UART the ROM and the chain print their messages on


@dataclass(frozen=True)
class BoardSpec:
    name: str
    path: Path
    description: str
    memories: dict[str, MemorySpec]
    peripherals: dict[str, PeripheralSpec]
    cores: dict[str, CoreSpec]
    devices: dict[str, DeviceSpec]
    os: OsSpec = OsSpec()
    pins: PinsSpec = PinsSpec()
    boot: BootSpec = BootSpec()


# --------------------------------------------------------------------------------------
# Loading and merging

Path_ = tuple[str | int, ...]


class _Loader:
    def __init__(self) -> None:
        self.origins: dict[Path_, Path] = {}

    def load(self, path: Path, stack: tuple[Path, ...] = ()) -> dict[str, Any]:
        where = f"{stack[-1]}: include: " if stack else ""
        try:
            path = path.resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
            raise BoardError(f"{where}{path}: cannot resolve the path (symbolic link loop)"
                             ) from None
        if path in stack:
            raise BoardError(f"{stack[-1]}: include: include cycle through {path.name}")
        try:
            text = read_text(path, "board file")
        except SphereEmuError as err:
            raise BoardError(f"{where}{err}") from None
        try:
            data = yaml.load(text, Loader=_YAML_LOADER)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f"{path}:{mark.line + 1}" if mark else str(path)
            problem = getattr(err, "problem", None) or str(err).splitlines()[0]
            raise BoardError(f"{where}: invalid YAML: {problem}") from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise BoardError(f"{path}: top level must be a mapping, not {type(data).__name__}")
        includes = data.pop("include", [])
        if isinstance(includes, str):
            includes = [includes]
        if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
            raise BoardError(f"{path}: include: must be a file name or a list of file names")
        merged: dict[str, Any] = {}
        for inc in includes:
            merged = self._merge(merged, self.load(path.parent / inc, (*stack, path)), (), None)
        return self._merge(merged, data, (), path)

    def _merge(self, base: Any, over: Any, at: Path_, origin: Path | None) -> Any:
        if isinstance(base, dict) and isinstance(over, dict):
            out = dict(base)
            for key, value in over.items():
                out[key] = self._merge(base.get(key), value, (*at, key), origin)
            return out
        if at and at[-1] == "map" and isinstance(base, list) and isinstance(over, list):
            out = list(base)
            index = {_entry_key(e): i for i, e in enumerate(out) if isinstance(e, dict)}
            for entry in over:
                key = _entry_key(entry) if isinstance(entry, dict) else None
                if key is not None and key in index:
                    i = index[key]
                    out[i] = self._merge(out[i], entry, (*at, i), origin)
                else:
                    out.append(entry)
                    self._mark((*at, len(out) - 1), origin)
            return out
        self._mark(at, origin)
        return over

    def _mark(self, at: Path_, origin: Path | None) -> None:
        if origin is not None:
            self.origins[at] = origin


def _entry_key(entry: dict[str, Any]) -> str | None:
    for kind in ("memory", "unimplemented"):
        if isinstance(entry.get(kind), str):
            return entry.get("name", entry[kind])
    return entry.get("name")


# --------------------------------------------------------------------------------------
# Validation


class _Validator:
    def __init__(self, top: Path, origins: dict[Path_, Path]) -> None:
        self.top = top
        self.origins = origins

    def fail(self, at: Path_, message: str) -> BoardError:
        origin = self.top
        for n in range(len(at), -1, -1):
            if at[:n] in self.origins:
                origin = self.origins[at[:n]]
                break
        path = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in at).replace(".[", "[")
        return BoardError(f"{origin}: {path or '(top)'}: {message}")

    def mapping(self, value: Any, at: Path_, allowed: set[str], required: set[str] = frozenset()
                ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(at, f"must be a mapping, not {type(value).__name__}")
        for key in value:
            if key not in allowed:
                raise self.fail((*at, key), f"unknown key (allowed: {', '.join(sorted(allowed))})")
        for key in required:
            if key not in value:
                raise self.fail(at, f"missing required key '{key}'")
        return value

    def number(self, value: Any, at: Path_, parse=parse_int) -> int:
        try:
            return parse(value)
        except ValueError as err:
            raise self.fail(at, str(err)) from None

    def name(self, value: Any, at: Path_) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(at, f"must be a name, not {value!r}")
        return value


# --------------------------------------------------------------------------------------
# The top level: one parser per section, in the order they depend on each other.


@dataclass
class _Parsed:
    """What the sections parsed so far produced (later sections read earlier ones)."""

    memories: dict[str, MemorySpec] = field(default_factory=dict)
    peripherals: dict[str, PeripheralSpec] = field(default_factory=dict)
    placements: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    cores: dict[str, CoreSpec] = field(default_factory=dict)
    pins: PinsSpec = PinsSpec()
    devices: dict[str, DeviceSpec] = field(default_factory=dict)
    os: OsSpec = OsSpec()
    boot: BootSpec = BootSpec()


def _memories(v: _Validator, raw: Any, out: _Parsed) -> None:
    for name, body in v.mapping(raw or {}, ("memories",), set(raw or {})).items():
        at = ("memories", name)
        body = v.mapping(body, at, {"size", "readonly"}, {"size"})
        size = v.number(body["size"], (*at, "size"), parse_size)
        if size <= 0 or size % PAGE:
            raise v.fail((*at, "size"), f"must be a positive multiple of 4K, not {size:#x}")
        readonly = body.get("readonly", False)
        if not isinstance(readonly, bool):
            raise v.fail((*at, "readonly"), "must be true or false")
        out.memories[name] = MemorySpec(name, size, readonly)


PLACEMENT_KEYS = {"at", "irqs", "size", "secure_only"}


def _peripherals(v: _Validator, raw: Any, out: _Parsed) -> None:
    from .peripherals import PERIPHERAL_TYPES

    for name, body in v.mapping(raw or {}, ("peripherals",), set(raw or {})).items():
        at = ("peripherals", name)
        if not isinstance(body, dict):
            raise v.fail(at, "must be a mapping")
        ptype = body.get("type")
        out.placements.append((name, body))
        if ptype == UNIMPLEMENTED:
            v.mapping(body, at, {"type", *PLACEMENT_KEYS}, {"size"})
            continue
        if ptype not in PERIPHERAL_TYPES:
            raise v.fail((*at, "type"), f"unknown peripheral type {ptype!r} (known: "
                         f"{', '.join(sorted(PERIPHERAL_TYPES))}, {UNIMPLEMENTED})")
        cls = PERIPHERAL_TYPES[ptype]
        v.mapping(body, at, {"type", *PLACEMENT_KEYS, *cls.OPTIONS})
        options = {k: v.number(val, (*at, k), cls.OPTIONS[k]) for k, val in body.items()
                   if k in cls.OPTIONS}
        out.peripherals[name] = PeripheralSpec(name, ptype, options)
    for name, pspec in out.peripherals.items():
        for key, value in pspec.options.items():
            if isinstance(value, PeripheralRef) and value not in out.peripherals:
                raise v.fail(("peripherals", name, key), f"no peripheral named {value!r}")


def _cores(v: _Validator, raw: Any, out: _Parsed) -> None:
    from .peripherals import PERIPHERAL_TYPES

    if not isinstance(raw, dict) or not raw:
        raise v.fail(("cores",), "must be a mapping with at least one core")
    private: dict[str, list[tuple[MapEntry, Path_]]] = {}
    attrs: dict[str, dict[str, Any]] = {}
    for cname, body in raw.items():
        at = ("cores", cname)
        body = v.mapping(body, at, {"type", "frequency", "reset", "reset_by", "irqs",
                                    "priority_bits", "map"}, {"type", "frequency"})
        if body["type"] not in CORE_TYPES:
            raise v.fail((*at, "type"), f"unknown core type {body['type']!r} "
                                        f"(known: {', '.join(CORE_TYPES)})")
        reset = body.get("reset", "running")
        if reset not in RESET_STATES:
            raise v.fail((*at, "reset"), f"must be one of {', '.join(RESET_STATES)}")
        attrs[cname] = dict(
            name=cname, type=body["type"],
            frequency_hz=v.number(body["frequency"], (*at, "frequency"), parse_frequency_hz),
            reset=reset, irqs=v.number(body.get("irqs", 0), (*at, "irqs")),
            priority_bits=v.number(body.get("priority_bits", 8), (*at, "priority_bits")),
            reset_by=_reset_by(v, body.get("reset_by"), (*at, "reset_by"), out.peripherals,
                               PERIPHERAL_TYPES))
        private[cname] = _core_map(v, body.get("map", []), (*at, "map"), out.memories)
    for name, body in out.placements:
        for cname, entry, eat in _placements(v, name, body, attrs, out, PERIPHERAL_TYPES):
            private[cname].append((entry, eat))
    for cname, entries in private.items():
        out.cores[cname] = CoreSpec(**attrs[cname], map=_sorted_map(v, entries))


def _pins(v: _Validator, raw: Any, out: _Parsed) -> None:
    out.pins = parse_pins(raw, v.fail)


def _devices(v: _Validator, raw: Any, out: _Parsed) -> None:
    out.devices = parse_devices(raw, out.pins, v.fail)


def _os(v: _Validator, raw: Any, out: _Parsed) -> None:
    out.os = _os_spec(v, raw)


def _boot(v: _Validator, raw: Any, out: _Parsed) -> None:
    if raw is None:
        return
    body = v.mapping(raw, ("boot",), {"core", "flash", "secure-ram", "console"},
                     {"core", "flash", "secure-ram", "console"})
    core = v.name(body["core"], ("boot", "core"))
    if core not in out.cores:
        raise v.fail(("boot", "core"), f"no core named {core!r}")
    views = {}
    for key in ("flash", "secure-ram"):
        memory = v.name(body[key], ("boot", key))
        entry = next((e for e in out.cores[core].map
                      if e.kind == "memory" and e.target == memory), None)
        if entry is None:
            raise v.fail(("boot", key), f"{core} maps no memory named {memory!r}")
        views[key] = entry
    console = v.name(body["console"], ("boot", "console"))
    if console not in out.peripherals:
        raise v.fail(("boot", "console"), f"no peripheral named {console!r}")
    out.boot = BootSpec(core, views["flash"], views["secure-ram"], console)


def _text(v: _Validator, raw: Any, out: _Parsed) -> None:
    """``name`` and ``description``: free text, read when the spec is assembled."""


# Adding a top-level key is one parser and one line here (plus its BoardSpec field).
SECTIONS: dict[str, Callable[[_Validator, Any, _Parsed], None]] = {
    "name": _text, "description": _text, "memories": _memories,
    "peripherals": _peripherals, "cores": _cores, "pins": _pins, "devices": _devices,
    "os": _os, "boot": _boot,
}


def load_board(path: str | Path) -> BoardSpec:
    """Read, merge and validate a board file. Raises ``BoardError`` with a one-line message."""
    path = find_board(path)  # a bundled board may be named without a path
    loader = _Loader()
    raw = loader.load(path)
    v = _Validator(path.resolve(), loader.origins)
    top = v.mapping(raw, (), set(SECTIONS), {"cores"})
    out = _Parsed()
    for key, parse in SECTIONS.items():
        parse(v, top.get(key), out)
    return BoardSpec(name=str(top.get("name", path.stem)), path=path.resolve(),
                     description=str(top.get("description", "")), memories=out.memories,
                     peripherals=out.peripherals, cores=out.cores, devices=out.devices,
                     os=out.os, pins=out.pins, boot=out.boot)


def _os_spec(v: _Validator, raw: Any) -> OsSpec:
    if raw is None:
        return OsSpec()
    body = v.mapping(raw, ("os",), set(DEFAULT_OS))
    paths = dict(DEFAULT_OS)
    for key, value in body.items():
        if not isinstance(value, str) or not value:
            raise v.fail(("os", key), f"must be the path of an image package, not {value!r}")
        origin = v.origins.get(("os", key), v.origins.get(("os",), v.top))
        paths[key] = (origin.parent / value).resolve()
    return OsSpec(security_monitor=paths["security-monitor"], kernel=paths["kernel"])


def _reset_by(v: _Validator, raw: Any, at: Path_, peripherals: dict[str, PeripheralSpec],
              ptypes: dict[str, Any]) -> tuple[str, str] | None:
    if raw is None:
        return None
    block, dot, line = str(raw).rpartition(".")
    if not dot or block not in peripherals:
        raise v.fail(at, f"must be PERIPHERAL.LINE naming a reset output, not {raw!r}")
    lines = getattr(ptypes[peripherals[block].type], "RESETS", ())
    if line not in lines:
        raise v.fail(at, f"{block} has no reset output {line!r} "
                         f"(has: {', '.join(lines) or 'none'})")
    return block, line


def _placements(v: _Validator, name: str, body: dict[str, Any], cores: dict[str, dict[str, Any]],
                out: _Parsed, ptypes: dict[str, Any]
                ) -> list[tuple[str, MapEntry, Path_]]:
    """One map entry per core a block is placed in (``at: {core: address}``)."""
    pat = ("peripherals", name)
    where = body.get("at") or {}
    v.mapping(where, (*pat, "at"), set(cores))
    raw_irqs = v.mapping(body.get("irqs") or {}, (*pat, "irqs"), set(where))
    implemented = name in out.peripherals
    cls = ptypes[out.peripherals[name].type] if implemented else None
    size = cls.SIZE if cls is not None else 0
    if "size" in body:
        size = v.number(body["size"], (*pat, "size"), parse_size)
    if size <= 0:
        raise v.fail((*pat, "size"), "must be positive")
    secure_only = body.get("secure_only", False)
    if not isinstance(secure_only, bool):
        raise v.fail((*pat, "secure_only"), "must be true or false")
    placed = []
    for cname, address in where.items():
        eat = (*pat, "at", cname)
        base = v.number(address, eat)
        if base + size > 1 << 32:
            raise v.fail(eat, "region runs past the end of the 32-bit address space")
        irqs = _irqs(v, raw_irqs.get(cname), (*pat, "irqs", cname), cls,
                     cores[cname]["irqs"]) if cls is not None else {}
        kind = "peripheral" if implemented else "unimplemented"
        placed.append((cname, MapEntry(name=name, base=base, size=size, kind=kind, target=name,
                                       irqs=irqs, secure_only=secure_only), eat))
    if cls is None and raw_irqs:
        raise v.fail((*pat, "irqs"), "an unimplemented block has no interrupt outputs")
    return placed


def _irqs(v: _Validator, raw: Any, at: Path_, cls: Any, irq_count: int) -> dict[str, int]:
    """``N`` for a block with one interrupt output, else ``{OUTPUT: N}``."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        if len(cls.IRQS) != 1:
            raise v.fail(at, f"name the outputs: {{{', '.join(cls.IRQS) or '(none)'}: N}}")
        raw = {cls.IRQS[0]: raw}
    v.mapping(raw, at, set(cls.IRQS))
    irqs = {}
    for out, num in raw.items():
        nat = (*at, out) if len(cls.IRQS) > 1 else at
        n = v.number(num, nat)
        if not 0 <= n < irq_count:
            raise v.fail(nat, f"IRQ {n} out of range (core has {irq_count})")
        irqs[out] = n
    return irqs


def _core_map(v: _Validator, raw: Any, at: Path_, memories: dict[str, MemorySpec]
              ) -> list[tuple[MapEntry, Path_]]:
    """A core's private map: memories and placeholder regions only it sees."""
    if not isinstance(raw, list):
        raise v.fail(at, "must be a list of mappings")
    entries: list[tuple[MapEntry, Path_]] = []
    for i, body in enumerate(raw):
        eat = (*at, i)
        if isinstance(body, dict) and "peripheral" in body:
            raise v.fail((*eat, "peripheral"), "blocks are placed with 'at' under peripherals, "
                                              "not in a core's map")
        body = v.mapping(body, eat, {"name", "at", "size", "offset", "memory",
                                     "unimplemented", "secure_only"}, {"at"})
        kinds = [k for k in ("memory", "unimplemented") if k in body]
        if len(kinds) != 1:
            raise v.fail(eat, "needs exactly one of memory, unimplemented")
        kind = kinds[0]
        target = v.name(body[kind], (*eat, kind))
        base = v.number(body["at"], (*eat, "at"))
        offset = v.number(body.get("offset", 0), (*eat, "offset"))
        if kind == "memory":
            if target not in memories:
                raise v.fail((*eat, "memory"), f"no memory named {target!r}")
            size = memories[target].size - offset
            if base % PAGE or offset % PAGE:
                raise v.fail((*eat, "at"), "memory must be mapped at a 4K-aligned address")
        elif "size" not in body:
            raise v.fail(eat, "an unimplemented block needs a size")
        if "size" in body:
            size = v.number(body["size"], (*eat, "size"), parse_size)
        if size <= 0:
            raise v.fail((*eat, "size"), "must be positive")
        if kind == "memory" and (size % PAGE or offset + size > memories[target].size):
            raise v.fail((*eat, "size"), "must be a multiple of 4K that fits in the memory")
        if base + size > 1 << 32:
            raise v.fail((*eat, "at"), "region runs past the end of the 32-bit address space")
        secure_only = body.get("secure_only", False)
        if not isinstance(secure_only, bool):
            raise v.fail((*eat, "secure_only"), "must be true or false")
        entry = MapEntry(name=str(body.get("name", target)), base=base, size=size, kind=kind,
                         target=target, offset=offset, secure_only=secure_only)
        entries.append((entry, eat))
    return entries


def _sorted_map(v: _Validator, entries: list[tuple[MapEntry, Path_]]) -> tuple[MapEntry, ...]:
    entries = sorted(entries, key=lambda e: e[0].base)
    for (a, _), (b, bat) in zip(entries, entries[1:], strict=False):
        if b.base < a.end:
            raise v.fail(bat, f"{b.name} at {b.base:#010x} overlaps {a.name} "
                              f"[{a.base:#010x}, {a.end:#010x})")
    return tuple(e for e, _ in entries)
