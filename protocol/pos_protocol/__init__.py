"""Sync protocol v1: what a till and the sync server must agree on, and nothing else.

Both `pos_terminal` and `sync_server` depend on this package; it imports neither (a test
walks the import graph). Pure Python plus pydantic: no Qt, no SQLAlchemy, no HTTP client.

- money.py            Currency, the one rounding rule (ROUND_HALF_UP), decimal parsing
- tax.py              per-rate tax and ticket totals, inclusive or exclusive (TaxMode)
- permissions.py      roles and what each may do
- codes.py            the vocabulary: error codes, conflict codes, order statuses, Z report flags
- paths.py            the API's paths (route templates, and functions that fill them in)
- wire.py             the pydantic wire models, their arithmetic checks, canonical JSON
                      and the content hash
- signing.py          HMAC request signing as pure functions
- idempotency_key.py  the Idempotency-Key header codec (RFC 8941 string)
"""
