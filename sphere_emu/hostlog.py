"""The emulator's log on the host's stderr, with repeats of one guest error counted.

A guest that polls a register it should not touch logs the same guest error on every
access — hundreds of thousands of lines a second, enough to slow the run to a crawl and
bury everything else. ``RepeatLimit`` shows the first ``SHOWN`` lines of each kind (one
block, one offset or register, one message) and counts the rest; ``summary`` reports the
counts when the run ends.
"""

import logging
import re
from collections.abc import Callable
from typing import TextIO

SHOWN = 3
# What varies between repeats of one mistake: the value written.
_VALUE = re.compile(r"\bof (?:0x[0-9a-fA-F]+|\d+) to\b")


class RepeatLimit(logging.Filter):
    def __init__(self, shown: int = SHOWN) -> None:
        super().__init__()
        self.shown = shown
        self.counts: dict[tuple, int] = {}
        self.examples: dict[tuple, str] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        key = (record.name, record.msg,
               *(_VALUE.sub("of _ to", a) if isinstance(a, str) else a for a in args))
        n = self.counts.get(key, 0) + 1
        self.counts[key] = n
        if n == self.shown:
            self.examples[key] = record.getMessage()
        return n <= self.shown

    def summary(self) -> list[str]:
        """One line per kind of message that was cut short: how many were not shown."""
        return [f"{self.examples[key]}: repeated {n - self.shown} more times (not shown)"
                for key, n in self.counts.items() if n > self.shown]


class HostLog:
    """Route the ``sphere_emu`` loggers to ``stream`` (one line per record) while in use."""

    def __init__(self, stream: TextIO | Callable[[], TextIO], shown: int = SHOWN) -> None:
        self.limit = RepeatLimit(shown)
        self.handler = logging.StreamHandler(stream() if callable(stream) else stream)
        self.handler.setFormatter(logging.Formatter("%(message)s"))
        self.handler.addFilter(self.limit)
        self._logger = logging.getLogger("sphere_emu")

    def __enter__(self) -> "HostLog":
        self._logger.addHandler(self.handler)
        self._propagate = self._logger.propagate
        self._logger.propagate = False  # not twice through Python's last-resort handler
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeHandler(self.handler)
        self._logger.propagate = self._propagate
        for line in self.limit.summary():
            self.handler.stream.write(line + "\n")
        self.handler.flush()
