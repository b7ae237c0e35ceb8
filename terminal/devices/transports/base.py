"""The byte-pipe contract every transport (TCP, USB, serial, simulator) keeps.

Every I/O call takes an explicit timeout in seconds: nothing in the device
SDK may block forever on a missing printer or scale.
"""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable


class TransportError(OSError):
    """The transport failed (connection refused, device gone, I/O error)."""


class TransportTimeout(TransportError, TimeoutError):
    """The operation did not finish before its deadline."""


class TransportClosed(TransportError):
    """The transport is not open, or the peer closed it."""


@runtime_checkable
class Transport(Protocol):
    def open(self, timeout: float) -> None:
        """Connect/claim the device; raise TransportError or TransportTimeout."""

    def close(self) -> None:
        """Release the device; idempotent, never raises."""

    def write(self, data: bytes, timeout: float) -> None:
        """Write all of `data` before `timeout` or raise TransportTimeout/TransportError."""

    def read(self, n: int, timeout: float) -> bytes:
        """Return 1..n bytes, waiting at most `timeout`.

        Raise TransportTimeout when nothing arrived, TransportClosed when the
        peer has gone away.
        """

    @property
    def is_open(self) -> bool: ...


def read_exact(transport: Transport, n: int, timeout: float) -> bytes:
    """Read exactly `n` bytes within one overall deadline."""
    deadline = time.monotonic() + timeout
    buf = bytearray()
    while len(buf) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TransportTimeout(f"got {len(buf)} of {n} bytes before the deadline")
        buf += transport.read(n - len(buf), left)
    return bytes(buf)


def discard_input(transport: Transport, max_bytes: int = 65536) -> int:
    """Drop bytes already waiting (stale status replies) without waiting; return the count."""
    dropped = 0
    while dropped < max_bytes:
        try:
            chunk = transport.read(4096, 0.0)
        except TransportTimeout:
            break
        if not chunk:
            break
        dropped += len(chunk)
    return dropped
