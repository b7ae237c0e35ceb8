"""The till's sync side: HTTP client, outbox pump, catalog pull, enrollment (no Qt here).

Public surface:
    SyncService(services, client_or_config=None, ...) .start() .stop() .wake() .subscribe(cb)
    events: QueueChanged, ConnectionChanged, ConflictsArrived, ResolvedElsewhere, CatalogUpdated, StaffUpdated,
            Parked, ClockSkewed
"""

from __future__ import annotations

from .catalog_pull import CatalogPuller, PullResult
from .client import ProblemReply, SyncClient, SyncError, Unreachable
from .enrollment import NotEnrolled, enroll, enrolled_config
from .events import (
    CatalogUpdated, ClockSkewed, ConflictsArrived, ConnectionChanged, Parked, QueueChanged, ResolvedElsewhere, StaffUpdated,
    SyncEvent,
)
from .held_watch import HeldWatch
from .pump import OutboxPump, PumpSettings
from .service import SyncService
from .staff_pull import StaffPuller

__all__ = [
    "CatalogPuller", "CatalogUpdated", "ClockSkewed", "ConflictsArrived", "ConnectionChanged", "NotEnrolled", "OutboxPump",
    "HeldWatch", "Parked", "ProblemReply", "ResolvedElsewhere", "PumpSettings", "QueueChanged", "SyncClient", "SyncError",
    "PullResult", "StaffPuller", "StaffUpdated", "SyncEvent", "SyncService", "Unreachable", "enroll", "enrolled_config",
]
