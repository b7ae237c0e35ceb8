"""A Z report's reconciliation and a journal entry in the office's words."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from pos_protocol.wire import ZDifference, ZReport, ZReportOut
from sync_server.backoffice import zwords
from sync_server.backoffice.formatting import StoreFormat, details, who

DE = StoreFormat("EUR", "de_DE")
NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def z_out(status: str, missing: int = 0, differences: list[ZDifference] | None = None) -> ZReportOut:
    report = ZReport(report_id=uuid4(), store_id="s", terminal_id="t", z_number=1, opened_at=NOW, closed_at=NOW,
                     sales_count=0, returns_count=0, voids_count=0, gross_sales=Decimal("0.00"),
                     returns_total=Decimal("0.00"), net=Decimal("0.00"), tax=Decimal("0.00"), gross=Decimal("0.00"),
                     by_tax_rate=[], by_tender=[])
    return ZReportOut(report_id=report.report_id, store_id="s", terminal_id="t", z_number=1, opened_at=NOW,
                      closed_at=NOW, received_at=NOW, flags=[], reconciliation=status, orders_expected=3,
                      orders_missing=[uuid4() for _ in range(missing)], differences=differences or [],
                      reconciled_at=None, report=report)


@pytest.mark.parametrize(("z", "words"), [
    (z_out("reconciled"), "Matches the orders received"),
    (z_out("mismatched", missing=3), "3 orders of this drawer session have not arrived yet"),
    (z_out("mismatched", missing=1), "1 order of this drawer session has not arrived yet"),
    (z_out("mismatched", differences=[ZDifference(figure="by_tender.cash.amount", z_report="12.50", server="10.00")]),
     "Cash differs by 2,50\xa0€"),
    (z_out("mismatched", differences=[ZDifference(figure="sales_count", z_report="3", server="2")]),
     "Sales: the Z says 3, the orders 2"),
])
def test_a_reconciliation_is_said_in_words(z, words):
    assert zwords.status_words(z, DE) == words


def test_figures_are_named_as_on_the_z_and_printed_in_its_order():
    rows = [ZDifference(figure=f, z_report="1", server="1") for f in
            ("by_tax_rate.A 0.19.gross", "by_tender.card.count", "tax", "sales_count")]
    assert [zwords.figure_label(r.figure, DE) for r in zwords.in_print_order(rows)] == [
        "Sales", "Tax", "Card (payments)", "Tax A 19\xa0%: gross"]
    short = ZDifference(figure="by_tender.cash.amount", z_report="10.00", server="12.50")
    assert zwords.difference_value(short, DE) == "\u22122,50\xa0€"


def test_a_journal_entry_reads_as_one_line_with_hashes_shortened():
    digest = "ab" * 32
    assert details({"gross": "3.42", "content_hash": digest, "voids": [], "card": None}) == \
        "gross: 3.42; content_hash: abababababab…; voids: []; card: null"
    assert (who("office:olga"), who("admin-token"), who("c1")) == ("olga (office)", "admin token", "c1")
