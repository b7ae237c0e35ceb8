"""Enrollment, heartbeat gauges, catalog deltas, Z reports, resolution, operations."""

from __future__ import annotations

import asyncio

import uuid
from decimal import Decimal
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from pos_protocol.wire import ZReport
from sync_server.db.models import EnrollmentCode
from pos_terminal.sync.auth import TerminalAuth

from .factories import make_order

pytestmark = pytest.mark.anyio


@pytest.fixture
async def till(shop):
    await shop.add_store("S1")
    await shop.add_item("SKU1", "1.10", barcodes=["4001"])
    return await shop.terminal("S1")


async def test_enrollment_code_is_single_use(shop) -> None:
    await shop.add_store("S1")
    code = await shop.enrollment_code()
    body = {"enrollment_code": code, "terminal_name": "till 1"}
    first = await shop.admin.post("/v1/terminals/enroll", json=body)
    assert first.status_code == 201
    assert first.json()["store_id"] == "S1" and len(first.json()["secret"]) >= 32
    again = await shop.admin.post("/v1/terminals/enroll", json=body)
    assert again.status_code == 403 and again.json()["code"] == "enrollment_code_invalid"
    unknown = await shop.admin.post("/v1/terminals/enroll", json={**body, "enrollment_code": "NOPE-NOPE-NOPE"})
    assert unknown.status_code == 403 and unknown.json()["code"] == "enrollment_code_invalid"


