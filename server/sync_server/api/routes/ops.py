"""Operations outside /v1: liveness and readiness (open, for load balancers) and Prometheus
metrics (a bearer token: they name every terminal)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from pos_protocol import paths
from pos_protocol.codes import ErrorCode

from ...core.errors import DomainError
from ...db.session import read_connection
from ...core import metrics
from ...services import audit, reconciliation
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
    """Prometheus text; `Authorization: Bearer <POS_SYNC_METRICS_TOKEN or admin token>`."""
    try:
        with read_connection(engine) as conn:  # the same figures from every worker and replica
            metrics.set_per_terminal(metrics.Z_MISMATCHED, reconciliation.mismatched_counts(conn))
            metrics.set_per_terminal(metrics.AUDIT_BROKEN, audit.broken_terminals(conn))
    except SQLAlchemyError:
        # A scrape must still answer while the database is away (that is when it matters):
        # those two gauges keep their last values; /readyz tells the database is down.
        log.warning("metrics: database unreachable, Z and audit gauges not refreshed")
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
