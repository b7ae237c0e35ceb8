"""The frozen order body: validated and serialized once per sale, byte for byte what the
wire models make of the sale (the reference below builds it the long way, model by model,
as the till did before)."""

from __future__ import annotations

import random
import uuid
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from pos_protocol import wire
from pos_terminal.core.sale import FinishedSale, TenderType
from pos_terminal.services import ApproverPin, CompletedOrder, Services, TenderInput
from pos_terminal.services.order_body import order_body
from pos_terminal.services.simulate import SaleSimulator
from pos_terminal.store.models import OutboxEntry
from pos_terminal.store.sales import SaleHeader

MANAGER = ApproverPin("m1", "9999")


def reference_body(sale: FinishedSale, header: SaleHeader, receipt_no: str) -> tuple[bytes, str]:
    content = wire.OrderContent(
        kind=sale.kind, original_order_id=sale.original_order_id, store_id=header.store_id,
        terminal_id=header.terminal_id, cashier_id=sale.cashier_id,
        catalog_version=header.catalog_version,
        lines=[wire.OrderLine(
            line_no=l.line_no, sku=l.sku, description=l.description[:200], qty=l.qty,
            unit=l.unit.value, unit_price=l.unit_price, tax_code=l.tax_code, tax_rate=l.tax_rate,
            discount=l.discount, line_total=l.line_total,
            override=None if l.override is None else wire.LineOverride(
                approved_by=l.override.approved_by, reason=l.override.reason,
                original_price=l.override.original_price))
            for l in sale.lines],
        tenders=[wire.Tender(type=t.type.value, amount=t.amount, reference=t.reference) for t in sale.tenders],
        change_given=sale.change_given,
        totals=wire.OrderTotals(net=sale.totals.net, tax=sale.totals.tax, gross=sale.totals.gross),
        approved_by=sale.refund_approved_by,
    )
    model = wire.Order(**content.model_dump(), order_id=header.order_id, receipt_no=receipt_no,
                       created_at=header.created_at, content_hash=wire.content_hash(content))
    return wire.canonical_json(model), model.content_hash


def _header(services: Services, done: CompletedOrder) -> SaleHeader:
    cfg = services.config
    return SaleHeader(order_id=done.order_id, store_id=cfg.store_id, terminal_id=cfg.terminal_id,
                      created_at=done.created_at, catalog_version=0)


def test_the_frozen_body_is_the_wire_models_body(services: Services) -> None:
    done: list[CompletedOrder] = []
    SaleSimulator(services, random.Random(7), done.append).run(60)  # discounts, overrides, kg, returns
    services.till.add_sku("SKU00001")
    services.till.add_sku("SKU00002")
    services.till.void_line(2)
    done.append(services.till.pay([TenderInput(TenderType.CASH, Decimal("20.00"))]))
    services.returns.start_blind(MANAGER)
    services.till.add_sku("SKU00003")
    done.append(services.till.pay([TenderInput(TenderType.CASH, services.till.ticket.totals().gross)]))
    assert {d.sale.kind for d in done} == {"sale", "return"}
    assert any(d.sale.voids for d in done) and any(l.override for d in done for l in d.sale.lines)

    with services.db.reader() as s:
        bodies = {e.idempotency_key: e.body.encode() for e in s.scalars(select(OutboxEntry))}
    for d in done:
        expected, digest = reference_body(d.sale, _header(services, d), d.receipt_no)
        assert bodies[d.order_id] == expected
        assert order_body(d.sale, _header(services, d), d.receipt_no) == (expected, digest)
        sent = wire.Order.model_validate_json(expected)
        assert sent.content_hash == digest == wire.content_hash(sent)


def test_an_order_the_wire_model_refuses_is_never_frozen(services: Services) -> None:
    """Validation stays on the commit path: a receipt number longer than the wire's 64
    characters (a terminal id of 60) is refused before anything is written."""
    services.till.add_sku("SKU00001")
    tenders = services.till.ticket.tender_set(None)
    tenders.add(TenderType.CASH, Decimal("20.00"))
    sale = services.till.ticket.finish(tenders, "c1")
    header = SaleHeader(order_id=str(uuid.uuid4()), store_id="demo-store", terminal_id="T" * 60,
                        created_at=services.till.clock(), catalog_version=0)
    with pytest.raises(ValidationError, match="receipt_no"):
        order_body(sale, header, "T" * 60 + "-000001")
