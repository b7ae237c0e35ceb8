"""Causal order against the real server: a return never overtakes its sale.

Issue 11, item 2: when the sale's first send was aborted (one request dropped by a proxy)
the pump retried it later but sent the return in between, and the server held the return
as ORIGINAL_ORDER_UNKNOWN. Real components only: `pos-sync-server serve` under uvicorn
(SQLite, and PostgreSQL when POS_TEST_POSTGRES_URL is set), an enrolled till on a real
SQLite file drained by the real pump, and between them a TCP proxy on loopback that
drops the first request without an answer (`aborting_proxy.py`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from pos_protocol.tax import TaxMode
from pos_terminal.sync.client import SyncClient
from pos_terminal.sync.pump import OutboxPump
from tests.pos_terminal.sync.harness import Clock
from tools.pg_schema import scratch_schema

from .aborting_proxy import AbortingProxy
from .contract_shop import MANAGER, ContractServer, ContractTill

pytestmark = pytest.mark.slow
WATER_A = "SKU00099"


@pytest.fixture
def pg_schema_url(postgres_url: str) -> Iterator[str]:
    """A schema of its own on the shared test database (search_path in the URL)."""
    with scratch_schema(postgres_url, "causal") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request, tmp_path: Path) -> Iterator[ContractServer]:
    db_url = request.getfixturevalue("pg_schema_url") if request.param == "postgres" else None
    srv = ContractServer.start(tmp_path, db_url)
    yield srv
    srv.stop()


@pytest.fixture
def till(server: ContractServer, tmp_path: Path) -> Iterator[ContractTill]:
    till = ContractTill.open(server, tmp_path / "till", TaxMode.INCLUSIVE)
    yield till
    till.close()


def test_a_sale_whose_first_send_is_aborted_and_its_return_arrive_in_order_both_accepted(server, till):
    till.till.add_sku(WATER_A, Decimal(2))
    sale = till.pay_card()
    till.services.returns.start(sale.receipt_no, MANAGER)
    till.services.returns.add(1, Decimal(1))
    refund = till.pay_cash(note=False)
    clock = Clock()
    with AbortingProxy(server.process.host, server.process.port) as proxy:
        client = SyncClient(proxy.url, till.client.auth)
        till.pump = OutboxPump(till.services.db, client, clock=clock, rng=random.Random(1))
        try:
            assert till.pump.pump_once().retried == 1
            assert proxy.aborted == [b"POST /v1/orders HTTP/1.1"]  # the sale, alone
            assert till.pump.pump_once().requests == 0  # the sale backs off; its return waits
            clock.advance(3600)
            answers = till.verify()  # drains through the proxy; accepted, stored as sent
        finally:
            client.close()
    assert [str(a.order_id) for a in answers] == [sale.order_id, refund.order_id]
    assert [a.status for a in answers] == ["accepted", "accepted"]
    assert answers[0].server_seq < answers[1].server_seq  # the server got the sale first
