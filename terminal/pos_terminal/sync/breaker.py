"""The outbox pump's circuit breaker: a dead server costs one probe per interval instead of
one request per queued order. Each entry's retry delay is `devices.backoff.Backoff`, the
one backoff of the till (exponential with full jitter), which the device manager uses too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"  # sending normally
    OPEN = "open"  # server presumed down: send nothing until the probe time
    HALF_OPEN = "half_open"  # one probe request is allowed


@dataclass
class CircuitBreaker:
    """Opens after `threshold` consecutive transport/5xx failures; probes once per interval."""

    threshold: int = 3
    probe_interval_s: float = 15.0
    state: BreakerState = BreakerState.CLOSED
    failures: int = 0
    opened_at: datetime | None = None
    _probe_at: datetime | None = field(default=None, repr=False)

    def allow(self, now: datetime) -> int | None:
        """How many requests may go out now: None (no limit), 1 (a probe) or 0."""
        if self.state is BreakerState.CLOSED:
            return None
        if self.state is BreakerState.OPEN and self._probe_at is not None and now >= self._probe_at:
            self.state = BreakerState.HALF_OPEN
        return 1 if self.state is BreakerState.HALF_OPEN else 0

    def next_probe_at(self) -> datetime | None:
        return self._probe_at if self.state is BreakerState.OPEN else None

    def record_success(self) -> None:
        self.state, self.failures, self.opened_at, self._probe_at = BreakerState.CLOSED, 0, None, None

    def record_failure(self, now: datetime) -> None:
        self.failures += 1
        if self.state is BreakerState.HALF_OPEN or self.failures >= self.threshold:
            self.state, self.opened_at = BreakerState.OPEN, now
            self._probe_at = now + timedelta(seconds=self.probe_interval_s)
