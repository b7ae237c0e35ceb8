"""The store's back office, items 1 and 2, end to end: the real server under uvicorn (on
SQLite and on PostgreSQL) and enrolled tills on real SQLite files.

- Returns across tills: a sale rung on till A is returned on till B against the server's
  copy, with what every till returned counted (B's own return not yet sent included);
  offline, B refuses in words and a manager's blind return still works.
- The staff list: a user added in the office signs in on a till once its staff pull has
  run, still signs in with the server gone, and is refused once their removal arrives; a
  till admin's change reaches the other till through the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from pos_protocol.permissions import Permission, PermissionDenied, Role
from pos_protocol.pins import hash_pin
from pos_protocol.tax import TaxMode
from pos_terminal.core.returns import ReturnExceedsSale
from pos_terminal.services.returns import ReceiptLookupOffline, ReceiptNotFound
from pos_terminal.services.staff import OfficeRefused, OfficeUnreachable, UnknownUser
from pos_terminal.sync.client import SyncClient
from pos_terminal.sync.staff_pull import StaffPuller
from tests.pos_terminal.sync.harness import ADMIN_TOKEN, free_port
from tools.pg_schema import scratch_schema

from .contract_shop import MANAGER, STORES, ContractServer, ContractTill

D = Decimal
STORE = STORES[TaxMode.INCLUSIVE]
BREAD = "SKU00001"  # 19.71, 7 %
WATER = "SKU00099"  # 9.93, 19 %
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ContractServer]:
    workdir = tmp_path_factory.mktemp(f"server-{request.param}")
    if request.param == "sqlite":
        srv = ContractServer.start(workdir)
        yield srv
        srv.stop()
        return
    with scratch_schema(request.getfixturevalue("postgres_url"), "e2e_staff") as url:
        srv = ContractServer.start(workdir, url)
        yield srv
        srv.stop()


@pytest.fixture(scope="module")
def till_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ContractTill.template(tmp_path_factory.mktemp("till-template"))


@pytest.fixture
def open_till(server: ContractServer, till_template: Path, tmp_path: Path):
    opened: list[ContractTill] = []

    def open_(name: str) -> ContractTill:
        till = ContractTill.open(server, tmp_path / name, TaxMode.INCLUSIVE, template=till_template)
        till.services.connect(till.client.twin())
        opened.append(till)
        return till

    yield open_
    for till in opened:
        till.close()


def admin(server: ContractServer, method: str, path: str, **kwargs) -> httpx.Response:
    return httpx.request(method, f"{server.url}/v1/admin/stores/{STORE}{path}", timeout=30,
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, **kwargs)


def sell_bread_and_water(till: ContractTill):
    till.till.add_sku(BREAD, D(3))
    till.till.add_sku(WATER, D(2))
    sale = till.pay_cash()
    till.verify()
    return sale


# -- returns across tills -------------------------------------------------------------------


def test_a_sale_on_till_a_is_returned_on_till_b_with_every_till_s_returns_counted(open_till) -> None:
    a, b = open_till("a"), open_till("b")
    sale = sell_bread_and_water(a)

    b.services.returns.start(sale.receipt_no, MANAGER)
    assert b.services.returns.returnable() == {1: D(3), 2: D(2)}
    b.services.returns.add(1, D(1))
    refund = b.pay_cash(note=False)
    assert refund.sale.original_order_id == sale.order_id
    [answer] = b.verify()  # accepted by the server, against A's sale
    assert answer.order.original_order_id is not None and str(answer.order.original_order_id) == sale.order_id

    # A, whose receipt it is, counts B's return too (it asks the server when it can).
    a.services.returns.start(sale.receipt_no, MANAGER)
    assert a.services.returns.returnable() == {1: D(2), 2: D(2)}
    a.till.cancel_ticket(MANAGER)

    # B again, with one more return rung but not yet sent: both count.
    b.services.returns.start(sale.receipt_no, MANAGER)
    b.services.returns.add(1, D(1))
    b.pay_cash(note=False)
    b.services.returns.start(sale.receipt_no, MANAGER)
    assert b.services.returns.returnable() == {1: D(1), 2: D(2)}
    b.services.returns.add(2)
    b.services.returns.add(1)
    b.pay_cash(note=False)
    b.verify()  # both returns accepted: not one unit more than was sold

    b.services.returns.start(sale.receipt_no, MANAGER)
    assert b.services.returns.returnable() == {}
    with pytest.raises(ReturnExceedsSale):
        b.services.returns.add(1, D(1))
    b.till.cancel_ticket()


def test_a_receipt_no_till_of_the_store_sold_is_not_found(open_till) -> None:
    b = open_till("b")
    with pytest.raises(ReceiptNotFound, match="on this till or on the server"):
        b.services.returns.start("T404-000001", MANAGER)


def test_offline_the_lookup_is_refused_in_words_and_a_blind_return_is_offered(open_till) -> None:
    a, b = open_till("a"), open_till("b")
    sale = sell_bread_and_water(a)
    b.services.connect(SyncClient(f"http://127.0.0.1:{free_port()}", b.client.auth))  # nothing listens
    with pytest.raises(ReceiptLookupOffline, match="return without receipt") as refused:
        b.services.returns.start(sale.receipt_no, MANAGER)
    assert refused.value.receipt_no == sale.receipt_no
    assert len(b.till.ticket) == 0 and b.till.ticket.kind == "sale"  # nothing was started

    b.services.returns.start_blind(MANAGER)
    b.till.add_sku(BREAD)
    b.pay_cash(note=False)
    b.verify()  # the blind return, approved by m1 (return.blind), is accepted


# -- the staff list -------------------------------------------------------------------------


def test_an_office_user_signs_in_offline_and_is_refused_once_removed(server, open_till) -> None:
    till = open_till("a")
    puller = StaffPuller(till.services.db, till.client)
    put = admin(server, "PUT", "/users/c7", json={"name": "Cem", "role": "cashier", "pin_hash": hash_pin("7777")})
    assert put.status_code in (200, 201), put.text
    with pytest.raises(UnknownUser):
        till.till.sign_in("c7", "7777")
    assert puller.pull_once() is not None
    assert till.till.sign_in("c7", "7777").role is Role.CASHIER

    offline = StaffPuller(till.services.db, SyncClient(f"http://127.0.0.1:{free_port()}", till.client.auth))
    with pytest.raises(Exception):
        offline.pull_once()
    assert till.till.sign_in("c7", "7777").user_id == "c7"  # the last list received

    assert admin(server, "DELETE", "/users/c7").status_code == 200
    assert till.till.sign_in("c7", "7777").user_id == "c7"  # the till has not heard yet
    applied = puller.pull_once()
    assert applied is not None and applied.removed == ("c7",)
    with pytest.raises(UnknownUser):
        till.till.sign_in("c7", "7777")


def test_a_till_admin_adds_a_user_who_then_signs_in_on_another_till(server, open_till) -> None:
    a, b = open_till("a"), open_till("b")
    # The server knows a1 as an admin (as the till's seed does); the server checks again.
    admin(server, "PUT", "/users/a1", json={"name": "Ada Admin", "role": "admin"}).raise_for_status()
    ada = a.services.staff.approve("a1", "4444", Permission.USERS_MANAGE, "staff").approver
    a.services.staff.add(ada, "c8", "Cleo", Role.CASHIER, "8888")
    assert a.till.sign_in("c8", "8888").name == "Cleo"  # at once on the till that made it

    StaffPuller(b.services.db, b.client).pull_once()
    assert b.till.sign_in("c8", "8888").name == "Cleo"
    a.services.staff.set_pin(ada, "c8", "1234")
    StaffPuller(b.services.db, b.client).pull_once()
    assert b.till.sign_in("c8", "1234").user_id == "c8"
    a.services.staff.remove(ada, "c8")
    StaffPuller(b.services.db, b.client).pull_once()
    with pytest.raises(UnknownUser):
        b.till.sign_in("c8", "1234")
    users = admin(server, "GET", "/users").json()
    assert "c8" not in {u["user_id"] for u in users}


def test_a_staff_change_needs_users_manage_here_and_on_the_server(server, open_till) -> None:
    till = open_till("a")
    manager = till.services.staff.approve("m1", "9999", Permission.REFUND, "x").approver
    with pytest.raises(PermissionDenied):
        till.services.staff.add(manager, "c6", "Cy", Role.CASHIER, "6666")
    # a1 is an admin on this till's seed, but a cashier on the server: the server refuses.
    admin(server, "PUT", "/users/a1", json={"name": "Ada Admin", "role": "cashier"}).raise_for_status()
    try:
        ada = till.services.staff.approve("a1", "4444", Permission.USERS_MANAGE, "staff").approver
        with pytest.raises(OfficeRefused, match="users.manage"):
            till.services.staff.add(ada, "c6", "Cy", Role.CASHIER, "6666")
        till.services.connect(SyncClient(f"http://127.0.0.1:{free_port()}", till.client.auth))
        with pytest.raises(OfficeUnreachable, match="try again when the till is online"):
            till.services.staff.add(ada, "c6", "Cy", Role.CASHIER, "6666")
        with pytest.raises(UnknownUser):
            till.till.sign_in("c6", "6666")  # nothing was changed
    finally:
        admin(server, "PUT", "/users/a1", json={"name": "Ada Admin", "role": "admin"}).raise_for_status()


def test_the_first_pull_replaces_the_seed_file_s_staff_with_the_server_s_list(server, open_till) -> None:
    till = open_till("a")
    assert admin(server, "DELETE", "/users/a1").status_code in (200, 404)  # a1 only in the till's seed
    applied = StaffPuller(till.services.db, till.client).pull_once()
    assert applied is not None and "a1" in applied.removed
    with pytest.raises(UnknownUser):
        till.till.sign_in("a1", "4444")
    assert till.till.sign_in("m1", "9999").user_id == "m1"  # on the server without a hash: the till's PIN stays
