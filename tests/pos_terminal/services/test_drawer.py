"""Drawer sessions and the Z report, on a real SQLite file."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from pos_terminal.core.drawer import MovementKind
from pos_protocol.permissions import PermissionDenied
from pos_terminal.core.sale import TenderType
from pos_terminal.services import ApproverPin, Services, TenderInput
from pos_terminal.services.drawer import DrawerClosed
from pos_terminal.store.models import OutboxEntry, ZReportRow
from pos_protocol import wire

MANAGER = ApproverPin("m1", "9999")


def _sell(svc: Services, sku: str, tenders: list[TenderInput]) -> None:
    svc.till.add_sku(sku)
    svc.till.pay(tenders)


def test_z_report_counts_cash_and_queues_a_numbered_report(services: Services) -> None:
    _sell(services, "SKU00001", [TenderInput(TenderType.CASH, Decimal("20.00"))])  # before open
    kicks: list[str] = []
    services.drawer._kick = kicks.append
    services.drawer.open(Decimal("100.00"))
    _sell(services, "SKU00002", [TenderInput(TenderType.CARD, Decimal("11.27"))])
    services.drawer.cash_movement(MovementKind.PAID_OUT, Decimal("5.00"), "window cleaner", MANAGER)
    x, _ = services.drawer.x_report(MANAGER)
    assert x.sales.count == 1  # the order rung before opening is adopted only at close

    day = services.drawer.close_day(Decimal("114.00"), MANAGER)
    assert day.report.number == 1 and day.report.sales.count == 2
    assert day.summary.expected == Decimal("100.00") + Decimal("19.71") - Decimal("5.00")
    assert day.summary.over_short == Decimal("114.00") - day.summary.expected
    assert len(kicks) == 1
    with services.db.reader() as s:
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.kind == "z_report")).one()
        stored = s.scalars(select(ZReportRow)).one()
    body = wire.ZReport.model_validate_json(entry.body)
    assert body.z_number == 1 and body.gross == Decimal("30.98") and str(body.report_id) == stored.report_id
    assert {t.type: t.count for t in body.by_tender} == {"cash": 1, "card": 1}

    with pytest.raises(DrawerClosed):
        services.drawer.x_report(MANAGER)
    services.drawer.open(Decimal("100.00"))
    assert services.drawer.close_day(Decimal("100.00"), MANAGER).report.number == 2


def test_cashier_cannot_run_the_z_report(services: Services) -> None:
    services.drawer.open(Decimal("50.00"))
    with pytest.raises(PermissionDenied):
        services.drawer.close_day(Decimal("50.00"), ApproverPin("c1", "1111"))
    assert services.drawer.is_open()


def test_bad_amounts_are_refused_before_a_manager_is_asked(services: Services) -> None:
    from pos_terminal.core.drawer import DrawerError
    from pos_protocol.money import MoneyError
    from pos_terminal.store.models import AuditEntry

    services.drawer.open(Decimal("50.00"))
    with services.db.reader() as s:
        journalled = s.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
    with pytest.raises(DrawerError):
        services.drawer.cash_movement(MovementKind.PAID_OUT, Decimal("5.001"), "courier", MANAGER)
    with pytest.raises(MoneyError):
        services.drawer.close_day(Decimal("50.001"), MANAGER)
    with services.db.reader() as s:  # no approval was journalled for either
        assert s.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)) == journalled
    assert services.drawer.is_open()
