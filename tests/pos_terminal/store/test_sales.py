"""What a sale reads besides itself, and finding a sale by its receipt number."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from pos_protocol import wire
from pos_terminal.config import load_config
from pos_terminal.core.sale import TenderType
from pos_terminal.services import Services, TenderInput, open_services
from pos_terminal.store import catalog as catalog_repo
from pos_terminal.store import sales

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    svc = open_services(load_config(data_dir=tmp_path), lambda: NOW)
    svc.till.sign_in("c1", "1111")
    yield svc
    svc.close()


def test_a_sale_records_the_catalog_version_the_catalog_reads_and_the_open_drawer(services: Services) -> None:
    db, terminal = services.db, services.config.terminal_id
    with db.write() as conn:
        assert sales.sale_context(conn, terminal) == (0, None)  # no catalog pulled, no drawer open
    with db.transaction() as s:
        # the last (only) page of a pull records its version
        catalog_repo.apply_page(s, wire.CatalogDelta(version=41, items=[], tax_rates=[], removed=[]), '"demo-store-41"')
    session_id = services.drawer.open(Decimal("100.00"))
    with db.transaction() as s:
        assert sales.sale_context(s, terminal) == (catalog_repo.catalog_version(s), session_id) == (41, session_id)
        assert sales.sale_context(s, "another till") == (41, None)
    services.till.add_sku("SKU00001")
    done = services.till.pay([TenderInput(TenderType.CASH, Decimal("20.00"))])
    with db.reader() as s:
        order = sales.find_by_receipt(s, done.receipt_no)
    assert (order.catalog_version, order.drawer_session_id) == (41, session_id)


@pytest.mark.parametrize("asked", ["T01-1", "T01-000002", "T01-", "-000001", "T01", "", "T01-00000x",
                                   "T01-٠٠٠٠٠١", "T01-99999999999999999999999", "t01-000001"])
def test_only_the_exact_receipt_number_finds_a_sale(services: Services, asked: str) -> None:
    services.till.add_sku("SKU00001")
    done = services.till.pay([TenderInput(TenderType.CASH, Decimal("20.00"))])
    with services.db.reader() as s:
        assert sales.find_by_receipt(s, done.receipt_no).order_id == done.order_id
        assert sales.find_by_receipt(s, asked) is None
