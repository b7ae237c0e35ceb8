"""A till and the real `pos-sync-server serve` under uvicorn: the audit journal ships through
the outbox and the server notices a journal that was cut or rewritten; a Z report whose
orders did not all arrive is flagged Z_MISMATCH and reconciles once they do."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from pos_protocol.journal import entry_hash
from pos_terminal.keys import KeyringStore
from pos_terminal.services import ApproverPin
from pos_terminal.store import audit, outbox
from pos_terminal.store.models import OutboxEntry
from pos_terminal.sync import OutboxPump
from pos_terminal.sync.enrollment import client_for

from .conftest import ring_sales
from .harness import ADMIN_TOKEN, STORE, UvicornServer, enrolled_till, enrollment_code

pytestmark = pytest.mark.slow
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def till(tmp_path, uvicorn_server, memory_keyring):
    services = enrolled_till(tmp_path / "till", uvicorn_server.url, enrollment_code(uvicorn_server.db_url),
                             KeyringStore(memory_keyring))
    yield services
    services.close()


@pytest.fixture
def pump(till, memory_keyring):
    client = client_for(till.db, till.config, KeyringStore(memory_keyring))
    yield OutboxPump(till.db, client)
    client.close()


def drain(pump: OutboxPump) -> None:
    for _ in range(20):
        if not pump.pump_once().sent_anything:
            return
    raise AssertionError("the outbox never drained")


def admin_get(server: UvicornServer, path: str) -> httpx.Response:
    response = httpx.get(f"{server.url}{path}", headers=ADMIN, timeout=10)
    assert response.status_code == 200, response.text
    return response


def head_of(server: UvicornServer, terminal_id: str) -> dict:
    [head] = [h for h in admin_get(server, f"/v1/admin/stores/{STORE}/audit-heads").json()
              if h["terminal_id"] == terminal_id]
    return head


def broken_gauge(server: UvicornServer, terminal_id: str) -> float | None:
    for family in text_string_to_metric_families(admin_get(server, "/metrics").text):
        if family.name == "pos_sync_audit_chain_broken":
            return next((s.value for s in family.samples if s.labels["terminal_id"] == terminal_id), None)
    return None


def journal(till) -> list[tuple[int, str]]:
    with till.db.reader() as s:
        return [(e.seq, e.hash) for e in s.scalars(select(audit.AuditEntry).order_by(audit.AuditEntry.seq))]


def test_the_journal_arrives_whole_and_its_head_matches_the_till(till, pump, uvicorn_server) -> None:
    ring_sales(till, 6)
    drain(pump)
    entries = journal(till)
    head = head_of(uvicorn_server, till.config.terminal_id)
    assert (head["head_seq"], head["head_hash"]) == entries[-1] and head["flags"] == []
    assert broken_gauge(uvicorn_server, till.config.terminal_id) in (None, 0)
    with till.db.reader() as s:
        audit_states = set(s.scalars(select(OutboxEntry.state).where(OutboxEntry.kind == outbox.AUDIT)))
    assert audit_states == {outbox.DONE}


def test_a_journal_cut_and_written_on_is_flagged(till, pump, uvicorn_server) -> None:
    ring_sales(till, 4)
    drain(pump)
    last, _ = journal(till)[-1]
    with sqlite3.connect(till.config.db_path) as db:  # delete the last three entries, and the anchor with them
        db.execute("DELETE FROM audit_journal WHERE seq > ?", (last - 3,))
        prev_seq, prev_hash = db.execute("SELECT seq, hash FROM audit_journal ORDER BY seq DESC LIMIT 1").fetchone()
        db.execute("UPDATE audit_anchor SET seq = ?, hash = ?", (prev_seq, prev_hash))
    with till.db.reader() as s:
        assert audit.verify(s).ok  # the cut is covered up on the till...
    ring_sales(till, 1)  # ...and the till writes on from the cut
    drain(pump)
    head = head_of(uvicorn_server, till.config.terminal_id)
    assert head["flags"] == ["AUDIT_CHAIN_BROKEN"] and head["broken_at_seq"] == last - 2
    assert "differs from the one received before" in head["broken_reason"]
    assert head["head_seq"] == last  # the chain as verified stays
    assert broken_gauge(uvicorn_server, till.config.terminal_id) == 1


def test_a_rewritten_entry_is_flagged_even_with_its_chain_recomputed(till, pump, uvicorn_server) -> None:
    ring_sales(till, 3)
    drain(pump)
    with sqlite3.connect(till.config.db_path) as db:  # a sale's amount changed, every hash after it redone
        rows = db.execute("SELECT seq, at, actor, action, subject, payload, prev_hash FROM audit_journal "
                          "ORDER BY seq").fetchall()
        target = next(r[0] for r in rows if r[3] == "order.sale")
        prev = None
        for seq, at, actor, action, subject, payload, prev_hash in rows:
            if seq < target:
                continue
            if seq == target:
                payload = payload.replace('"gross"', '"Gross"')
            prev = prev or prev_hash
            stored_at = db.execute("SELECT at FROM audit_journal WHERE seq = ?", (seq,)).fetchone()[0]
            with till.db.reader() as s:  # the time as the till hashes it
                at_text = s.get_one(audit.AuditEntry, seq).at.isoformat()
            digest = entry_hash(prev, seq, at_text, actor, action, subject, payload)
            db.execute("UPDATE audit_journal SET payload = ?, prev_hash = ?, hash = ?, at = ? WHERE seq = ?",
                       (payload, prev, digest, stored_at, seq))
            prev = digest
        db.execute("UPDATE audit_anchor SET hash = ?", (prev,))
    with till.db.reader() as s:
        assert audit.verify(s).ok  # a perfect forgery, as far as the till can tell
    ring_sales(till, 1)
    drain(pump)
    head = head_of(uvicorn_server, till.config.terminal_id)
    assert head["flags"] == ["AUDIT_CHAIN_BROKEN"]
    assert "does not follow" in head["broken_reason"]


def test_a_z_whose_order_was_parked_reconciles_once_it_arrives_another_way(till, pump, uvicorn_server) -> None:
    till.till.sign_in("c1", "1111")
    till.drawer.open(Decimal("100.00"))
    till.till.sign_out()
    order_ids = ring_sales(till, 3)
    with till.db.transaction() as s:  # the second sale was refused (say, a 4xx) and parked
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.idempotency_key == order_ids[1])).one()
        outbox.park(s, entry.seq, response=None, error="422 refused")
        parked = (entry.method, entry.path, entry.body.encode(), entry.idempotency_key)
    till.till.sign_in("m1", "9999")
    day = till.drawer.close_day(Decimal("100.00"), ApproverPin("m1", "9999"))
    drain(pump)

    def the_z() -> dict:
        [z] = admin_get(uvicorn_server, f"/v1/admin/stores/{STORE}/z-reports").json()
        return z

    z = the_z()
    assert z["report_id"] == day.report_id and z["flags"] == ["Z_MISMATCH"]
    assert z["orders_missing"] == [order_ids[1]] and z["orders_expected"] == 3
    drawer = z["report"]["drawer"]
    assert drawer["opening_float"] == "100.00" and drawer["counted_cash"] == "100.00"
    assert Decimal(drawer["over_short"]) == Decimal("100.00") - Decimal(drawer["expected_cash"])
    metrics = admin_get(uvicorn_server, "/metrics").text
    assert f'pos_sync_z_reports_mismatched{{store_id="{STORE}",terminal_id="{till.config.terminal_id}"}} 1.0' in metrics

    method, path, body, key = parked  # sent from another route, e.g. by a technician
    assert pump.client.request(method, path, body, idempotency_key=key).status in (201, 202)
    z = the_z()
    assert z["reconciliation"] == "reconciled" and z["flags"] == [] and z["orders_missing"] == []
    metrics = admin_get(uvicorn_server, "/metrics").text
    assert f'pos_sync_z_reports_mismatched{{store_id="{STORE}",terminal_id="{till.config.terminal_id}"}} 0.0' in metrics
