"""A finished sale as the exact `POST /v1/orders` body (pos_protocol.wire is the contract)."""

from __future__ import annotations

import hashlib

from pos_terminal.core.sale import FinishedSale
from pos_terminal.store.sales import SaleHeader
from pos_protocol import wire

_CONTENT = frozenset(wire.OrderContent.model_fields)
"""What `content_hash` covers: the order without what `wire.Order` adds (ids and times)."""
_PLACEHOLDER = "0" * 64
"""Stands in for the hash while the order is validated: the hash is of the validated content."""


def _fields(sale: FinishedSale, header: SaleHeader, receipt_no: str) -> dict[str, object]:
    return dict(
        kind=sale.kind,
        original_order_id=sale.original_order_id,
        store_id=header.store_id,
        terminal_id=header.terminal_id,
        cashier_id=sale.cashier_id,
        catalog_version=header.catalog_version,
        lines=[
            dict(line_no=line.line_no, sku=line.sku, description=line.description[:200],
                 qty=line.qty, unit=line.unit.value, unit_price=line.unit_price,
                 tax_code=line.tax_code, tax_rate=line.tax_rate, discount=line.discount,
                 line_total=line.line_total,
                 override=None if line.override is None else dict(
                     approved_by=line.override.approved_by, reason=line.override.reason,
                     original_price=line.override.original_price))
            for line in sale.lines
        ],
        tenders=[dict(type=t.type.value, amount=t.amount, reference=t.reference) for t in sale.tenders],
        change_given=sale.change_given,
        totals=dict(net=sale.totals.net, tax=sale.totals.tax, gross=sale.totals.gross),
        approved_by=sale.refund_approved_by,
        order_id=header.order_id,
        receipt_no=receipt_no,
        created_at=header.created_at,
    )


def order_body(sale: FinishedSale, header: SaleHeader, receipt_no: str) -> tuple[bytes, str]:
    """The request body bytes (canonical JSON, so a resend is byte-identical) and hash.

    Per sale, on the commit path: the order is validated against the wire model once and
    serialized once; its content hash is taken of that serialization without the ids and
    times, and the body is the same serialization with the hash in. The bytes are those
    of `wire.canonical_json(wire.sealed_order(...))` (tests/pos_terminal/services/test_order_body.py).
    """
    order = wire.Order.model_validate({**_fields(sale, header, receipt_no), "content_hash": _PLACEHOLDER})
    data = order.model_dump(mode="json")
    content_hash = hashlib.sha256(wire.canonical_json({k: v for k, v in data.items() if k in _CONTENT})).hexdigest()
    data["content_hash"] = content_hash
    return wire.canonical_json(data), content_hash
