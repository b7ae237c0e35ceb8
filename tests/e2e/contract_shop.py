"""A real sync server and real tills for the terminal <-> server contract tests.

`ContractServer` is `pos-sync-server serve` under uvicorn on an ephemeral port, with two
stores built from the demo catalog: `vat-store` (prices include tax) and `us-store`
(tax added on top), and the staff m1/s1/c1 the server checks overrides against.
`ContractTill` is an enrolled till (real services on a real SQLite file) whose outbox is
drained by the real pump over HTTP. Nothing here imitates either side; only the keyring is
in memory (this machine has no OS keyring), through keyring's own backend API.
"""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import select

from pos_terminal.config import DEFAULT_CONFIG, load_config
from pos_terminal.core.sale import TenderType
from pos_protocol.tax import TaxMode
from pos_terminal.keys import KeyringStore
from pos_terminal.services import CompletedOrder, Services, open_services
from pos_terminal.services.till import ApproverPin, TenderInput, Till
from pos_terminal.store.db import Database
from pos_terminal.store.models import Order, OutboxEntry
from pos_terminal.sync.client import SyncClient
from pos_terminal.sync.enrollment import client_for, enroll, enrolled_config
from pos_terminal.sync.pump import OutboxPump, PumpSettings
from sync_server.db import migrations
from sync_server.db.session import make_engine, write_transaction
from sync_server.services import catalog, staff, stores, terminals
from pos_protocol.wire import OrderStatusOut, StoreUpsert, StoreUserPut, canonical_json
from tests.pos_terminal.sync.harness import (
    ADMIN_TOKEN,
    DEMO_CSV,
    USERS,
    MemoryKeyring,
    UvicornServer,
)

STORES = {TaxMode.INCLUSIVE: "vat-store", TaxMode.EXCLUSIVE: "us-store"}
CURRENCY = {TaxMode.INCLUSIVE: "EUR", TaxMode.EXCLUSIVE: "USD"}
MANAGER = ApproverPin("m1", "9999")
SUPERVISOR = ApproverPin("s1", "2222")
CASHIER = ("c1", "1111")
NOTES = [Decimal(n) for n in (5, 10, 20, 50, 100, 200, 500, 1000, 10_000, 100_000)]


class ContractError(AssertionError):
    """The server did not simply accept an order the till committed."""


@dataclass
class ContractServer:
    db_url: str
    process: UvicornServer

    @property
    def url(self) -> str:
        return self.process.url

    @classmethod
    def start(cls, workdir: Path, db_url: str | None = None) -> ContractServer:
        db_url = db_url or f"sqlite:///{workdir / 'server.sqlite3'}"
        migrations.upgrade(db_url)
        engine = make_engine(db_url, pool_size=1)
        items = catalog.read_csv(DEMO_CSV)
        with write_transaction(engine) as conn:
            for mode, store_id in STORES.items():
                # Random blind returns take back up to 36 of an item; the server's limit on
                # them (and its holds) is tested in tests/sync_server/test_stock.py.
                stores.upsert_store(conn, store_id, StoreUpsert(name=store_id, currency=CURRENCY[mode], tax_mode=mode,
                                                                max_blind_return_qty=Decimal(100)))
                for user_id, name, role in USERS:
                    staff.put_user(conn, store_id, user_id, StoreUserPut(name=name, role=role))
                catalog.import_items(conn, store_id, items)
        engine.dispose()
        process = UvicornServer(db_url, log_path=workdir / "server.log")
        process.start()
        return cls(db_url, process)

    def enrollment_code(self, store_id: str) -> str:
        engine = make_engine(self.db_url, pool_size=1)
        with write_transaction(engine) as conn:
            code = terminals.create_enrollment_code(conn, store_id, 3600).code
        engine.dispose()
        return code

    def put_item(self, store_id: str, sku: str, **fields: object) -> httpx.Response:
        """The admin API's item upsert (a new catalog version)."""
        return httpx.put(f"{self.url}/v1/admin/stores/{store_id}/items/{sku}", json=fields, timeout=30,
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})

    def stop(self) -> None:
        self.process.stop()


