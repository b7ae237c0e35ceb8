"""Background operations in the style of Anki's `aqt.operations`.

A slow use case (committing a sale, reading the scale, kicking the drawer) runs on a
`QThreadPool` worker; its result or exception comes back to the GUI thread through a
queued signal, where the success/failure callbacks run. The callable never touches a
widget, and the callbacks never block the GUI.

    Operation(lambda: till.pay(tenders)) \\
        .success(self._paid).failure(self._refused).run_in_background()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal, Slot

T = TypeVar("T")


class _Relay(QObject):
    """Lives in the GUI thread; carries the worker's outcome over a queued connection."""

    done = Signal(bool, object)

    def __init__(self, deliver: Callable[[bool, object], None]) -> None:
        super().__init__()
        self._deliver = deliver
        self.done.connect(self._on_done, Qt.ConnectionType.QueuedConnection)

    @Slot(bool, object)
    def _on_done(self, ok: bool, value: object) -> None:
        self._deliver(ok, value)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn, self._relay = fn, relay

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the GUI thread
            self._relay.done.emit(False, exc)
        else:
            self._relay.done.emit(True, result)


class Operation(Generic[T]):
    """One call run off the GUI thread. Callbacks run on the GUI thread, in this order:
    `success` or `failure`, then `finally_`. Without a failure callback the error is re-raised
    on the GUI thread (Qt logs it) rather than swallowed."""

    _running: set[Operation[Any]] = set()  # keeps relays alive until they delivered

    def __init__(self, fn: Callable[[], T]) -> None:
        self._fn = fn
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self._on_finally: Callable[[], None] | None = None
        self._relay: _Relay | None = None

    def success(self, callback: Callable[[T], None]) -> Operation[T]:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Operation[T]:
        self._on_failure = callback
        return self

    def finally_(self, callback: Callable[[], None]) -> Operation[T]:
        self._on_finally = callback
        return self

    @property
    def running(self) -> bool:
        return self in Operation._running

    @classmethod
    def wait_for_all(cls, timeout_ms: int = 30_000) -> None:
        """Let every running operation finish and deliver (closing the app): a database
        write is never cut off by the window going away."""
        QThreadPool.globalInstance().waitForDone(timeout_ms)
        QCoreApplication.processEvents()  # the queued results, on this (GUI) thread

    def run_in_background(self, pool: QThreadPool | None = None) -> Operation[T]:
        """Start on `pool` (the global pool by default). Call from the GUI thread."""
        self._relay = _Relay(self._deliver)
        Operation._running.add(self)
        (pool or QThreadPool.globalInstance()).start(_Job(self._fn, self._relay))
        return self

    def _deliver(self, ok: bool, value: object) -> None:
        Operation._running.discard(self)
        try:
            if ok:
                if self._on_success is not None:
                    self._on_success(value)  # type: ignore[arg-type]
            elif self._on_failure is not None:
                self._on_failure(value)  # type: ignore[arg-type]
            else:
                raise value  # type: ignore[misc]
        finally:
            if self._on_finally is not None:
                self._on_finally()
