"""A PostgreSQL schema of one's own on a shared database, for tests and benchmarks.

Many runs share one database (`test` here, a chain's in a bench), so each works in a schema
it creates and drops; the URL it hands out sets `search_path` through libpq's `options`, so
every connection made from it (migrations, server processes) lands there.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from sqlalchemy import create_engine, text


def with_search_path(url: str, schema: str) -> str:
    """`url` whose connections use `schema` first."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def scratch_schema(url: str, prefix: str) -> Iterator[str]:
    """A new empty schema `<prefix>_<random>` on `url`'s database, dropped (with all it holds)
    afterwards; yields the URL that uses it."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield with_search_path(url, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
