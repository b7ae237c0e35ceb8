from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import keyring
import pytest

from pos_terminal.keys import KeyringStore
from pos_terminal.services import Services
from pos_terminal.services.simulate import SaleSimulator
from pos_terminal.sync.client import SyncClient
from pos_terminal.sync.enrollment import client_for

from .harness import (Clock, InProcessServer, MemoryKeyring, UvicornServer, enrolled_till, enrollment_code,
                      in_process_server, prepare_server_db)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def server(tmp_path) -> Iterator[InProcessServer]:
    srv = in_process_server(tmp_path)
    yield srv
    srv.admin.close()
    srv.transport.shutdown()


@pytest.fixture
def uvicorn_server(tmp_path) -> Iterator[UvicornServer]:
    """The real server under uvicorn on a SQLite file, for the tests that need sockets
    (a restart, the shipped journal); test_clock keeps one per module."""
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    prepare_server_db(db_url)
    server = UvicornServer(db_url, log_path=tmp_path / "server.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def till(tmp_path, server, memory_keyring) -> Iterator[Services]:
    code = enrollment_code(server.db_url)
    services = enrolled_till(tmp_path / "till", "http://server", code, KeyringStore(memory_keyring),
                             transport=server.transport)
    yield services
    services.close()


@pytest.fixture
def client(till, server, memory_keyring) -> Iterator[SyncClient]:
    c = client_for(till.db, till.config, KeyringStore(memory_keyring), transport=server.transport)
    yield c
    c.close()


def ring_sales(services: Services, count: int, seed: int = 7) -> list[str]:
    """Ring up `count` valid sales through the till's own use cases; their order ids."""
    done: list[str] = []
    sim = SaleSimulator(services, random.Random(seed), lambda order: done.append(order.order_id))
    sim.run(count)
    services.till.sign_out()
    return done


def ring_sale_the_server_will_hold(services: Services, server: InProcessServer) -> str:
    """One sale whose first line's price head office had raised a moment before it was
    rung (the till had not pulled the change yet): the server holds it as PRICE_CHANGED."""
    from pos_terminal.store.models import Order

    [order_id] = ring_sales(services, 1)
    with services.db.reader() as s:
        order = s.get_one(Order, order_id)
        line, sold_at = order.lines[0], order.created_at
    server.put_item(line.sku, name="changed", unit=line.unit, price=str(line.unit_price + 1),
                    tax_code=line.tax_code, tax_rate=str(line.tax_rate),
                    effective_from=(sold_at - timedelta(milliseconds=1)).isoformat())
    return order_id


def ring_sale_and_its_return(services: Services) -> tuple[str, str]:
    """A sale and, straight after, the return of its first line against its receipt:
    (sale's order id, return's order id)."""
    from pos_terminal.core.sale import TenderType
    from pos_terminal.services import ApproverPin, TenderInput
    from pos_terminal.store.models import Order

    [sale_id] = ring_sales(services, 1)
    with services.db.reader() as s:
        receipt_no = s.get_one(Order, sale_id).receipt_no
    services.till.sign_in("c1", "1111")
    services.returns.start(receipt_no, ApproverPin("m1", "9999"))
    services.returns.add(1)
    refund = services.till.ticket.totals().gross
    completed = services.till.pay([TenderInput(TenderType.CASH, refund)])
    services.till.sign_out()
    return sale_id, completed.order_id
