"""Paged catalog pulls at shop scale (20,000 items, pages of 1,000), against a loopback
server that pages per README "Catalog paging" (`paging_server.py`, real HTTP on
127.0.0.1); `test_catalog_pull.py` runs the same contract against the real sync server.

What matters: after the pull every item sells by barcode, SKU and search; a pull broken
between pages or killed inside one resumes at the first page it had not committed,
without losing or duplicating an item; the version is recorded with the last page only;
the till sells while it pulls.
"""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from pos_terminal.config import load_config
from pos_terminal.core.barcodes import make_variable_label
from pos_terminal.core.catalog import Item, Unit
from pos_terminal.core.sale import TenderType
from pos_terminal.services import Services, TenderInput, open_services
from pos_terminal.store.catalog import CatalogDeltaError
from pos_terminal.sync.catalog_pull import CatalogPuller
from pos_terminal.sync.client import ProblemReply, SyncClient
from pos_terminal.sync.events import CatalogUpdated
from tools.big_catalog import make_items

from tools.paging_server import PagingCatalogServer

ROOT = Path(__file__).resolve().parents[3]
SIZE = 20_000
PAGE = 1_000


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return make_items(SIZE)


@pytest.fixture
def server(items) -> Iterator[PagingCatalogServer]:
    srv = PagingCatalogServer()
    srv.load(items)
    srv.start()
    yield srv
    srv.stop()


def empty_till(data_dir: Path) -> Services:
    """A till with no catalog yet (nothing to seed): its first pull brings every item."""
    return open_services(load_config(data_dir=data_dir).replace(catalog_csv=None))


@pytest.fixture
def till(tmp_path) -> Iterator[Services]:
    services = empty_till(tmp_path / "till")
    yield services
    services.close()


@pytest.fixture
def client(server) -> Iterator[SyncClient]:
    c = SyncClient(server.url)
    yield c
    c.close()


def scan_code(item: Item) -> str:
    code = item.barcodes[-1]
    return make_variable_label(code, 1234) if len(code) == 7 else code


def fts_rows(services: Services) -> int:
    with services.db.reader() as s:
        conn = s.connection()
        conn.exec_driver_sql("INSERT INTO catalog_fts(catalog_fts, rank) VALUES ('integrity-check', 1)")
        return conn.exec_driver_sql("SELECT count(*) FROM catalog_fts").scalar()


def assert_every_item_sellable(services: Services, items: list[Item], checked: list[Item] | None = None) -> None:
    """The till holds each item once: one row per item, one barcode row per code, one FTS
    row per item (and the FTS index passes its integrity check). Each of `checked` (all
    items unless given) sells by each barcode (a scale label for a weighed one) and by SKU
    with the server's price, and search finds each active one under its SKU, once."""
    catalog = services.catalog
    assert catalog.count() == len(items)
    with services.db.reader() as s:
        codes = s.connection().exec_driver_sql("SELECT count(*) FROM catalog_barcodes").scalar()
    assert codes == sum(len(i.barcodes) for i in items)
    assert fts_rows(services) == len(items)
    for item in items if checked is None else checked:
        assert catalog.by_sku(item.sku) == item
        for code in item.barcodes:
            scan = catalog.by_barcode(make_variable_label(code, 1234) if len(code) == 7 else code)
            assert scan.item == item
            assert scan.weight == (Decimal("1.234") if item.unit is Unit.KG else None)
        # Lower case: not the exact-SKU shortcut, the FTS index itself.
        hits = [i.sku for i in catalog.search(item.sku.lower(), limit=5)]
        assert hits == ([item.sku] if item.active else []), (item, hits)


def around_page(items: list[Item], page: int) -> list[Item]:
    """The items of pages `page - 1` .. `page + 1` of a pull (pages go by SKU), and a
    sample of the others."""
    by_sku = sorted(items, key=lambda i: i.sku)
    near = by_sku[(page - 2) * PAGE:(page + 1) * PAGE]
    return near + random.Random(page).sample(by_sku, 1000)