@dataclass
class ContractTill:
    """An enrolled till of one store, in one tax mode, optionally rounding cash."""

    services: Services
    client: SyncClient
    pump: OutboxPump
    committed: list[CompletedOrder] = field(default_factory=list)
    verified: set[str] = field(default_factory=set)

    @staticmethod
    def template(workdir: Path) -> Path:
        """A fresh, unenrolled till database (migrated, demo catalog and staff seeded).

        Copied for every till: seeding 334 items and hashing three PINs once instead of
        per test keeps the module fast. The copy is then enrolled and opened as usual.
        """
        services = open_services(load_config(DEFAULT_CONFIG, data_dir=workdir))
        path = services.config.db_path
        services.close()  # the last connection closing checkpoints the WAL into the file
        return path

    @classmethod
    def open(cls, server: ContractServer, data_dir: Path, tax_mode: TaxMode,
             cash_rounding: Decimal = Decimal("0.00"), template: Path | None = None) -> ContractTill:
        base = load_config(DEFAULT_CONFIG, data_dir=data_dir)
        config = base.replace(tax_mode=tax_mode, cash_rounding=cash_rounding,
                              currency=dataclasses.replace(base.currency, code=CURRENCY[tax_mode]),
                              server_url=server.url)
        keystore = KeyringStore(MemoryKeyring())
        data_dir.mkdir(parents=True, exist_ok=True)
        if template is not None:
            shutil.copyfile(template, config.db_path)
        db = Database(config.db_path)
        enroll(db, keystore, server.url, server.enrollment_code(STORES[tax_mode]), f"till {data_dir.name}")
        db.close()
        services = open_services(enrolled_config(config))
        client = client_for(services.db, services.config, keystore)
        # Batches of a few orders, so both `POST /v1/orders` and `orders:batch` are exercised.
        pump = OutboxPump(services.db, client, settings=PumpSettings(batch_size=4))
        till = cls(services, client, pump)
        services.till.on_committed(till.committed.append)
        services.till.sign_in(*CASHIER)
        return till

    @property
    def tax_mode(self) -> TaxMode:
        return self.services.config.tax_mode

    def close(self) -> None:
        self.client.close()
        self.services.close()

    # -- draining and judging -------------------------------------------------------------

    def drain(self, rounds: int = 50) -> None:
        """Pump until nothing is pending (a retry means the server failed: that is an error)."""
        for _ in range(rounds):
            report = self.pump.pump_once()
            if report.retried:
                raise ContractError(f"the server asked to retry: {self.pump.last_error}")
            if not report.sent_anything:
                return
        raise ContractError(f"outbox still sending after {rounds} rounds")

    def verify(self) -> list[OrderStatusOut]:
        """Drain, then check every order this till committed (and not checked yet), on both sides.

        Expected: accepted, stored byte for byte as sent. No exception: two sales of the
        same goods (the same content hash) at different moments are both accepted
        (PROTOCOL.md: DUPLICATE_CONTENT is only a resend under a new id with the same
        created_at, which an honest till never sends).
        """
        self.drain()
        with self.services.db.reader() as s:
            rows = s.execute(select(Order.order_id, Order.sync_status).order_by(Order.receipt_seq)).all()
            entries = {e.idempotency_key: e for e in s.scalars(select(OutboxEntry).where(OutboxEntry.kind == "order"))}
            s.expunge_all()
        problems, answers = [], []
        for order_id, sync_status in rows:
            if order_id in self.verified:
                continue
            entry = entries[order_id]
            if (sync_status, entry.state) != ("accepted", "done"):
                problems.append(f"{order_id}: till says {sync_status}/{entry.state}, expected accepted: "
                                f"{entry.last_error or ''} {entry.response or ''}\n  body: {entry.body}")
                continue
            answer = self.server_order(order_id)
            answers.append(answer)
            got = (answer.status, [c.code for c in answer.conflicts])
            if got != ("accepted", []):
                problems.append(f"{order_id}: server says {got}, expected accepted\n  body: {entry.body}")
            elif canonical_json(answer.order) != entry.body.encode("utf-8"):
                problems.append(f"{order_id}: stored body differs from the one sent")
            else:
                self.verified.add(order_id)
        if problems:
            raise ContractError("\n".join(problems))
        return answers

    # -- paying ----------------------------------------------------------------------------

    @property
    def till(self) -> Till:
        return self.services.till

    def cash_due(self) -> Decimal:
        """What the customer must hand over in cash now (after cash rounding, if any)."""
        return self.till.ticket.tender_set(self.services.config.cash_rounding or None).cash_due

    def pay_cash(self, note: bool = True) -> CompletedOrder:
        """Pay the open ticket in cash: the next note up (change given), or the exact due."""
        due = self.cash_due()
        if not due:  # nothing to pay (a free or fully discounted ticket)
            return self.till.pay([])
        amount = next(n for n in NOTES if n >= due) if note else due
        return self.till.pay([TenderInput(TenderType.CASH, amount)])

    def pay_card(self) -> CompletedOrder:
        gross = self.till.ticket.totals().gross
        return self.till.pay([TenderInput(TenderType.CARD, gross, "card-auth")] if gross else [])

    def server_order(self, order_id: str) -> OrderStatusOut:
        """`GET /v1/orders/{id}` as the till itself, signed."""
        return self.client.order_status(order_id)
