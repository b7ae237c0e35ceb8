"""Operations outside /v1: liveness and readiness (open, for load balancers) and Prometheus
metrics (a bearer token: they name every terminal)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from pos_protocol import paths
from pos_protocol.codes import ErrorCode

from ...core.errors import DomainError
from ...core.metrics import exposition
from ...db.session import read_connection
from ...services import fleet
from ..deps import EngineDep, MetricsScraperDep
from ..openapi import problems

log = logging.getLogger(__name__)
router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str


@router.get(paths.HEALTHZ, response_model=Health)
def healthz() -> Health:
    return Health(status="ok")


@router.get(paths.READYZ, response_model=Health, responses=problems(ErrorCode.NOT_READY))
def readyz(engine: EngineDep) -> Health:
    try:
        with read_connection(engine) as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        raise DomainError(ErrorCode.NOT_READY, "database unreachable") from None
    return Health(status="ready")


@router.get(
    paths.METRICS,
    response_class=Response,
    dependencies=[MetricsScraperDep],
    responses={200: {"content": {"text/plain": {}}}, **problems(ErrorCode.UNAUTHORIZED, ErrorCode.METRICS_DISABLED)},
)
def get_metrics(engine: EngineDep) -> Response:
    """Prometheus text; `Authorization: Bearer <POS_SYNC_METRICS_TOKEN or admin token>`.

    The counters of every worker serving this port (core/metrics.py), and what the alert
    rules watch, read from the database (tills' last heartbeats with queue depth and
    devices, held orders, Z reports that do not reconcile, broken audit chains, whether the
    database answers: ops/prometheus/alerts.yml), the same from every worker."""
    try:
        with read_connection(engine) as conn:
            state = fleet.fleet_state(conn)
    except SQLAlchemyError:
        # A scrape must still answer while the database is away (that is when it matters):
        # pos_sync_database_up says 0, and no other database-backed series pretends to know.
        log.warning("metrics: database unreadable", exc_info=True)
        state = None
    return Response(exposition(state, datetime.now(UTC)), media_type=CONTENT_TYPE_LATEST)
