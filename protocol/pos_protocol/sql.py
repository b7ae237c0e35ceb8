"""SQLAlchemy column types both sides store protocol values in; needs `pos-protocol[sql]`.

The only module of `pos_protocol` that imports SQLAlchemy (`tests/test_architecture.py`
allows it here and nowhere else), and only when the `sql` extra is installed: the till and
the server depend on `pos-protocol[sql]`, while `pos-protocol` alone stays pure pydantic.

`UtcDateTime` is the one time column: the times of the protocol (`wire.Time`, always
aware) are stored naive UTC, `DateTime(timezone=False)`, on the till's SQLite file and on
the server's SQLite or PostgreSQL alike, and always read back aware (UTC). That is how
both stored them before this type was shared, so no database changes. Naive UTC, not
`timestamptz`, so that both dialects compare and index them alike.
"""

from __future__ import annotations

from datetime import UTC, datetime

try:
    from sqlalchemy import DateTime
    from sqlalchemy.types import TypeDecorator
except ModuleNotFoundError as exc:  # fail soft, saying what to install (as httpx does for its CLI)
    raise ModuleNotFoundError(
        "pos_protocol.sql needs SQLAlchemy: install pos-protocol[sql]", name=exc.name) from exc

__all__ = ["UtcDateTime"]


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, stored naive UTC, aware UTC out. A naive time is refused: it
    could be any zone's wall clock."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column: pass an aware (UTC) time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)
