"""The FastAPI application factory."""

from __future__ import annotations

from importlib.metadata import version

from fastapi import FastAPI
from sqlalchemy import Engine

from ..backoffice import pages as backoffice
from ..core.config import Settings, get_settings
from ..core.logging import configure_logging
from ..core.sentry import init_sentry
from ..db.session import make_engine
from . import errors, openapi
from .deps import admin_digests
from .ratelimit import Limiter
from .middleware import RequestContextMiddleware
from .routes import admin, admin_views, audit, catalog, ops, orders, receipts, staff, terminals, zreports


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    if settings.sentry_dsn:  # errors logged with log.exception (the middleware's last resort) become events
        init_sentry(settings.sentry_dsn.get_secret_value(), environment=settings.sentry_environment,
                    release=f"pos-sync-server@{version('pos-sync-server')}")
    app = FastAPI(
        title="POS sync server",
        version="1.0.0",
        description="Sync protocol v1 between POS terminals and the store server (see PROTOCOL.md).",
        **({} if settings.docs else {"docs_url": None, "redoc_url": None, "openapi_url": None}),
    )
    app.state.settings = settings
    app.state.secret_box = settings.secret_box()
    app.state.admin_digests = admin_digests(settings)  # the token itself is not kept
    app.state.rate_limiter = Limiter(settings)
    app.state.engine = engine or make_engine(settings.database_url, pool_size=settings.db_pool_size,
                                             max_overflow=settings.db_max_overflow,
                                             lock_timeout_s=settings.idempotency_wait_s)
    for router in (terminals.router, orders.router, catalog.router, zreports.router, staff.router, receipts.router,
                   audit.router, admin.router, admin_views.router, ops.router):
        app.include_router(router)
    backoffice.install(app)  # /office: the back office's pages (sign-in of their own)
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
