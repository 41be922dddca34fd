"""Virtual time: the machine's only notion of time.

Time is an integer count of nanoseconds. It advances only when the scheduler says cores have
retired instructions, or when every core sleeps and the clock jumps to the next event. Events
at the same instant fire in the order they were scheduled, so runs are reproducible.
"""

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(order=True)
class Event:
    when_ns: int
    seq: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class Clock:
    def __init__(self) -> None:
        self.now_ns = 0
        self._queue: list[Event] = []
        self._seq = itertools.count()

    def schedule_at(self, when_ns: int, callback: Callable[[], None]) -> Event:
        """Run ``callback`` when virtual time reaches ``when_ns`` (never in the past)."""
        event = Event(max(when_ns, self.now_ns), next(self._seq), callback)
        heapq.heappush(self._queue, event)
        return event

    def schedule_in(self, delay_ns: int, callback: Callable[[], None]) -> Event:
        return self.schedule_at(self.now_ns + delay_ns, callback)

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
            event.callback()
        self.now_ns = max(self.now_ns, when_ns)
