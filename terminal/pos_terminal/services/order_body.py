"""A finished sale as the exact `POST /v1/orders` body (pos_protocol.wire is the contract)."""

from __future__ import annotations

from pos_terminal.core.sale import FinishedSale
from pos_terminal.store.sales import SaleHeader
from pos_protocol import wire


def order_model(sale: FinishedSale, header: SaleHeader, receipt_no: str) -> wire.Order:
    content = wire.OrderContent(
        kind=sale.kind,
        original_order_id=sale.original_order_id,
        store_id=header.store_id,
        terminal_id=header.terminal_id,
        cashier_id=sale.cashier_id,
        catalog_version=header.catalog_version,
        lines=[
            wire.OrderLine(
                line_no=line.line_no, sku=line.sku, description=line.description[:200],
                qty=line.qty, unit=line.unit.value, unit_price=line.unit_price,
                tax_code=line.tax_code, tax_rate=line.tax_rate, discount=line.discount,
                line_total=line.line_total,
                override=None if line.override is None else wire.LineOverride(
                    approved_by=line.override.approved_by, reason=line.override.reason,
                    original_price=line.override.original_price),
            )
            for line in sale.lines
        ],
        tenders=[wire.Tender(type=t.type.value, amount=t.amount, reference=t.reference)
                 for t in sale.tenders],
        change_given=sale.change_given,
        totals=wire.OrderTotals(net=sale.totals.net, tax=sale.totals.tax, gross=sale.totals.gross),
        approved_by=sale.refund_approved_by,
    )
    return wire.Order(**content.model_dump(), order_id=header.order_id, receipt_no=receipt_no,
                      created_at=header.created_at, content_hash=wire.content_hash(content))


def order_body(sale: FinishedSale, header: SaleHeader, receipt_no: str) -> tuple[bytes, str]:
    """The request body bytes (canonical JSON, so a resend is byte-identical) and hash."""
    model = order_model(sale, header, receipt_no)
    return wire.canonical_json(model), model.content_hash
