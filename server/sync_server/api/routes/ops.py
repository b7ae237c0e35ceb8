"""Operations outside /v1: liveness and readiness (open, for load balancers) and Prometheus
metrics (a bearer token: they name every terminal)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ...core.errors import ApiError
from ...db.session import read_connection
from ..deps import EngineDep, MetricsScraperDep
from ..openapi import problems

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses=problems(503))
def readyz(engine: EngineDep) -> Health:
    try:
        with read_connection(engine) as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        raise ApiError(503, "not_ready", "database unreachable") from None
    return Health(status="ready")


@router.get(
    "/metrics",
    response_class=Response,
    dependencies=[MetricsScraperDep],
    responses={200: {"content": {"text/plain": {}}}, **problems(401, 403)},
)
def metrics() -> Response:
    """Prometheus text; `Authorization: Bearer <POS_SYNC_METRICS_TOKEN or admin token>`."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
