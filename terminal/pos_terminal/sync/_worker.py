"""One background thread that runs the sync jobs on their schedules, off the UI thread.

Each job returns how many seconds until it wants to run again (None: only when woken).
`wake()` runs the wakeable jobs (the pump) at once, e.g. right after a sale commits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

MAX_SLEEP_S = 30.0
AFTER_CRASH_S = 5.0


@dataclass
class Job:
    name: str
    run: Callable[[], float | None]
    wakeable: bool = False
    next_at: float = 0.0  # monotonic; 0 = run at start


class Worker:
    def __init__(self, jobs: list[Job], name: str = "pos-sync") -> None:
        self.jobs = jobs
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _loop(self) -> None:
        woken = False
        while not self._stop.is_set():
            for job in self.jobs:
                if self._stop.is_set():
                    return
                if (woken and job.wakeable) or time.monotonic() >= job.next_at:
                    job.next_at = self._run(job)
            soonest = min((j.next_at for j in self.jobs), default=time.monotonic() + MAX_SLEEP_S)
            timeout = min(MAX_SLEEP_S, max(0.0, soonest - time.monotonic()))
            woken = self._wake.wait(timeout)
            self._wake.clear()

    @staticmethod
    def _run(job: Job) -> float:
        try:
            delay = job.run()
        except Exception:  # noqa: BLE001 - a failing job must not kill the sync thread
            log.exception("sync job %s failed; trying again in %.0f s", job.name, AFTER_CRASH_S)
            delay = AFTER_CRASH_S
        return time.monotonic() + (MAX_SLEEP_S * 10 if delay is None else max(0.0, delay))
