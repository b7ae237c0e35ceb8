"""Transports: byte pipes with explicit timeouts (see `base.Transport`)."""

from devices.transports.base import (
    Transport,
    TransportClosed,
    TransportError,
    TransportTimeout,
    discard_input,
    read_exact,
)

__all__ = [
    "Transport",
    "TransportClosed",
    "TransportError",
    "TransportTimeout",
    "discard_input",
    "read_exact",
]
