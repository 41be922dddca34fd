"""A minimal VCD reader for tests: each variable's changes as (time_ns, value)."""

import re
from pathlib import Path


def read_vcd(path: Path) -> dict[str, list[tuple[int, str]]]:
    text = path.read_text()
    header, body = text.split("$enddefinitions $end", 1)
    names: dict[str, str] = {}
    scopes: list[str] = []
    for line in header.splitlines():
        if m := re.match(r"\$scope module (\S+) \$end", line):
            scopes.append(m.group(1))
        elif line.startswith("$upscope"):
            scopes.pop()
        elif m := re.match(r"\$var \S+ \d+ (\S+) (\S+) \$end", line):
            names[m.group(1)] = f"{scopes[-1]}.{m.group(2)}"
    changes: dict[str, list[tuple[int, str]]] = {name: [] for name in names.values()}
    now = 0
    for token in body.split("\n"):
        token = token.strip()
        if not token or token.startswith("$"):
            continue
        if token.startswith("#"):
            now = int(token[1:])
        elif token[0] in "01xz":
            changes[names[token[1:]]].append((now, token[0]))
        elif token[0] in "br":
            value, ident = token[1:].split()
            changes[names[ident]].append((now, value))
    return changes


def edges(changes: list[tuple[int, str]], value: str) -> list[int]:
    """Times at which the variable became ``value`` (the initial dump excluded)."""
    return [t for i, (t, v) in enumerate(changes) if v == value and i > 0
            and changes[i - 1][1] != value]
