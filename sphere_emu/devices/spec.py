"""The ``pins:`` and ``devices:`` keys of a board file, validated into specs.

::

    pins:
      count: 96                      # GPIO0..GPIO95 (the chip file gives it)
      aliases: {header1-pin4: GPIO0}
    devices:
      led1-red: {type: led, pin: GPIO8, active: low}
      button-a: {type: button, pin: GPIO12, pressed: low}
      loop: {type: wire, a: GPIO0, b: GPIO1}

Every error names the key path and what is wrong, through the board loader's ``fail``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..units import parse_int
from .base import DeviceSpec

Fail = Callable[[tuple, str], Exception]  # (key path, message) -> the error to raise


@dataclass(frozen=True)
class PinsSpec:
    count: int = 0
    aliases: dict[str, int] = field(default_factory=dict)  # alias -> GPIO number

    def number(self, name: str) -> int | None:
        key = name.strip().lower()
        if key in self.aliases:
            return self.aliases[key]
        if key.startswith("gpio") and key[4:].isdigit() and int(key[4:]) < self.count:
            return int(key[4:])
        return None


def parse_pins(raw: Any, fail: Fail) -> PinsSpec:
    if raw is None:
        return PinsSpec()
    if not isinstance(raw, dict):
        raise fail(("pins",), "must be a mapping with count and aliases")
    for key in raw:
        if key not in ("count", "aliases"):
            raise fail(("pins", key), "unknown key (allowed: aliases, count)")
    try:
        count = parse_int(raw.get("count", 0))
    except ValueError as err:
        raise fail(("pins", "count"), str(err)) from None
    base = PinsSpec(count)
    aliases: dict[str, int] = {}
    raw_aliases = raw.get("aliases") or {}
    if not isinstance(raw_aliases, dict):
        raise fail(("pins", "aliases"), "must map alias names to pins")
    for alias, target in raw_aliases.items():
        number = base.number(str(target))
        if number is None:
            raise fail(("pins", "aliases", alias), f"no pin {target!r} (pins are GPIO0.."
                                                   f"GPIO{count - 1})")
        aliases[str(alias).lower()] = number
    return PinsSpec(count, aliases)


def parse_devices(raw: Any, pins: PinsSpec, fail: Fail) -> dict[str, DeviceSpec]:
    from . import DEVICE_TYPES

    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise fail(("devices",), "must map device names to their descriptions")
    specs: dict[str, DeviceSpec] = {}
    for name, body in raw.items():
        at = ("devices", name)
        if not isinstance(body, dict):
            raise fail(at, "must be a mapping with a type")
        dtype = body.get("type")
        if dtype not in DEVICE_TYPES:
            raise fail((*at, "type"), f"unknown device type {dtype!r} "
                                      f"(known: {', '.join(sorted(DEVICE_TYPES))})")
        cls = DEVICE_TYPES[dtype]
        allowed = {"type", *cls.PINS, *cls.OPTIONS}
        for key in body:
            if key not in allowed:
                raise fail((*at, key), f"unknown key (allowed: {', '.join(sorted(allowed))})")
        roles: dict[str, str] = {}
        for role in cls.PINS:
            if role not in body:
                raise fail(at, f"missing required key '{role}' (the pin it is wired to)")
            target = str(body[role])
            if pins.number(target) is None:
                have = (f"pins are GPIO0..GPIO{pins.count - 1}" if pins.count
                        else "the board declares no pins")
                raise fail((*at, role), f"no pin {target!r} on this board ({have})")
            roles[role] = target
        options: dict[str, Any] = {}
        for key, parser in cls.OPTIONS.items():
            if key in body:
                try:
                    options[key] = parser(body[key])
                except ValueError as err:
                    raise fail((*at, key), str(err)) from None
        written = {k: str(body[k]) for k in cls.OPTIONS if k in body}
        specs[str(name)] = DeviceSpec(str(name), dtype, roles, options, written)
    return specs
