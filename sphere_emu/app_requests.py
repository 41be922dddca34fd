"""``--app ACTION@TIME``: the application manager's requests at a virtual time, as
``azsphere device app stop`` / ``app start`` make them on a device.

The emulated OS takes them as lines on the receive side of its console (the board's
``boot.console`` UART; docs/kernel-and-apps.md): ``app stop`` sends the running high-level
app SIGTERM (SIGKILL two seconds later if it is still running), ``app start`` starts it
again once it has ended. A request is the same bytes the testing API's
``send("a7-uart", b"app stop\\n")`` gives, delivered when virtual time reaches TIME.
"""

from dataclasses import dataclass

from .errors import SphereEmuError
from .units import parse_duration_ns

ACTIONS = ("stop", "start")


@dataclass(frozen=True)
class AppRequest:
    action: str  # one of ACTIONS
    time_ns: int

    @property
    def line(self) -> bytes:
        return f"app {self.action}\n".encode()


def parse_app_request(text: str) -> AppRequest:
    """One ``--app`` value, checked before anything runs (a one-line error if bad)."""
    action, at, when = text.partition("@")
    action = action.strip().lower()
    if not at or action not in ACTIONS:
        raise SphereEmuError(f"--app {text!r}: expected ACTION@TIME with ACTION one of "
                             f"{', '.join(ACTIONS)} (e.g. stop@2s, start@3s)")
    try:
        return AppRequest(action, parse_duration_ns(when))
    except SphereEmuError as err:
        raise SphereEmuError(f"--app {text!r}: {err}") from None


def schedule_app_requests(requests: list[AppRequest], clock, console) -> None:
    """Deliver each request to ``console`` (a serial port) at its time, in time order; two
    at the same time keep their command-line order."""
    for request in sorted(requests, key=lambda r: r.time_ns):
        clock.schedule_at(request.time_ns, console.inject, request.line)
