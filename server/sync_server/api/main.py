"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

from ..core.config import Settings, get_settings
from ..core.logging import configure_logging
from ..db.session import make_engine
from . import errors, openapi
from .middleware import RequestContextMiddleware
from .routes import admin, audit, catalog, ops, orders, terminals, zreports


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="POS sync server",
        version="1.0.0",
        description="Sync protocol v1 between POS terminals and the store server (see PROTOCOL.md).",
        **({} if settings.docs else {"docs_url": None, "redoc_url": None, "openapi_url": None}),
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url, pool_size=settings.db_pool_size,
                                             max_overflow=settings.db_max_overflow,
                                             lock_timeout_s=settings.idempotency_wait_s)
    for router in (terminals.router, orders.router, catalog.router, zreports.router, audit.router, admin.router,
                   ops.router):
        app.include_router(router)
    errors.install(app)
    openapi.install(app)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes)
    return app


APP_FACTORY = "sync_server.api.main:app_from_env"
"""What uvicorn imports in each worker process (`pos-sync-server serve --workers N`)."""


def app_from_env() -> FastAPI:
    """Entry point for `uvicorn --factory sync_server.api.main:app_from_env`: the settings
    come from the environment and the config file (`Settings`), read in each process."""
    return create_app()
