"""Costs that follow the period, not the history: every query the till runs for a sale, a
return (receipt lookup, what was returned before), the X and Z reports and the outbox
(due, depth, parked, the conflict inbox) is served by an index. The statements checked
are the ones the real code paths execute, captured on the till's engines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from pos_terminal.config import load_config
from pos_terminal.core.drawer import MovementKind
from pos_terminal.core.sale import TenderType
from pos_terminal.services import ApproverPin, Services, TenderInput, open_services
from pos_terminal.services.conflicts import held_orders
from pos_terminal.store import outbox
from pos_terminal.sync import _queue

from .query_plans import HISTORY_TABLES, captured, full_scans, plans

MANAGER = ApproverPin("m1", "9999")
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    svc = open_services(load_config(data_dir=tmp_path), lambda: NOW)
    svc.till.sign_in("c1", "1111")
    yield svc
    svc.close()


def _sell(svc: Services, *skus: str, card: bool = False) -> str:
    for sku in skus:
        svc.till.add_sku(sku)
    gross = svc.till.ticket.totals().gross
    tender = (TenderInput(TenderType.CARD, gross, "t") if card
              else TenderInput(TenderType.CASH, Decimal(int(gross) + 1)))
    return svc.till.pay([tender]).receipt_no


def _return_one(svc: Services, receipt_no: str) -> None:
    svc.returns.start(receipt_no, MANAGER)
    line_no = min(svc.returns.returnable())
    svc.returns.add(line_no, Decimal(1))
    svc.till.pay([TenderInput(TenderType.CASH, svc.till.ticket.totals().gross)])


def _history(svc: Services) -> str:
    """A closed day, an open one, a return, a held and a parked entry; the receipt to return."""
    svc.drawer.open(Decimal("100.00"))
    first = _sell(svc, "SKU00001", "SKU00002", "SKU00003")
    _sell(svc, "SKU00004", card=True)
    svc.drawer.cash_movement(MovementKind.PAID_IN, Decimal("10.00"), "change")
    svc.drawer.close_day(Decimal("120.00"), MANAGER)
    _sell(svc, "SKU00005")  # rung with no drawer open: the next Z adopts it
    svc.drawer.open(Decimal("100.00"))
    _sell(svc, "SKU00002", card=True)
    _return_one(svc, first)
    with svc.db.transaction() as s:
        due_orders = [e for e in outbox.due(s, NOW, 1000) if e.kind == outbox.ORDER]
        held, parked = (e.seq for e in due_orders[:2])
        order_id = due_orders[0].idempotency_key
        outbox.settle(s, held, outbox.HELD, response=json.dumps({
            "status": "held", "order_id": order_id, "conflicts": [{
                "line_no": 1, "sku": "SKU00001", "code": "PRICE_CHANGED", "field": "unit_price",
                "terminal_value": "19.71", "server_value": "19.99", "message": "price changed"}]}))
        outbox.park(s, parked, response=None, error="422 refused")
    return first


def test_the_period_s_queries_never_scan_the_history(services: Services) -> None:
    receipt = _history(services)
    with captured(services.db) as ran:
        _sell(services, "SKU00001", "SKU00003")  # a sale's commit
        _return_one(services, receipt)  # receipt lookup, earlier returns, the return's commit
        services.drawer.is_open()
        services.drawer.cash_movement(MovementKind.PAID_OUT, Decimal("5.00"), "window", MANAGER)
        services.drawer.x_report(MANAGER)
        services.drawer.close_day(Decimal("150.00"), MANAGER)  # adopts, reads, closes, queues
        services.drawer.open(Decimal("100.00"))
        with services.db.reader() as s:  # what the sync pump and the status bar ask
            outbox.due(s, NOW)
            outbox.earliest_due(s, NOW)
            outbox.depth(s)
            _queue.parked_count(s)
        assert len(held_orders(services)) == 1  # the conflict inbox
    found = plans(services.db, ran)
    scans = full_scans(found)
    assert not scans, "\n\n".join(f"{p.statement}\n  {p.steps}" for p in scans)

    steps = {step for p in found for step in p.steps}
    searched = {t for t in HISTORY_TABLES if any(s.startswith(f"SEARCH {t} ") for s in steps)}
    # An append reads the journal's anchor row, not the journal (store.audit).
    assert searched >= {"orders", "order_lines", "order_tenders", "order_voids", "outbox",
                        "drawer_sessions", "cash_movements", "z_reports"}
    for index in ("(terminal_id=? AND receipt_seq=?)",               # the receipt of a return
                  "ix_orders_original (original_order_id=?)",        # returns made before
                  "ix_orders_drawer_session (drawer_session_id=?)",  # the session's orders
                  "ix_drawer_sessions_open (terminal_id=? AND closed_at=?)",
                  "ix_cash_movements_session (session_id=?)",
                  "ix_outbox_state_seq (state=?)"):
        assert any(index in step for step in steps), (index, sorted(steps))


def test_a_scan_of_a_history_table_is_caught(services: Services) -> None:
    """The check itself: a query the indexes cannot serve, or serve only by a column
    every order shares, is reported; a small table's scan is not."""
    scan = "SELECT count(*) FROM orders WHERE cashier_id = ?"
    walk = "SELECT count(*) FROM orders WHERE terminal_id = ?"  # all of uq_orders_receipt_seq
    with captured(services.db) as ran, services.db.reader() as s:
        for sql, params in ((scan, ("c1",)), (walk, ("T01",)), ("SELECT * FROM receipt_counters", ()),
                            ("SELECT * FROM orders WHERE terminal_id = ? AND receipt_seq = ?", ("T01", 1)),
                            ("SELECT max(receipt_seq) FROM orders WHERE terminal_id = ?", ("T01",))):
            s.connection().exec_driver_sql(sql, params)
    found = plans(services.db, ran)
    assert len(found) == 5 and [found.index(p) for p in full_scans(found)] == [0, 1], found
    assert found[1].statement == "SELECT count(*) FROM orders WHERE terminal_id = 'T01'"  # as SQLite ran it
