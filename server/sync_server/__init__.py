"""The sync server (PROTOCOL.md v1): FastAPI app, SQLite or PostgreSQL, stateless processes.

What it shares with the tills (wire models, signing, the Idempotency-Key codec, money,
tax, roles) lives in `pos_protocol`; the server imports nothing of the till.

Inside: `api/` (app factory, routes, deps, middleware, problem rendering), `services/`
(orders, checks, idempotency, catalog, terminals, Z reports, resolution, stores, stock),
`db/` (models, engines, Alembic runner), `core/` (settings, logging, metrics, errors),
`cli.py`.
"""
