"""Snapshots: the state of a running machine as plain data.

Every stateful object offers one protocol::

    def snapshot(self) -> dict[str, Any]: ...     # plain data, taken between time slices
    def restore(self, state: dict[str, Any]) -> None: ...

Plain data is ints, bools, strs, bytes, None, and lists, tuples and dicts of those, plus
``EventRef``: a pending clock event named by its sequence number (the clock stores each
event as owner name + method name + arguments, never a closure). Nothing refers to a
Unicorn object or a host resource, so a snapshot restores into a fresh machine built from
the same board and images (``Machine.restore``), and a later issue can write it to a file.

Most objects list their state as attribute names (``STATE``) and use ``capture`` and
``apply``: they convert containers, dataclasses, enums, events and parts that list their
own ``STATE`` to plain data and back, taking the types from the attribute values the fresh
object already holds (restored in place where others may hold the same object).
"""

import dataclasses
from collections import deque
from collections.abc import Iterable
from enum import Enum
from fractions import Fraction
from typing import Any, Protocol

from .errors import SphereEmuError


class SnapshotError(SphereEmuError):
    """The machine holds state a snapshot cannot express (e.g. a pending host input)."""


class Stateful(Protocol):
    def snapshot(self) -> dict[str, Any]: ...

    def restore(self, state: dict[str, Any]) -> None: ...


@dataclasses.dataclass(frozen=True)
class EventRef:
    """A clock event an object holds: pending, or already fired or cancelled (``seq``
    then matches no pending event and the restored reference is a dead event)."""

    seq: int
    when_ns: int


class EventLookup(Protocol):
    def event_for(self, ref: EventRef) -> Any: ...


def capture(obj: object, names: Iterable[str]) -> dict[str, Any]:
    """The attributes ``names`` of ``obj`` as plain data."""
    return {name: to_plain(getattr(obj, name)) for name in names}


def apply(obj: object, state: dict[str, Any], clock: EventLookup) -> None:
    """Set the attributes in ``state`` on ``obj``, rebuilt in the types ``obj`` holds."""
    for name, value in state.items():
        setattr(obj, name, from_plain(value, getattr(obj, name, None), clock))


def to_plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str, bytes, float)):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytearray):
        return bytes(value)
    event_ref = getattr(value, "event_ref", None)  # a clock Event
    if event_ref is not None:
        return event_ref()
    if isinstance(value, Fraction):
        return (value.numerator, value.denominator)
    if isinstance(value, (list, deque)):
        return [to_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(to_plain(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return sorted(to_plain(v) for v in value)
    if isinstance(value, dict):
        return {to_plain(k): to_plain(v) for k, v in value.items()}
    names = getattr(type(value), "STATE", None)
    if isinstance(names, tuple):  # a part that lists its own state
        return capture(value, names)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name))
                for f in dataclasses.fields(value) if f.init}
    raise SnapshotError(f"cannot snapshot a {type(value).__name__}: not plain data")


def from_plain(value: Any, template: Any, clock: EventLookup) -> Any:
    """``value`` rebuilt in the type of ``template`` (the fresh object's attribute)."""
    if isinstance(value, EventRef):
        return clock.event_for(value)
    if isinstance(template, Enum):
        return type(template)(value)
    if isinstance(template, Fraction):
        return Fraction(*value)
    if isinstance(template, bytearray):
        return bytearray(value)
    if isinstance(template, deque):
        return deque((from_plain(v, None, clock) for v in value), template.maxlen)
    if isinstance(template, (set, frozenset)):
        return type(template)(value)
    if isinstance(getattr(type(template), "STATE", None), tuple) and isinstance(value, dict):
        apply(template, value, clock)  # in place, like a dataclass
        return template
    if dataclasses.is_dataclass(template) and isinstance(value, dict):
        for name, item in value.items():  # in place: others may hold the same object
            setattr(template, name, from_plain(item, getattr(template, name), clock))
        return template
    if isinstance(value, list):
        items = template if isinstance(template, list) and len(template) == len(value) \
            else [None] * len(value)
        rebuilt = [from_plain(v, t, clock) for v, t in zip(value, items, strict=True)]
        if isinstance(template, list):
            template[:] = rebuilt  # in place: compiled accessors may hold the list
            return template
        return rebuilt
    if isinstance(value, tuple):
        items = template if isinstance(template, tuple) and len(template) == len(value) \
            else (None,) * len(value)
        return tuple(from_plain(v, t, clock) for v, t in zip(value, items, strict=True))
    if isinstance(value, dict):
        fresh = template if isinstance(template, dict) else {}
        return {k: from_plain(v, fresh.get(k), clock) for k, v in value.items()}
    return value
