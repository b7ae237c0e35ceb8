"""Pure domain: money, catalog, tickets, tax, tenders, returns, permissions, reports.

No Qt, no SQLAlchemy, no HTTP, no I/O. Everything here is deterministic and
property-tested; the store, sync and UI layers build on it.
"""