def test_a_paged_first_pull_makes_every_item_sellable(till, client, server, items):
    versions_seen: list[tuple[int, int | None]] = []

    def after_page(event: CatalogUpdated) -> None:  # on the pulling thread, after the commit
        versions_seen.append((till.catalog.store.pull_state().version, event.version))

    puller = CatalogPuller(till.catalog.store, client, page_size=PAGE)
    puller.events.subscribe(after_page)
    result = puller.pull_once()

    assert (result.pages, result.upserted, result.version) == (SIZE // PAGE, SIZE, server.version)
    # The version is the till's only once the last page is in.
    assert versions_seen == [(0, None)] * (SIZE // PAGE - 1) + [(server.version, server.version)]
    assert [("cursor" in q, q["limit"]) for q in server.requests] == \
        [(False, str(PAGE))] + [(True, str(PAGE))] * (SIZE // PAGE - 1)
    assert till.catalog.store.pull_state().cursor is None
    assert_every_item_sellable(till, items)

    assert not puller.pull_once().changed  # 304: nothing since
    till.till.sign_in("c1", "1111")
    for item in random.Random(3).sample([i for i in items if i.active], 5):
        till.till.scan(scan_code(item))
    till.till.pay([TenderInput(TenderType.CARD, till.till.ticket.totals().gross, "t")])


def test_a_pull_broken_between_pages_resumes_at_the_next_page(till, client, server, items):
    server.fail_pages = {4}
    puller = CatalogPuller(till.catalog.store, client, page_size=PAGE)
    with pytest.raises(ProblemReply):
        puller.pull_once()
    state = till.catalog.store.pull_state()
    assert (state.version, till.catalog.count()) == (0, 3 * PAGE) and state.cursor is not None
    server.requests.clear()

    result = puller.pull_once()

    assert server.requests[0]["cursor"] == state.cursor  # not from the start
    assert (result.pages, result.upserted, result.version) == (SIZE // PAGE - 3, SIZE - 3 * PAGE, server.version)
    assert_every_item_sellable(till, items, around_page(items, 4))


CHILD = textwrap.dedent("""
    import dataclasses, sys, time
    from pathlib import Path
    from pos_terminal.config import load_config
    from pos_terminal.services import open_services
    from pos_terminal.store import catalog as store_catalog
    from pos_terminal.sync.catalog_pull import CatalogPuller
    from pos_terminal.sync.client import SyncClient

    data_dir, url, kill_in = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    services = open_services(load_config(data_dir=data_dir).replace(catalog_csv=None))
    write_items, pages = store_catalog._write_items, []

    def write_then_wait(conn, items):  # the real write, then stop inside the page's transaction
        write_items(conn, items)
        pages.append(len(items))
        if len(pages) == kill_in:
            print("inside page", len(pages), flush=True)
            time.sleep(120)

    store_catalog._write_items = write_then_wait
    CatalogPuller(services.catalog.store, SyncClient(url), page_size=1000).pull_once()
    print("finished", flush=True)
""")


def test_a_pull_killed_inside_a_page_resumes_without_losing_or_duplicating_an_item(tmp_path, server, items):
    data_dir = tmp_path / "till"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir), server.url, "5"], env=env,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "inside page 5", line
        child.send_signal(signal.SIGKILL)  # no clean-up of any kind: the page is half written
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)

    till = empty_till(data_dir)
    try:
        state = till.catalog.store.pull_state()
        assert (state.version, till.catalog.count(), fts_rows(till)) == (0, 4 * PAGE, 4 * PAGE)
        server.requests.clear()
        result = CatalogPuller(till.catalog.store, SyncClient(server.url), page_size=PAGE).pull_once()
        assert server.requests[0]["cursor"] == state.cursor
        assert (result.pages, result.upserted) == (SIZE // PAGE - 4, SIZE - 4 * PAGE)
        assert_every_item_sellable(till, items, around_page(items, 5))
    finally:
        till.close()


def test_the_tax_rates_of_the_first_page_serve_the_items_of_later_pages(till, client, server, items):
    """A new tax code's rate travels on page 1 only; its items may come many pages later
    (and after a restart in between)."""
    late = [Item(sku=f"ZZ{n:03d}", name=f"Reduced thing {n}", barcodes=(), unit=Unit.EA, price=Decimal("1.00"),
                 tax_code="R", tax_rate=Decimal("0.055"), category="Reduced") for n in range(3)]
    for item in late:
        server.put(item, rate_changed=True)
    server.fail_pages = {2}
    puller = CatalogPuller(till.catalog.store, client, page_size=PAGE)
    with pytest.raises(ProblemReply):
        puller.pull_once()
    puller.pull_once()
    assert [till.catalog.by_sku(i.sku).tax_rate for i in late] == [Decimal("0.055")] * 3


def test_an_item_whose_tax_code_has_no_rate_refuses_its_page_and_nothing_of_it_is_kept(till, client, server, items):
    server.put(Item(sku="AAA", name="no rate", barcodes=(), unit=Unit.EA, price=Decimal("1.00"),
                    tax_code="Q", tax_rate=Decimal("0.01"), category="X"))
    server.rates.pop("Q")
    with pytest.raises(CatalogDeltaError, match="tax code 'Q' has no rate"):
        CatalogPuller(till.catalog.store, client, page_size=PAGE).pull_once()
    assert till.catalog.count() == 0 and till.catalog.store.pull_state().cursor is None


def test_a_change_made_during_a_pull_comes_with_the_next_pull(till, client, server, items):
    last = items[-1]
    renamed = dataclasses.replace(last, name="Renamed during the pull", price=Decimal("9.99"))
    changed: list[int] = []

    first_page = items[0]

    def head_office_edits(event: CatalogUpdated) -> None:  # right after page 1 is committed
        if not changed:
            server.put(renamed)  # on the last page, not fetched yet
            server.remove(first_page.sku)  # on page 1, which the till has already
            changed.append(server.version)

    puller = CatalogPuller(till.catalog.store, client, page_size=PAGE)
    puller.events.subscribe(head_office_edits)
    first = puller.pull_once()
    assert first.version < changed[0]
    # The pull covered (0, T]; both edits are above T. The item edited is left out of this
    # pull (the server's row carries the newer version) and the removed one still sells.
    assert last.sku not in till.catalog and first_page.sku in till.catalog

    second = puller.pull_once()
    assert second.version == changed[0] and (second.upserted, second.removed) == (1, 1)
    assert till.catalog.by_sku(last.sku) == renamed and first_page.sku not in till.catalog
    assert [i.sku for i in till.catalog.search("renamed during")] == [last.sku]


def test_a_cursor_the_server_cannot_read_starts_the_pull_over(till, client, server, items):
    server.fail_pages = {3}
    puller = CatalogPuller(till.catalog.store, client, page_size=PAGE)
    with pytest.raises(ProblemReply):
        puller.pull_once()
    with till.db.transaction() as s:  # e.g. the server was replaced and reads other cursors
        s.connection().exec_driver_sql("UPDATE catalog_state SET pull_cursor = 'garbage' WHERE id = 1")
    server.requests.clear()
    result = puller.pull_once()
    assert server.requests[0]["cursor"] == "garbage" and "cursor" not in server.requests[1]
    assert result.pages == SIZE // PAGE and result.version == server.version
    assert till.catalog.count() == SIZE and fts_rows(till) == SIZE


def test_a_pull_in_turns_of_a_few_pages_goes_on_where_it_stopped(till, client, server):
    puller = CatalogPuller(till.catalog.store, client, page_size=PAGE)
    turns = []
    while True:
        result = puller.pull_once(max_pages=6)
        turns.append((result.pages, result.more))
        if not result.more:
            break
    assert turns == [(6, True), (6, True), (6, True), (2, False)]
    assert till.catalog.count() == SIZE and result.version == server.version


def test_the_till_sells_while_it_pulls(till, client, server, items):
    """The pull runs on its own thread; scans read committed pages, and a sale commits
    between two pages (it waits for the write lock at most one page)."""
    by_sku = sorted(items, key=lambda i: i.sku)
    committed: list[int] = []
    puller = CatalogPuller(till.catalog.store, client, page_size=PAGE)
    puller.events.subscribe(lambda e: committed.append(len(committed) + 1))
    errors: list[BaseException] = []

    def pull() -> None:
        try:
            puller.pull_once()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    puller_thread = threading.Thread(target=pull)
    till.till.sign_in("c1", "1111")
    sales, slowest = 0, 0.0
    puller_thread.start()
    while puller_thread.is_alive():
        pages = len(committed)
        if pages == 0:
            time.sleep(0.005)
            continue
        sellable = [i for i in by_sku[:pages * PAGE] if i.active]  # pages come by SKU
        for item in random.Random(pages).sample(sellable, 3):
            till.till.scan(scan_code(item))
        start = time.perf_counter()
        till.till.pay([TenderInput(TenderType.CARD, till.till.ticket.totals().gross, "t")])
        slowest = max(slowest, time.perf_counter() - start)
        sales += 1
    puller_thread.join()
    assert not errors
    assert sales >= 2 and slowest < 5.0
    assert till.catalog.count() == SIZE


def test_the_sync_service_pulls_a_few_pages_a_turn_so_the_pump_runs_between(till, client, server):
    from pos_terminal.sync.service import CATALOG_PAGES_PER_TURN, SyncService

    sync = SyncService(till, client, heartbeat_interval_s=3600)
    try:
        assert CATALOG_PAGES_PER_TURN * 2 == SIZE // PAGE
        assert sync._pull_catalog() == 0.0  # more to come: run again right after the pump
        assert till.catalog.count() == CATALOG_PAGES_PER_TURN * PAGE
        assert sync._pull_catalog() == till.config.pull_interval_s
        assert till.catalog.count() == SIZE
    finally:
        sync.client.close()
