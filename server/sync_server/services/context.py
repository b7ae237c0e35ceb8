"""Who is calling (an authenticated terminal) and the settings of its store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Connection, select

from pos_protocol.tax import TaxMode

from ..core.errors import store_unknown
from ..db.models import Store


@dataclass(frozen=True)
class Caller:
    terminal_id: str
    store_id: str
    enrolled_at: datetime
    clock_tolerance: timedelta
    """The server's `clock_tolerance_s`: the slack the caller's clock gets (order_checks)."""


@dataclass(frozen=True)
class StoreSettings:
    store_id: str
    name: str
    currency: str
    currency_scale: int
    tax_mode: TaxMode
    track_stock: bool
    catalog_version: int
    max_blind_return_qty: Decimal
    locale: str = "en"
    """How the back office writes its amounts and dates (a Babel locale name)."""


def load_store(conn: Connection, store_id: str) -> StoreSettings:
    row = conn.execute(select(Store).where(Store.store_id == store_id)).mappings().first()
    if row is None:
        raise store_unknown(store_id)
    return store_settings(row)


def store_settings(row) -> StoreSettings:
    """From a mapping holding the stores table's columns."""
    return StoreSettings(
        store_id=row["store_id"],
        name=row["name"],
        currency=row["currency"],
        currency_scale=row["currency_scale"],
        tax_mode=TaxMode(row["tax_mode"]),
        track_stock=row["track_stock"],
        catalog_version=row["catalog_version"],
        max_blind_return_qty=row["max_blind_return_qty"],
        locale=row.get("locale") or "en",
    )
