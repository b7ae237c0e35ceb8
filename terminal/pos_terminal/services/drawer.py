"""Cash drawer sessions and the X and Z reports.

A day runs from opening the drawer (with a float) to the Z report, which counts the cash,
closes the session, takes the next gapless Z number and queues the report for the server.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pos_terminal.core import drawer as core_drawer
from pos_terminal.core import reports
from pos_protocol.permissions import Permission
from pos_terminal.core.sale import FinishedSale, TenderType
from pos_terminal.store import audit, outbox, sales
from pos_terminal.store import drawer as repo
from pos_terminal.store.models import CashMovementRow, DrawerSessionRow, ZReportRow
from pos_protocol import paths, wire

from .till import ApproverPin, Till


class DrawerClosed(core_drawer.DrawerError):
    def __init__(self) -> None:
        super().__init__("no drawer session is open: open the drawer with a float first")


@dataclass(frozen=True)
class DayClose:
    report: reports.Report
    summary: core_drawer.DrawerSummary
    report_id: str
    card_terminal: wire.ZCardTerminal | None = None  # the payment terminal's End-of-Day beside it


# Given the session's card total, runs the payment terminal's End-of-Day and says how it
# compares (services.card_payments.CardPayments.end_of_day_for_z).
TerminalEndOfDay = Callable[[Decimal], wire.ZCardTerminal]


class DrawerService:
    def __init__(self, till: Till, kick_drawer: Callable[[str], None] | None = None) -> None:
        self.till = till
        self._kick = kick_drawer or (lambda action_id: None)

    # -- session -------------------------------------------------------------------------

    def is_open(self) -> bool:
        with self.till.db.reader() as s:
            return repo.open_session_row(s, self.till.config.terminal_id) is not None

    def open(self, opening_float: Decimal) -> str:
        cashier, now = self.till.signed_in(), self.till.clock()
        core = core_drawer.open_session(opening_float, cashier.user_id, now, self.till.config.currency)
        with self.till.db.transaction() as s:
            if repo.open_session_row(s, self.till.config.terminal_id) is not None:
                raise core_drawer.DrawerError("a drawer session is already open")
            row = DrawerSessionRow(session_id=str(uuid.uuid4()), terminal_id=self.till.config.terminal_id,
                                   opened_by=cashier.user_id, opened_at=now,
                                   opening_float=core.opening_float)
            s.add(row)
            audit.append(s, at=now, actor=cashier.user_id, action="drawer.open",
                         subject=row.session_id, payload={"float": str(core.opening_float)})
        return row.session_id

    def cash_movement(self, kind: core_drawer.MovementKind, amount: Decimal, reason: str,
                      approver: ApproverPin | None = None) -> None:
        """Paid-in or paid-out; a paid-out needs a supervisor (`drawer.no_sale`)."""
        cashier, now = self.till.signed_in(), self.till.clock()
        checked = core_drawer.checked_movement(
            core_drawer.CashMovement(kind, amount, reason, cashier.user_id, now), self.till.config.currency)
        if kind is core_drawer.MovementKind.PAID_OUT:  # bad input is refused before a manager is asked
            self.till.approve(approver, Permission.DRAWER_NO_SALE, "paid out")
        with self.till.db.transaction() as s:
            row = self._open_row(s)
            s.add(CashMovementRow(session_id=row.session_id, at=now, kind=kind.value,
                                  amount=checked.amount, reason=reason, user_id=cashier.user_id))
            audit.append(s, at=now, actor=cashier.user_id, action=f"drawer.{kind.value}",
                         subject=row.session_id, payload={"amount": str(checked.amount), "reason": reason})
        self._kick(str(uuid.uuid4()))

    def no_sale(self, approver: ApproverPin | None = None) -> str:
        """Open the drawer without a sale: approved, journalled, then kicked once."""
        cashier, now = self.till.signed_in(), self.till.clock()
        self.till.approve(approver, Permission.DRAWER_NO_SALE, "no sale")
        action_id = str(uuid.uuid4())
        with self.till.db.transaction() as s:
            row = self._open_row(s)
            s.add(CashMovementRow(session_id=row.session_id, at=now, kind="no_sale",
                                  amount=Decimal("0.00"), reason="no sale", user_id=cashier.user_id))
            audit.append(s, at=now, actor=cashier.user_id, action="drawer.no_sale",
                         subject=action_id)
        self._kick(action_id)
        return action_id

    # -- reports -------------------------------------------------------------------------

    def x_report(self, approver: ApproverPin | None = None) -> tuple[reports.Report, core_drawer.DrawerSummary]:
        """Mid-day figures of the open session; changes nothing."""
        self.till.approve(approver, Permission.X_REPORT_RUN, "x report")
        with self.till.db.reader() as s:
            row = self._open_row(s)
            records, session = self._session_state(s, row)
        return reports.x_report(records), core_drawer.summarize(session, records)

    def close_day(self, counted_cash: Decimal, approver: ApproverPin,
                  end_of_day: TerminalEndOfDay | None = None) -> DayClose:
        """The Z report: count, close, number, journal and queue it for the server.

        With a payment terminal (`end_of_day`), once the manager has approved, the
        terminal's End-of-Day runs and its comparison travels with the Z.
        """
        cashier, now = self.till.signed_in(), self.till.clock()
        counted = self.till.config.currency.parse(counted_cash, "counted cash")
        manager = self.till.approve(approver, Permission.Z_REPORT_RUN, "z report")
        cfg = self.till.config
        card_terminal = end_of_day(self.card_total()) if end_of_day is not None else None
        with self.till.db.transaction() as s:
            row = self._open_row(s)
            repo.adopt_unreported_orders(s, cfg.terminal_id, row.session_id)
            records, session = self._session_state(s, row)
            report = reports.z_report(records, repo.last_z_number(s, cfg.terminal_id))
            summary = core_drawer.summarize(session, records, counted)
            report_id = str(uuid.uuid4())
            row.closed_at, row.closed_by, row.counted_cash, row.z_number = (
                now, manager.user_id, counted, report.number)
            counts = Counter(t.type.value for r in records for t in r.tenders if not t.is_cash_rounding)
            # The drawer's figures and the orders summed up: what the server reconciles against.
            wire_report = self._wire_report(report, report_id, row, now, counts, _wire_drawer(summary, session),
                                            repo.session_order_ids(s, row.session_id))
            wire_report = wire_report.model_copy(update={"card_terminal": card_terminal})
            body = wire.canonical_json(wire_report)
            s.add(ZReportRow(report_id=report_id, terminal_id=cfg.terminal_id, z_number=report.number,
                             session_id=row.session_id, created_at=now, body=body.decode()))
            audit.append(s, at=now, actor=manager.user_id, action="z_report", subject=report_id,
                         payload={"z_number": report.number, "gross": str(report.net_gross),
                                  "expected_cash": str(summary.expected), "counted": str(counted),
                                  "cashier": cashier.user_id,
                                  "card_difference": str(card_terminal.difference)
                                  if card_terminal and card_terminal.difference is not None else None})
            # It leaves only once every entry written before it is settled (outbox.due).
            outbox.enqueue(s, kind=outbox.Z_REPORT, key=report_id, path=paths.Z_REPORTS, body=body, at=now)
        return DayClose(report, summary, report_id, card_terminal)

    def card_total(self) -> Decimal:
        """Card tenders of the open session and of orders it will adopt, refunds subtracted:
        what the payment terminal's batch should hold at the Z."""
        cfg = self.till.config
        with self.till.db.reader() as s:
            records, _ = self._session_state(s, self._open_row(s))
            records += [sales.to_finished_sale(o, cfg.tax_mode, cfg.currency.scale)
                        for o in repo.unreported_orders(s, cfg.terminal_id)]
        return dict(reports.x_report(records).by_tender).get(TenderType.CARD, cfg.currency.round(Decimal(0)))

    # -- internals -----------------------------------------------------------------------

    def _open_row(self, s) -> DrawerSessionRow:  # type: ignore[no-untyped-def]
        row = repo.open_session_row(s, self.till.config.terminal_id)
        if row is None:
            raise DrawerClosed()
        return row

    def _session_state(self, s, row: DrawerSessionRow) -> tuple[list[FinishedSale], core_drawer.DrawerSession]:  # type: ignore[no-untyped-def]
        cfg = self.till.config
        records = [sales.to_finished_sale(o, cfg.tax_mode, cfg.currency.scale)
                   for o in repo.session_orders(s, row.session_id)]
        moves = tuple(
            core_drawer.CashMovement(core_drawer.MovementKind(m.kind), m.amount, m.reason, m.user_id, m.at)
            for m in repo.movements(s, row.session_id) if m.kind != "no_sale")
        return records, core_drawer.DrawerSession(row.opening_float, row.opened_by, row.opened_at, moves)

    def _wire_report(self, report: reports.Report, report_id: str, row: DrawerSessionRow,
                     now: datetime, counts: Counter[str], drawer: wire.ZDrawer,
                     order_ids: list[str]) -> wire.ZReport:
        cfg = self.till.config
        return wire.ZReport(
            report_id=report_id, store_id=cfg.store_id, terminal_id=cfg.terminal_id,
            z_number=report.number, opened_at=row.opened_at, closed_at=now,
            sales_count=report.sales.count, returns_count=report.returns.count,
            voids_count=report.void_lines, gross_sales=report.sales.gross,
            returns_total=report.returns.gross, net=report.sales.net - report.returns.net,
            tax=report.sales.tax - report.returns.tax, gross=report.net_gross,
            by_tax_rate=[wire.ZTaxLine(tax_code=r.tax_code, rate=r.rate, net=r.net, tax=r.tax,
                                       gross=r.gross) for r in report.by_rate],
            by_tender=[wire.ZTenderLine(type=t.value, count=counts[t.value], amount=a) for t, a in report.by_tender],
            drawer=drawer, order_ids=order_ids,
        )


def _wire_drawer(summary: core_drawer.DrawerSummary, session: core_drawer.DrawerSession) -> wire.ZDrawer:
    """The drawer's side of the Z report: what the server stores to show over/short."""
    moves = Counter(m.kind for m in session.movements)
    assert summary.counted is not None and summary.over_short is not None  # a Z always counts
    return wire.ZDrawer(
        opening_float=summary.opening_float, paid_in=summary.paid_in,
        paid_in_count=moves[core_drawer.MovementKind.PAID_IN], paid_out=summary.paid_out,
        paid_out_count=moves[core_drawer.MovementKind.PAID_OUT], cash_sales=summary.cash_sales,
        cash_refunds=summary.cash_refunds, expected_cash=summary.expected,
        counted_cash=summary.counted, over_short=summary.over_short)