async def test_expired_enrollment_code_is_refused(shop, engine) -> None:
    await shop.add_store("S1")
    code = await shop.enrollment_code()
    with engine.begin() as conn:
        conn.execute(update(EnrollmentCode).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    response = await shop.admin.post("/v1/terminals/enroll", json={"enrollment_code": code, "terminal_name": "t"})
    assert response.status_code == 403 and response.json()["code"] == "enrollment_code_invalid"


async def _enroll(shop, code: str, key: str | None, name: str = "till 1"):
    headers = {} if key is None else {"Idempotency-Key": f'"{key}"'}
    return await shop.admin.post("/v1/terminals/enroll", json={"enrollment_code": code, "terminal_name": name},
                                 headers=headers)


async def _terminals(shop, store_id: str = "S1") -> list[dict]:
    response = await shop.admin.get(f"/v1/admin/stores/{store_id}/terminals")
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_lost_enrollment_answer_is_retried_with_the_same_key_and_gets_the_same_terminal(shop) -> None:
    await shop.add_store("S1")
    code, key = await shop.enrollment_code(), str(uuid.uuid4())
    first = await _enroll(shop, code, key)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    # The answer is lost on the way; the till retries with the key it kept.
    retry = await _enroll(shop, code, key)
    assert retry.status_code == 201, retry.text
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert [t["terminal_id"] for t in await _terminals(shop)] == [first.json()["terminal_id"]]  # no orphan
    till = shop.client(TerminalAuth(retry.json()["terminal_id"], retry.json()["secret"]))
    assert (await till.get("/v1/catalog")).status_code == 200  # the replayed secret signs


async def test_two_attempts_racing_with_one_key_get_one_terminal(shop) -> None:
    """On PostgreSQL the second attempt's UPDATE waits for the first to commit, then replays it."""
    await shop.add_store("S1")
    for _ in range(3):
        code, key = await shop.enrollment_code(), str(uuid.uuid4())
        replies = await asyncio.gather(_enroll(shop, code, key), _enroll(shop, code, key))
        assert [r.status_code for r in replies] == [201, 201], [r.text for r in replies]
        assert replies[0].json() == replies[1].json()
        assert sorted(r.headers.get("Idempotent-Replayed", "") for r in replies) == ["", "true"]
    assert len(await _terminals(shop)) == 3


async def test_a_used_code_with_another_key_or_none_is_still_refused(shop) -> None:
    await shop.add_store("S1")
    code = await shop.enrollment_code()
    assert (await _enroll(shop, code, "key-one")).status_code == 201
    for key in ("key-two", None):
        refused = await _enroll(shop, code, key)
        assert refused.status_code == 403 and refused.json()["code"] == "enrollment_code_invalid"
    renamed = await _enroll(shop, code, "key-one", name="another till")
    assert renamed.status_code == 422 and renamed.json()["code"] == "idempotency_key_reused"
    assert len(await _terminals(shop)) == 1


async def test_the_same_key_after_the_code_expired_or_its_terminal_was_revoked_is_refused(shop, engine) -> None:
    await shop.add_store("S1")
    revoked_code, expired_code = await shop.enrollment_code(), await shop.enrollment_code()
    orphan = (await _enroll(shop, revoked_code, "k")).json()
    assert (await shop.admin.post(f"/v1/admin/terminals/{orphan['terminal_id']}/revoke")).status_code == 200
    assert (await _enroll(shop, revoked_code, "k")).json()["code"] == "enrollment_code_invalid"  # stays revoked
    assert (await _enroll(shop, expired_code, "k")).status_code == 201
    with engine.begin() as conn:
        conn.execute(update(EnrollmentCode).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert (await _enroll(shop, expired_code, "k")).json()["code"] == "enrollment_code_invalid"


async def test_admin_lists_a_stores_terminals_so_an_orphan_can_be_spotted_and_revoked(shop) -> None:
    await shop.add_store("S1")
    await shop.add_store("S2")
    heard_from = await shop.terminal("S1")
    orphan = (await _enroll(shop, await shop.enrollment_code(), None, name="lost answer")).json()
    await shop.terminal("S2")
    beat = {"queue_depth": 0, "oldest_pending_age_s": 0, "app_version": "1"}
    assert (await heard_from.http.post("/v1/terminals/heartbeat", json=beat)).status_code == 204
    listed = {t["terminal_id"]: t for t in await _terminals(shop)}
    assert set(listed) == {heard_from.terminal_id, orphan["terminal_id"]}  # S1's only
    assert listed[heard_from.terminal_id]["last_heartbeat_at"] is not None
    never_heard = [t for t in listed.values() if t["last_heartbeat_at"] is None]
    assert [(t["terminal_id"], t["name"], t["revoked_at"]) for t in never_heard] == [(orphan["terminal_id"], "lost answer", None)]
    assert all("secret" not in t for t in listed.values())
    assert (await shop.admin.post(f"/v1/admin/terminals/{orphan['terminal_id']}/revoke")).status_code == 200
    assert {t["terminal_id"]: t for t in await _terminals(shop)}[orphan["terminal_id"]]["revoked_at"] is not None
    assert (await shop.admin.get("/v1/admin/stores/NOPE/terminals")).json()["code"] == "store_unknown"


async def test_heartbeat_feeds_gauges(shop, till) -> None:
    beat = {"queue_depth": 7, "oldest_pending_age_s": 42.5, "app_version": "1.0", "devices": {"printer": "paper_low"}}
    response = await till.http.post("/v1/terminals/heartbeat", json=beat)
    assert response.status_code == 204
    await till.http.post("/v1/terminals/heartbeat", json={**beat, "devices": {"printer": "online"}})
    metrics = (await shop.admin.get("/metrics")).text
    assert f'pos_sync_terminal_queue_depth{{terminal_id="{till.terminal_id}"}} 7.0' in metrics
    assert f'pos_sync_terminal_device_status{{device="printer",status="online",terminal_id="{till.terminal_id}"}} 1.0' in metrics
    assert f'status="paper_low",terminal_id="{till.terminal_id}"' not in metrics  # old status dropped


async def test_device_series_are_bounded_per_terminal_and_replaced_by_each_heartbeat(shop, till) -> None:
    """Found in review: 100 heartbeats with 50 new device names each grew /metrics fivefold."""
    async def beat(round_no: int) -> None:
        devices = {f"dev{round_no}-{n:02}": "online" for n in range(50)}
        body = {"queue_depth": 0, "oldest_pending_age_s": 0, "app_version": "1", "devices": devices}
        assert (await till.http.post("/v1/terminals/heartbeat", json=body)).status_code == 204

    await beat(0)
    size = len((await shop.admin.get("/metrics")).content)
    for round_no in range(1, 101):
        await beat(round_no)
    text = (await shop.admin.get("/metrics")).text
    ours = [s.labels["device"] for f in text_string_to_metric_families(text) for s in f.samples
            if s.name == "pos_sync_terminal_device_status" and s.labels["terminal_id"] == till.terminal_id]
    assert sorted(ours) == [f"dev100-{n:02}" for n in range(16)]  # the last beat's, first 16 by name
    assert len(text.encode()) - size < 1000  # only counter values grew


async def _samples(shop) -> dict[tuple[str, frozenset], float]:
    text = (await shop.admin.get("/metrics")).text
    return {(s.name, frozenset(s.labels.items())): s.value for f in text_string_to_metric_families(text) for s in f.samples}


async def test_metrics_count_requests_orders_and_conflicts(shop, till) -> None:
    # Counters live for the whole test process: compare before and after, not mere presence.
    before = await _samples(shop)
    order = make_order(store_id="S1", terminal_id=till.terminal_id, lines=[("SKU1", "1", "9.99", "0.19")])
    await till.post_order(order)
    await till.post_order(order)
    metrics = (await shop.admin.get("/metrics")).text
    assert 'pos_sync_conflicts_total{code="PRICE_CHANGED"}' in metrics
    assert "pos_sync_idempotent_replays_total" in metrics
    assert 'pos_sync_http_requests_total{method="POST",route="/v1/orders",status="202"}' in metrics
    after = await _samples(shop)

    def grew(name: str, **labels: str) -> float:
        key = (name, frozenset(labels.items()))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("pos_sync_conflicts_total", code="PRICE_CHANGED") == 1
    assert grew("pos_sync_orders_total", outcome="held") == 1
    assert grew("pos_sync_orders_total", outcome="replayed") == 1
    assert grew("pos_sync_idempotent_replays_total") == 1
    assert grew("pos_sync_http_requests_total", method="POST", route="/v1/orders", status="202") == 2


async def test_health_and_readiness(shop) -> None:
    assert (await shop.admin.get("/healthz")).json() == {"status": "ok"}
    assert (await shop.admin.get("/readyz")).json() == {"status": "ready"}


async def test_catalog_delta_with_etag_and_304(shop, till) -> None:
    full = await till.http.get("/v1/catalog")
    assert full.status_code == 200
    body = full.json()
    assert body["version"] == 1
    assert body["items"] == [
        {"sku": "SKU1", "name": "Item SKU1", "barcodes": ["4001"], "unit": "ea", "price": "1.10", "tax_code": "A", "category": "", "active": True}
    ]
    assert body["tax_rates"] == [{"tax_code": "A", "rate": "0.19"}]
    etag = full.headers["ETag"]
    assert (await till.http.get("/v1/catalog?since=1")).status_code == 304
    assert (await till.http.get("/v1/catalog", headers={"If-None-Match": etag})).status_code == 304
    await shop.add_item("SKU2", "2.00", tax_code="B", tax_rate="0.07")
    assert (await shop.admin.delete("/v1/admin/stores/S1/items/SKU1")).status_code == 200
    delta = await till.http.get("/v1/catalog?since=1", headers={"If-None-Match": etag})
    assert delta.status_code == 200 and delta.headers["ETag"] != etag
    assert delta.json()["version"] == 3
    assert [i["sku"] for i in delta.json()["items"]] == ["SKU2"]
    assert delta.json()["removed"] == ["SKU1"]
    assert delta.json()["tax_rates"] == [{"tax_code": "B", "rate": "0.07"}]


async def test_catalog_is_the_callers_store_only(shop, till) -> None:
    await shop.add_store("S2")
    await shop.add_item("OTHER", "5.00", store_id="S2")
    skus = [i["sku"] for i in (await till.http.get("/v1/catalog")).json()["items"]]
    assert skus == ["SKU1"]


def _z(till, z_number: int) -> dict:
    now = datetime.now(UTC)
    return {
        "report_id": str(uuid.uuid4()), "store_id": "S1", "terminal_id": till.terminal_id, "z_number": z_number,
        "opened_at": (now - timedelta(hours=8)).isoformat(), "closed_at": now.isoformat(),
        "sales_count": 3, "returns_count": 0, "voids_count": 0, "gross_sales": "10.00", "returns_total": "0.00",
        "net": "8.40", "tax": "1.60", "gross": "10.00",
        "by_tax_rate": [{"tax_code": "A", "rate": "0.19", "net": "8.40", "tax": "1.60", "gross": "10.00"}],
        "by_tender": [{"type": "cash", "count": 3, "amount": "10.00"}],
    }


async def test_z_reports_flag_sequence_gaps_and_replay(till) -> None:
    async def post(report: dict):
        return await till.http.post("/v1/z-reports", json=report, headers={"Idempotency-Key": f'"{report["report_id"]}"'})

    first = _z(till, 1)
    response = await post(first)
    assert response.status_code == 201 and response.json()["flags"] == []
    replay = await post(first)
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.json() == response.json()
    gap = await post(_z(till, 3))
    assert gap.status_code == 201 and gap.json()["flags"] == ["Z_SEQUENCE_GAP"]
    reused = await post(_z(till, 3))
    assert reused.status_code == 409 and reused.json()["code"] == "z_number_reused"
    missing = await till.http.post("/v1/z-reports", json=_z(till, 4))
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_missing"
    other = {**_z(till, 4), "store_id": "S2"}
    assert (await post(other)).json()["code"] == "store_mismatch"


async def test_two_reports_racing_for_one_z_number_get_201_and_409(till) -> None:
    """On PostgreSQL both requests pass the "already reported?" check before either commits;
    the unique index stops the second, which must be a 409, never a 500."""
    async def post(report: dict):
        return await till.http.post("/v1/z-reports", json=report, headers={"Idempotency-Key": f'"{report["report_id"]}"'})

    for z_number in range(1, 6):
        replies = await asyncio.gather(post(_z(till, z_number)), post(_z(till, z_number)))
        assert sorted(r.status_code for r in replies) == [201, 409], [r.text for r in replies]
        assert [r.json()["code"] for r in replies if r.status_code == 409] == ["z_number_reused"]


async def test_z_number_beyond_its_column_is_422_not_500(till) -> None:
    # Found by the fuzz: a z_number past a 32-bit INTEGER overflowed in the driver (500).
    report = _z(till, 2**31)
    response = await till.http.post("/v1/z-reports", json=report, headers={"Idempotency-Key": f'"{report["report_id"]}"'})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_failed" and "z_number" in response.json()["detail"]


async def test_resolution_needs_permission_and_completeness(shop, till) -> None:
    await shop.add_user("cash", "cashier")
    await shop.add_user("boss", "manager")
    order = make_order(store_id="S1", terminal_id=till.terminal_id, lines=[("SKU1", "1", "0.99", "0.19"), ("NEW", "1", "1.00", "0.19")])
    assert (await till.post_order(order)).status_code == 202
    url = f"/v1/orders/{order.order_id}/resolution"

    async def resolve(resolutions, key=None):
        headers = {"Idempotency-Key": f'"{key or uuid.uuid4()}"'}
        return await till.http.post(url, json={"resolutions": resolutions}, headers=headers)

    honor = {"line_no": 1, "code": "PRICE_CHANGED", "action": "honor_terminal", "approved_by": "boss", "reason": "shelf label"}
    void = {"line_no": 2, "code": "ITEM_UNKNOWN", "action": "void_line", "approved_by": "boss", "reason": "not ours"}
    response = await resolve([{**honor, "approved_by": "cash"}, void])
    assert response.status_code == 403 and response.json()["code"] == "not_permitted"
    response = await resolve([honor])
    assert response.status_code == 422 and response.json()["code"] == "resolution_incomplete"
    assert (await till.http.get(f"/v1/orders/{order.order_id}")).json()["status"] == "held"
    key = str(uuid.uuid4())
    response = await resolve([honor, void], key=key)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "resolved" and response.json()["server_seq"] >= 1
    assert (await resolve([honor, void], key=key)).headers["Idempotent-Replayed"] == "true"
    status = (await till.http.get(f"/v1/orders/{order.order_id}")).json()
    assert status["status"] == "resolved" and len(status["resolutions"]) == 2
    again = await resolve([honor, void])
    assert again.status_code == 409 and again.json()["code"] == "order_not_held"


async def test_resolution_of_another_stores_order_is_404(shop, till) -> None:
    await shop.add_store("S2")
    other = await shop.terminal("S2")
    order = make_order(store_id="S1", terminal_id=till.terminal_id, lines=[("SKU1", "1", "0.99", "0.19")])
    await till.post_order(order)
    body = {"resolutions": [{"line_no": 1, "code": "PRICE_CHANGED", "action": "accept_server", "approved_by": "x", "reason": "r"}]}
    response = await other.http.post(f"/v1/orders/{order.order_id}/resolution", json=body, headers={"Idempotency-Key": '"k1"'})
    assert response.status_code == 404


async def test_nul_characters_are_422_not_500(shop, till) -> None:
    """Found by the fuzz on PostgreSQL, which cannot store NUL in text: a NUL in a body,
    a path or a query is a clear 422 on both databases."""
    body = await shop.admin.put("/v1/admin/stores/S9", json={"name": "Caf\u00e9\u0000"})
    assert body.status_code == 422 and "NUL" in body.json()["detail"]
    path = await shop.admin.put("/v1/admin/stores/S%00", json={"name": "Shop"})
    assert path.status_code == 422 and path.json()["code"] == "validation_failed"
    query = await till.http.get("/v1/catalog", params={"since": "1\u0000"})
    assert query.status_code == 422
    heartbeat = await till.http.post("/v1/terminals/heartbeat", json={
        "queue_depth": 0, "oldest_pending_age_s": 0, "app_version": "1", "devices": {"prin\u0000ter": "online"}})
    assert heartbeat.status_code == 422


async def test_a_z_report_carries_the_card_terminals_end_of_day(till, engine) -> None:
    from sqlalchemy import select

    from sync_server.db.models import ZReportRow as ServerZ

    report = _z(till, 1)
    report["card_terminal"] = {"terminal_total": "30.71", "terminal_count": 3, "till_total": "29.71",
                               "difference": "1.00", "error": None}
    response = await till.http.post("/v1/z-reports", json=report, headers={"Idempotency-Key": f'"{report["report_id"]}"'})
    assert response.status_code == 201, response.text
    with engine.connect() as conn:
        body = conn.execute(select(ServerZ.body).where(ServerZ.report_id == report["report_id"])).scalar_one()
    assert ZReport.model_validate_json(body).card_terminal.difference == Decimal("1.00")
    bad = _z(till, 2)
    bad["card_terminal"] = {"till_total": "1.5x"}
    assert (await till.http.post("/v1/z-reports", json=bad, headers={"Idempotency-Key": f'"{bad["report_id"]}"'})).status_code == 422


async def test_a_heartbeat_behind_the_receipts_the_server_holds_is_answered_with_the_last_one(shop, till) -> None:
    """A till restored from an older backup: its counter says 3, the server holds its
    receipts 1..13 (10 sales after the backup had reached it)."""
    for seq in range(1, 14):
        order = make_order(store_id="S1", terminal_id=till.terminal_id, receipt_no=f"{till.terminal_id}-{seq:06d}")
        assert (await till.post_order(order)).status_code == 201
    beat = {"queue_depth": 0, "oldest_pending_age_s": 0, "app_version": "1"}

    behind = await till.http.post("/v1/terminals/heartbeat", json={**beat, "last_receipt_seq": 3})
    level = await till.http.post("/v1/terminals/heartbeat", json={**beat, "last_receipt_seq": 13})
    older_till = await till.http.post("/v1/terminals/heartbeat", json=beat)

    assert behind.status_code == 200 and behind.json() == {"receipts_issued_up_to": 13}
    assert level.status_code == 204 and older_till.status_code == 204
    ahead = await till.http.post("/v1/terminals/heartbeat", json={**beat, "last_receipt_seq": 0})
    assert ahead.json() == {"receipts_issued_up_to": 13}  # a till whose database was emptied
