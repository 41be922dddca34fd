"""Virtual time: the machine's only notion of time.

Time is an integer count of nanoseconds. It advances only when the scheduler says cores have
retired instructions, or when every core sleeps and the clock jumps to the next event. Events
at the same instant fire in the order they were scheduled, so runs are reproducible.

An event is data: a bound method of an object the machine can name, its arguments (plain
values) and a time. A snapshot stores pending events as (owner, method name, arguments,
time, sequence number) and a restore re-creates them in the same order (``snapshot.py``).
"""

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .snapshot import EventRef, SnapshotError


@dataclass(order=True)
class Event:
    when_ns: int
    seq: int
    callback: Callable[..., None] = field(compare=False)
    args: tuple = field(default=(), compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True

    def event_ref(self) -> EventRef:
        return EventRef(self.seq, self.when_ns)


class Clock:
    def __init__(self) -> None:
        self.now_ns = 0
        self._queue: list[Event] = []
        self._seq = itertools.count()

    def schedule_at(self, when_ns: int, callback: Callable[..., None], *args: Any) -> Event:
        """Call ``callback(*args)`` when virtual time reaches ``when_ns`` (never in the past).
        A machine's events are bound methods of its named objects, so snapshots see them."""
        event = Event(max(when_ns, self.now_ns), next(self._seq), callback, args)
        heapq.heappush(self._queue, event)
        return event

    def schedule_in(self, delay_ns: int, callback: Callable[..., None], *args: Any) -> Event:
        return self.schedule_at(self.now_ns + delay_ns, callback, *args)

    def next_event_ns(self) -> int | None:
        while self._queue and self._queue[0].cancelled:
            heapq.heappop(self._queue)
        return self._queue[0].when_ns if self._queue else None

    def advance_to(self, when_ns: int) -> None:
        """Move time forward to ``when_ns``, firing every event due on the way, in order."""
        while True:
            due = self.next_event_ns()
            if due is None or due > when_ns:
                break
            event = heapq.heappop(self._queue)
            self.now_ns = event.when_ns
            event.callback(*event.args)
        self.now_ns = max(self.now_ns, when_ns)

    # -- snapshots -----------------------------------------------------------------------
    def snapshot(self, owner_name: Callable[[object], str | None]) -> dict[str, Any]:
        """Time and the pending events as data; ``owner_name`` names a callback's object."""
        events = []
        for event in sorted(e for e in self._queue if not e.cancelled):
            owner = getattr(event.callback, "__self__", None)
            name = owner_name(owner) if owner is not None else None
            if name is None:
                raise SnapshotError(
                    f"a pending event at {event.when_ns} ns ({event.callback!r}) belongs to "
                    "nothing in the machine (host input scheduled from outside?)")
            events.append((event.when_ns, event.seq, name, event.callback.__name__,
                           tuple(event.args)))
        probe = next(self._seq)  # the next sequence number (itertools.count has no peek)
        self._seq = itertools.count(probe)
        return {"now_ns": self.now_ns, "next_seq": probe, "events": events}

    def restore(self, state: dict[str, Any], owner: Callable[[str], object]) -> None:
        """Time and pending events from ``snapshot``; ``owner`` finds an object by name."""
        self.now_ns = state["now_ns"]
        self._seq = itertools.count(state["next_seq"])
        self._queue = [Event(when, seq, getattr(owner(name), method), tuple(args))
                       for when, seq, name, method, args in state["events"]]
        heapq.heapify(self._queue)

    def event_for(self, ref: EventRef) -> Event:
        """The restored event an object referred to, or a dead one if it is not pending."""
        for event in self._queue:
            if event.seq == ref.seq and not event.cancelled:
                return event
        return Event(ref.when_ns, ref.seq, _fired, cancelled=True)


def _fired() -> None:
    """The callback of an event that had fired or been cancelled when the snapshot was taken."""
