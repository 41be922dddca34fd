"""Parsing of the human-friendly numbers used in board files and on the command line."""

import re

from .errors import SphereEmuError

_TIME_UNITS_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 1_000_000_000}
_SIZE_UNITS = {"": 1, "K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10, "M": 1 << 20, "MB": 1 << 20,
               "MIB": 1 << 20, "G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30}
_FREQ_UNITS = {"HZ": 1, "KHZ": 1_000, "MHZ": 1_000_000, "GHZ": 1_000_000_000}
_NUMBER = r"([0-9]+(?:\.[0-9]+)?)"


def parse_duration_ns(text: str) -> int:
    """'2s', '500ms', '10us', '250ns' -> nanoseconds. A bare number is seconds."""
    m = re.fullmatch(_NUMBER + r"\s*(ns|us|µs|ms|s)?", text.strip())
    if not m:
        raise SphereEmuError(f"not a duration: {text!r} (use e.g. 2s, 500ms, 10us)")
    return round(float(m.group(1)) * _TIME_UNITS_NS[m.group(2) or "s"])


def parse_int(value: object) -> int:
    """An integer written as YAML int, decimal string or 0x/0b/0o string."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            pass
    raise ValueError(f"not a number: {value!r}")


def parse_size(value: object) -> int:
    """Bytes from 4096, '0x1000', '64K', '1M', '16MiB'."""
    if isinstance(value, str):
        m = re.fullmatch(r"(0x[0-9a-fA-F]+|[0-9]+)\s*([a-zA-Z]*)", value.strip())
        if m and m.group(2).upper() in _SIZE_UNITS:
            return int(m.group(1), 0) * _SIZE_UNITS[m.group(2).upper()]
        raise ValueError(f"not a size: {value!r} (use e.g. 4096, 0x1000, 64K, 1M)")
    return parse_int(value)


def parse_frequency_hz(value: object) -> int:
    """Hertz from 26000000, '26MHz', '197.6MHz', '32.768kHz'."""
    if isinstance(value, str):
        m = re.fullmatch(_NUMBER + r"\s*([a-zA-Z]*)", value.strip())
        if m and m.group(2).upper() in _FREQ_UNITS:
            return round(float(m.group(1)) * _FREQ_UNITS[m.group(2).upper()])
        raise ValueError(f"not a frequency: {value!r} (use e.g. 26MHz, 32.768kHz)")
    hz = parse_int(value)
    if hz <= 0:
        raise ValueError(f"frequency must be positive: {value!r}")
    return hz


def format_ns(ns: int) -> str:
    """A virtual timestamp as seconds with microsecond resolution, e.g. '0.001250s'."""
    return f"{ns / 1e9:.6f}s"
