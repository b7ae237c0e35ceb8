"""The sync server (PROTOCOL.md v1): FastAPI app, SQLite or PostgreSQL, stateless processes.

Public surface for other packages (the terminal's client imports only these):
- `sync_server.wire`: the wire models, `canonical_json`, `content_hash`, `sealed_order`,
  `arithmetic_errors`.
- `sync_server.signing`: `sign`, `signed_headers`, `check_signature`, `TerminalAuth` (httpx).
- `sync_server.idempotency_key`: `format_idempotency_key`, `parse_idempotency_key`.

Inside: `api/` (app factory, routes, deps, middleware, problem rendering), `services/`
(orders, checks, idempotency, catalog, terminals, Z reports, resolution, stores), `db/`
(models, engines, Alembic runner), `core/` (settings, logging, metrics, errors), `cli.py`.
"""
