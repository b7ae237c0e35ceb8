"""Retry pacing: exponential backoff with full jitter, the one definition of the rule.

Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): the delay before
retry number `attempt` (0 = the first retry) is uniform in
[0, min(cap, base * 2**attempt)], so a shop full of tills coming back after an outage, or
a row of devices replugged at once, does not retry in lock-step.

It lives in the device SDK because `devices` imports none of our other packages and the
device manager and the print queue need it; the till's outbox pump (`pos_terminal.sync`)
imports it from here, which the dependency rule allows (the till depends on its SDK). It is
pure Python: importing it loads no driver.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Backoff"]

Draw = random.Random | Callable[[], float]
"""Where the jitter comes from: a `random.Random`, or a function returning [0, 1)."""


@dataclass(frozen=True)
class Backoff:
    base_s: float = 1.0
    cap_s: float = 300.0

    def ceiling(self, attempt: int) -> float:
        """The longest delay before retry number `attempt`: doubling from base, capped."""
        return min(self.cap_s, self.base_s * 2 ** min(max(attempt, 0), 64))

    def delay(self, attempt: int, rng: Draw | None = None) -> float:
        """Seconds to wait before retry number `attempt` (0 = the first retry)."""
        if rng is None:
            draw = random.random()
        elif isinstance(rng, random.Random):
            draw = rng.random()
        else:
            draw = rng()
        return self.ceiling(attempt) * draw
