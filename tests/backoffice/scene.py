"""A shop for the back office: the real server (`ContractServer`, under uvicorn), office
accounts made with the real CLI, and a real till whose sales reach the server through its
outbox pump. Shared by the browser tests and `tools/backoffice_screenshots.py`.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import json

import httpx
from sqlalchemy import select

from pos_protocol import paths, wire
from pos_protocol.wire import canonical_json
from pos_protocol.tax import TaxMode
from pos_terminal.core.sale import TenderType
from pos_terminal.services import CompletedOrder, TenderInput
from pos_terminal.store.models import OutboxEntry
from sync_server.services import catalog
from tests.e2e.contract_shop import MANAGER, ContractServer, ContractTill
from tests.pos_terminal.sync.harness import ADMIN_TOKEN, DEMO_CSV

STORE = "vat-store"  # EUR, prices include tax; written the German way (de_DE) in the office
LOCALE = "de_DE"
ROLL = "SKU00011"  # a bread roll, 0.57 in the demo catalog
WATER = "SKU00099"  # 9.93


@dataclass(frozen=True)
class OfficeUser:
    user_id: str
    name: str
    role: str
    password: str


MANAGER_ACCOUNT = OfficeUser("anna", "Anna Office", "manager", "correct horse battery")
CASHIER_ACCOUNT = OfficeUser("carl", "Carl Counter", "cashier", "carl's long password")
ADMIN_ACCOUNT = OfficeUser("olga", "Olga Owner", "admin", "olga keeps the staff list")  # users.manage
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
DEMO_ITEMS = dict(catalog.read_csv(DEMO_CSV))


def add_office_user(db_url: str, user: OfficeUser) -> str:
    """`pos-sync-server office-user add ... --password-stdin`, as an operator would run it."""
    done = subprocess.run([sys.executable, "-m", "sync_server.cli", "--db", db_url, "office-user", "add", user.user_id,
                           "--name", user.name, "--role", user.role, "--password-stdin"],
                          input=user.password + "\n", capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


def open_shop(workdir: Path) -> ContractServer:
    server = ContractServer.start(workdir)
    store = {"name": "Bäckerei am Markt", "currency": "EUR", "tax_mode": "inclusive",
             "max_blind_return_qty": "100", "locale": LOCALE}
    httpx.put(server.url + paths.fill(paths.ADMIN_STORE, store_id=STORE), json=store, headers=ADMIN,
              timeout=30).raise_for_status()
    for user in (MANAGER_ACCOUNT, CASHIER_ACCOUNT, ADMIN_ACCOUNT):
        add_office_user(server.db_url, user)
    return server


def open_till(server: ContractServer, data_dir: Path, template: Path | None = None) -> ContractTill:
    return ContractTill.open(server, data_dir, TaxMode.INCLUSIVE, template=template)


def set_price(server: ContractServer, sku: str, price: str) -> int:
    """The admin API's item upsert: the item as in the demo catalog at another price."""
    item = DEMO_ITEMS[sku].model_dump(mode="json", exclude_none=True) | {"price": price}
    answer = server.put_item(STORE, sku, **item)
    answer.raise_for_status()
    return answer.json()["catalog_version"]


def sell_at_stale_price(server: ContractServer, till: ContractTill, sku: str, qty: Decimal, new_price: str) -> CompletedOrder:
    """The office raises a price, the till (not pulled yet) sells at the old one: the
    server holds the order as PRICE_CHANGED once the pump delivers it."""
    set_price(server, sku, new_price)
    till.till.add_sku(sku, qty)
    order = till.pay_card()
    till.drain()
    return order


def sell_and_close_day(till: ContractTill) -> tuple[CompletedOrder, str]:
    """A drawer session with one cash sale, closed with a Z report that reaches the server."""
    till.services.drawer.open(Decimal("100.00"))
    till.till.add_sku(WATER, Decimal(2))
    order = till.till.pay([TenderInput(TenderType.CASH, Decimal("20.00"))])
    closed = till.services.drawer.close_day(Decimal("119.86"), MANAGER)
    till.drain()
    return order, closed.report_id


DEVICES = {"printer": "ready", "scale": "offline", "scanner": "ready"}


def send_heartbeat(till: ContractTill, devices: dict[str, str] | None = None) -> None:
    """What the till's sync worker sends every minute: its outbox and its devices."""
    queue = till.pump.queue_state()
    till.client.heartbeat(wire.Heartbeat(queue_depth=queue.depth, oldest_pending_age_s=queue.oldest_age_s or 0.0,
                                         app_version="0.1.0", devices=DEVICES if devices is None else devices))


def sell_with_the_outbox_held_back(till: ContractTill, count: int) -> list[CompletedOrder]:
    """A drawer session's sales while nothing is sent (the pump is simply not run, as when
    the server is unreachable): the orders wait in the till's outbox."""
    till.services.drawer.open(Decimal("50.00"))
    sold = []
    for _ in range(count):
        till.till.add_sku(ROLL, Decimal(2))
        sold.append(till.till.pay([TenderInput(TenderType.CASH, Decimal("5.00"))]))
    return sold


def close_day_and_send_the_z_first(till: ContractTill, counted: Decimal, tamper=None) -> str:
    """Close the day and send only its Z report ahead of the orders (by another route than
    the outbox, which would send the orders first), signed as the till; `tamper` may change
    the report's JSON on the way. The orders stay in the outbox until the till drains it."""
    closed = till.services.drawer.close_day(counted, MANAGER)
    with till.services.db.reader() as s:
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.idempotency_key == closed.report_id)).one()
        method, path, body, key = entry.method, entry.path, entry.body, entry.idempotency_key
    if tamper is not None:
        body = canonical_json(tamper(json.loads(body))).decode()
    answer = till.client.request(method, path, body.encode(), idempotency_key=key)
    assert answer.status == 201, answer.body
    return closed.report_id
