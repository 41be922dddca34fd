"""Physical values a user sets on a sensor: parsing with units, and their ranges.

``parse_quantity("accel", "0,0,1g")`` -> (0.0, 0.0, 1.0) in the quantity's base unit. The
same text works on the command line (``--drive lsm6dso.accel=0,0,1g@1s``), in board files and
from pytest (``dev.device("lsm6dso").set("accel", "0,0,1g")``).
"""

import re
from dataclasses import dataclass

from ..errors import SphereEmuError


@dataclass(frozen=True)
class Quantity:
    name: str
    base_unit: str
    units: dict[str, float]  # unit -> factor to the base unit ("" = base unit)
    components: int
    low: float
    high: float


QUANTITIES = {q.name: q for q in (
    Quantity("accel", "g", {"": 1, "g": 1, "mg": 1e-3, "m/s2": 1 / 9.80665}, 3, -16, 16),
    Quantity("gyro", "dps", {"": 1, "dps": 1, "mdps": 1e-3}, 3, -2000, 2000),
    Quantity("temperature", "C", {"": 1, "C": 1}, 1, -40, 85),
    Quantity("pressure", "hPa", {"": 1, "hPa": 1, "Pa": 0.01, "kPa": 10}, 1, 260, 1260),
    Quantity("voltage", "V", {"": 1, "V": 1, "mV": 1e-3}, 1, 0.0, 2.5),
)}

_NUMBER = r"[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?"


def parse_quantity(name: str, text: str, low: float | None = None,
                   high: float | None = None) -> tuple[float, ...]:
    """Text with an optional unit (on the last component) -> values in the base unit.

    Raises SphereEmuError (one line) for malformed text or a value outside the range
    (``low``/``high`` override the quantity's own range, e.g. an ADC's reference)."""
    q = QUANTITIES[name]
    m = re.fullmatch(rf"\s*((?:{_NUMBER}\s*,\s*)*{_NUMBER})\s*([a-zA-Z/0-9]*)\s*", text)
    if not m or m.group(2) not in q.units:
        units = ", ".join(u for u in q.units if u)
        raise SphereEmuError(f"{name}: not a value: {text!r} (give {q.components} "
                             f"number(s) with an optional unit: {units})")
    factor = q.units[m.group(2)]
    values = tuple(float(v) * factor for v in m.group(1).split(","))
    if len(values) != q.components:
        raise SphereEmuError(f"{name}: {text!r} has {len(values)} component(s), "
                             f"expected {q.components}")
    lo = q.low if low is None else low
    hi = q.high if high is None else high
    for v in values:
        if not lo <= v <= hi:
            raise SphereEmuError(f"{name}: {text!r} is out of range "
                                 f"({lo:g} to {hi:g} {q.base_unit})")
    return values
