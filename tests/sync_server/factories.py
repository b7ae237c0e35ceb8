"""Builders of valid wire orders for the tests (arithmetic done by the shared tax code)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from pos_protocol.tax import TaxMode, compute_totals, line_total
from pos_protocol.wire import Order, sealed_order


def make_order(
    store_id: str = "S1",
    terminal_id: str = "T1",
    lines: list[tuple[str, str, str, str]] | None = None,
    *,
    mode: TaxMode = TaxMode.INCLUSIVE,
    kind: str = "sale",
    original_order_id: str | None = None,
    receipt_no: str | None = None,
    created_at: datetime | None = None,
    catalog_version: int = 1,
    tax_code: str = "A",
    overrides: dict[int, dict] | None = None,
    order_id: str | None = None,
    cashier_id: str = "c1",
    approved_by: str | None = None,
) -> Order:
    """`lines` are (sku, qty, unit_price, tax_rate); paid exactly by card."""
    lines = lines or [("SKU1", "2", "1.10", "0.19")]
    wire_lines = []
    for no, (sku, qty, price, rate) in enumerate(lines, start=1):
        total = line_total(Decimal(qty), Decimal(price), Decimal(0))
        wire_lines.append(
            {
                "line_no": no, "sku": sku, "description": f"item {sku}", "qty": qty,
                "unit": "kg" if "." in qty else "ea", "unit_price": price,
                "tax_code": tax_code, "tax_rate": rate, "discount": "0.00",
                "line_total": f"{total:.2f}",
                "override": (overrides or {}).get(no),
            }
        )
    totals = compute_totals(
        ((tax_code, Decimal(l["tax_rate"]), Decimal(l["line_total"])) for l in wire_lines), mode
    )
    body = {
        "order_id": order_id or str(uuid.uuid4()), "kind": kind, "original_order_id": original_order_id,
        "store_id": store_id, "terminal_id": terminal_id,
        "receipt_no": receipt_no or uuid.uuid4().hex[:12], "cashier_id": cashier_id,
        "created_at": (created_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "catalog_version": catalog_version, "lines": wire_lines,
        "tenders": [{"type": "card", "amount": f"{totals.gross:.2f}", "reference": "trace 000001 receipt 0001 auth 000001"}],
        "change_given": "0.00",
        "totals": {"net": f"{totals.net:.2f}", "tax": f"{totals.tax:.2f}", "gross": f"{totals.gross:.2f}"},
    }
    if approved_by is not None:  # left out when absent, as a till before approved_by sent it
        body["approved_by"] = approved_by
    return sealed_order(body)
