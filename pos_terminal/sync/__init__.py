"""The till's sync side: HTTP client, outbox pump, catalog pull, enrollment (no Qt here).

Public surface:
    SyncService(services, client_or_config=None, ...) .start() .stop() .wake() .subscribe(cb)
    events: QueueChanged, ConnectionChanged, ConflictsArrived, CatalogUpdated, Parked

Names are imported lazily: `services.checkout` imports `sync.order_body`, and the
service layer must not drag the HTTP client in (nor import itself in a circle).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "SyncService": ".service", "PumpSettings": ".pump", "OutboxPump": ".pump",
    "SyncClient": ".client", "SyncError": ".client", "Unreachable": ".client",
    "ProblemReply": ".client", "NotEnrolled": ".enrollment", "enroll": ".enrollment",
    "enrolled_config": ".enrollment", "apply_to_catalog": ".catalog_pull",
    "QueueChanged": ".events", "ConnectionChanged": ".events", "ConflictsArrived": ".events",
    "CatalogUpdated": ".events", "Parked": ".events", "SyncEvent": ".events",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)


if TYPE_CHECKING:
    from .catalog_pull import apply_to_catalog
    from .client import ProblemReply, SyncClient, SyncError, Unreachable
    from .enrollment import NotEnrolled, enroll, enrolled_config
    from .events import CatalogUpdated, ConflictsArrived, ConnectionChanged, Parked, QueueChanged, SyncEvent
    from .pump import OutboxPump, PumpSettings
    from .service import SyncService
