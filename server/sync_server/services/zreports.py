"""Z reports: stored once per report_id; a gap in a terminal's z_number sequence is flagged."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from pos_protocol.codes import ErrorCode, ZReportFlag

from ..core.errors import DomainError, parse_model, validation_failed
from ..db.models import ZReportRow
from ..db.session import write_transaction
from pos_protocol.wire import ZReport, ZReportAccepted, canonical_json
from . import idempotency
from .context import Caller
from .orders import Outcome, check_owner

def submit_z_report(engine: Engine, caller: Caller, raw: object, key: str) -> Outcome:
    check_owner(raw, caller)
    report = parse_model(ZReport, raw)
    if not idempotency.key_is(key, report.report_id):
        raise validation_failed("Idempotency-Key must be the report_id")
    try:
        return _store(engine, caller, report, raw, key)
    except IntegrityError:
        # Two different reports with one z_number racing (PostgreSQL lets both past the
        # check above): the loser is told what the check would have told it.
        raise DomainError(ErrorCode.Z_NUMBER_REUSED, f"Z {report.z_number} is already reported") from None


def _store(engine: Engine, caller: Caller, report: ZReport, raw: object, key: str) -> Outcome:
    with write_transaction(engine) as conn:
        stored = idempotency.claim(conn, caller.terminal_id, key, "z-report", idempotency.fingerprint(raw))
        if stored is not None:
            return Outcome(stored.status_code, stored.body, replayed=True)
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
                received_at=datetime.now(UTC),
            )
        )
        body = ZReportAccepted(report_id=report.report_id, z_number=report.z_number, flags=flags).model_dump(mode="json")
        idempotency.record(conn, caller.terminal_id, key, 201, body)
        return Outcome(201, body)
