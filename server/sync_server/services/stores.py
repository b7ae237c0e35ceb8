"""Admin operations on stores: settings and stock levels (the staff list is services/staff.py)."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from pos_protocol.codes import ErrorCode

from ..core.errors import DomainError
from ..db.models import Item, Stock, Store
from pos_protocol.wire import StockOut, StockSet, StoreOut, StoreUpsert
from .context import load_store
from .stock import from_milli, to_milli


def upsert_store(conn: Connection, store_id: str, store: StoreUpsert) -> tuple[StoreOut, bool]:
    values = {
        "name": store.name, "currency": store.currency, "currency_scale": store.currency_scale,
        "tax_mode": store.tax_mode.value, "track_stock": store.track_stock,
        "max_blind_return_qty": store.max_blind_return_qty, "locale": store.locale,
    }
    created = conn.execute(update(Store).where(Store.store_id == store_id).values(**values)).rowcount == 0
    if created:
        conn.execute(insert(Store).values(store_id=store_id, catalog_version=0, **values))
    settings = load_store(conn, store_id)
    out = StoreOut(
        store_id=store_id, name=settings.name, currency=settings.currency, currency_scale=settings.currency_scale,
        tax_mode=settings.tax_mode, track_stock=settings.track_stock,
        max_blind_return_qty=settings.max_blind_return_qty, catalog_version=settings.catalog_version,
        locale=settings.locale,
    )
    return out, created


def set_stock(conn: Connection, store_id: str, sku: str, stock: StockSet) -> StockOut:
    load_store(conn, store_id)
    if conn.execute(select(Item.sku).where(Item.store_id == store_id, Item.sku == sku)).first() is None:
        raise DomainError(ErrorCode.ITEM_UNKNOWN, f"no item {sku} in store {store_id}")
    milli = to_milli(stock.on_hand)
    where = (Stock.store_id == store_id, Stock.sku == sku)
    if conn.execute(update(Stock).where(*where).values(on_hand_milli=milli)).rowcount == 0:
        conn.execute(insert(Stock).values(store_id=store_id, sku=sku, on_hand_milli=milli))
    return StockOut(store_id=store_id, sku=sku, on_hand=from_milli(milli))


def get_stock(conn: Connection, store_id: str, sku: str) -> StockOut:
    milli = conn.execute(select(Stock.on_hand_milli).where(Stock.store_id == store_id, Stock.sku == sku)).scalar_one_or_none()
    if milli is None:
        raise DomainError(ErrorCode.STOCK_UNKNOWN, f"no stock level for {sku} in store {store_id}")
    return StockOut(store_id=store_id, sku=sku, on_hand=from_milli(milli))
