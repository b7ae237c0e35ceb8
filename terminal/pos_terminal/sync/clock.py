"""Is the till's clock right? Every server answer carries an HTTP `Date`; compare.

The till stamps each sale with its own clock, the server checks the sale's prices at that
time, and it refuses signatures whose timestamp is more than 300 s off. A till whose clock
is more than a minute out should say so before that happens, in words a cashier can act
on (the status bar). `ClockWatch` turns answers into `ClockSkewed` events: only when the
verdict changes, not on every answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from .client import Reply
from .events import ClockSkewed, EventHub

TOLERANCE_S = 60.0


def server_time(reply: Reply) -> datetime | None:
    """The answer's `Date` (RFC 9110 HTTP-date, whole seconds), None if absent or unreadable."""
    value = reply.headers.get("Date")
    if not value:
        return None
    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # "-0000" parses as naive UTC


class ClockWatch:
    def __init__(self, clock: Callable[[], datetime], events: EventHub,
                 tolerance_s: float = TOLERANCE_S) -> None:
        self.clock, self.events, self.tolerance_s = clock, events, tolerance_s
        self._shown_minutes: int | None = None  # what the warning says; None: no warning

    def observe(self, reply: Reply) -> None:
        """Compare one answer's `Date` with the till's clock now (called for every answer)."""
        at = server_time(reply)
        if at is None:
            return
        event = ClockSkewed((self.clock() - at).total_seconds(), self.tolerance_s)
        minutes = round(event.skew_s / 60) if event.beyond_tolerance else None
        if minutes != self._shown_minutes:
            self._shown_minutes = minutes
            self.events.emit(event)
