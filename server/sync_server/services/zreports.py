"""Z reports: stored once per report_id; a gap in a terminal's z_number sequence is flagged,
and each report is reconciled with the orders the server holds for it (reconciliation.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from pos_protocol.codes import ErrorCode, ReconciliationStatus, ZReportFlag

from ..core.errors import DomainError, parse_model, validation_failed
from ..db.models import Z_MISSING, Z_REPORTS, ZReportRow
from ..db.session import write_transaction
from pos_protocol.wire import ZReport, ZReportAccepted, ZReportOut, canonical_json
from . import idempotency, reconciliation
from .context import Caller, StoreSettings, load_store
from .orders import Outcome, check_owner

def submit_z_report(engine: Engine, caller: Caller, store: StoreSettings, raw: object, key: str) -> Outcome:
    check_owner(raw, caller)
    report = parse_model(ZReport, raw)
    if not idempotency.key_is(key, report.report_id):
        raise validation_failed("Idempotency-Key must be the report_id")
    try:
        return _store(engine, caller, store, report, raw, key)
    except IntegrityError:
        # Two different reports with one z_number racing (PostgreSQL lets both past the
        # check above): the loser is told what the check would have told it.
        raise DomainError(ErrorCode.Z_NUMBER_REUSED, f"Z {report.z_number} is already reported") from None


def _store(engine: Engine, caller: Caller, store: StoreSettings, report: ZReport, raw: object, key: str) -> Outcome:
    with write_transaction(engine) as conn:
        stored = idempotency.claim(conn, caller.terminal_id, key, "z-report", idempotency.fingerprint(raw))
        if stored is not None:
            return Outcome(stored.status_code, stored.body, replayed=True)
        reconciliation.lock_terminal(conn, caller.terminal_id, for_z_report=True)
        clash = conn.execute(
            select(ZReportRow.report_id).where(ZReportRow.terminal_id == caller.terminal_id, ZReportRow.z_number == report.z_number)
        ).first()
        if clash is not None:
            raise DomainError(ErrorCode.Z_NUMBER_REUSED, f"Z {report.z_number} is already report {clash.report_id}")
        last = conn.execute(
            select(func.max(ZReportRow.z_number)).where(ZReportRow.terminal_id == caller.terminal_id)
        ).scalar_one_or_none()
        flags = [ZReportFlag.Z_SEQUENCE_GAP.value] if report.z_number > (last or 0) + 1 else []
        conn.execute(
            insert(ZReportRow).values(
                report_id=str(report.report_id), store_id=report.store_id, terminal_id=report.terminal_id,
                z_number=report.z_number, body=canonical_json(report).decode(), flags=json.dumps(flags),
                received_at=datetime.now(UTC), closed_at=report.closed_at,
            )
        )
        outcome, flags = reconciliation.reconcile(conn, report, flags, store.tax_mode, store.currency_scale)
        body = ZReportAccepted(report_id=report.report_id, z_number=report.z_number, flags=flags,
                               reconciliation=outcome.status.value).model_dump(mode="json")
        idempotency.record(conn, caller.terminal_id, key, 201, body)
        return Outcome(201, body)


def list_z_reports(conn: Connection, store_id: str, first: date | None = None, last: date | None = None,
                   terminal_id: str | None = None, status: ReconciliationStatus | None = None,
                   limit: int = 500) -> list[ZReportOut]:
    """A store's Z reports, newest first, with their reconciliation: of the UTC days
    `first`..`last` (by `closed_at`; `last` defaults to `first`), one terminal, one status."""
    load_store(conn, store_id)  # store_unknown for a store that does not exist
    query = select(Z_REPORTS).where(Z_REPORTS.c.store_id == store_id)
    if first is not None:
        start = datetime.combine(first, time(0), UTC)
        end = datetime.combine(last or first, time(0), UTC) + timedelta(days=1)
        query = query.where(Z_REPORTS.c.closed_at >= start, Z_REPORTS.c.closed_at < end)
    if terminal_id is not None:
        query = query.where(Z_REPORTS.c.terminal_id == terminal_id)
    if status is not None:
        query = query.where(Z_REPORTS.c.reconciliation == status.value)
    rows = conn.execute(query.order_by(Z_REPORTS.c.closed_at.desc(), Z_REPORTS.c.terminal_id).limit(limit)).mappings().all()
    missing: dict[str, list[str]] = {}
    ids = [row["report_id"] for row in rows if row["reconciliation"] == ReconciliationStatus.MISMATCHED]
    if ids:
        for report_id, order_id in conn.execute(select(Z_MISSING.c.report_id, Z_MISSING.c.order_id)
                                                .where(Z_MISSING.c.report_id.in_(ids))):
            missing.setdefault(report_id, []).append(order_id)
    return [_out(row, missing.get(row["report_id"], [])) for row in rows]


def _out(row, missing: list[str]) -> ZReportOut:  # type: ignore[no-untyped-def]
    report = ZReport.model_validate_json(row["body"])
    named = None if report.order_ids is None else len(report.order_ids)
    order = {str(o): i for i, o in enumerate(report.order_ids or ())}
    return ZReportOut(
        report_id=report.report_id, store_id=row["store_id"], terminal_id=row["terminal_id"],
        z_number=row["z_number"], opened_at=report.opened_at, closed_at=report.closed_at,
        received_at=row["received_at"], flags=json.loads(row["flags"]), reconciliation=row["reconciliation"],
        orders_expected=named, orders_missing=sorted(missing, key=lambda o: order.get(o, 0)),
        differences=json.loads(row["differences"]), reconciled_at=row["reconciled_at"], report=report,
    )
