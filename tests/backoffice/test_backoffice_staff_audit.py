"""The staff, audit and Z report pages over plain HTTP against the real server: who may
change the staff list, PINs typed twice and kept only as scrypt hashes, every change
journalled and found by audit search (page and JSON), a Z report's reconciliation in words."""

from __future__ import annotations

import logging
import re
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from pos_protocol import paths
from pos_protocol.pins import verify_pin
from pos_protocol.wire import canonical_json
from sync_server.db.models import STORE_USERS
from sync_server.db.session import make_engine, read_connection

from . import scene
from .scene import ADMIN, ADMIN_ACCOUNT, MANAGER_ACCOUNT, STORE
from .test_backoffice_http import admin_get, signed_in_client

pytestmark = pytest.mark.slow
D = Decimal


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def staff_row(shop, user_id: str):
    engine = make_engine(shop.db_url)
    try:
        with read_connection(engine) as conn:
            return conn.execute(select(STORE_USERS).where(STORE_USERS.c.store_id == STORE,
                                                          STORE_USERS.c.user_id == user_id)).mappings().first()
    finally:
        engine.dispose()


def add(client, user_id: str, pin: str, again: str | None = None, role: str = "cashier") -> httpx.Response:
    page = client.get(f"/office/stores/{STORE}/staff")
    return client.post(f"/office/stores/{STORE}/staff", data={
        "user_id": user_id, "name": f"Name of {user_id}", "role": role, "pin": pin,
        "pin_again": pin if again is None else again, "csrf_token": token(page.text)})


def test_an_admin_adds_a_user_whose_pin_is_kept_only_as_its_scrypt_hash(shop, caplog):
    caplog.set_level(logging.DEBUG)
    with signed_in_client(shop.url, ADMIN_ACCOUNT) as client:
        differ = add(client, "bea", "4711", again="4712")
        assert differ.status_code == 422 and "The two PIN entries differ" in differ.text
        short = add(client, "bea", "47")
        assert short.status_code == 422 and "4 to 12 digits" in short.text
        assert staff_row(shop, "bea") is None  # nothing changed
        added = add(client, "bea", "4711")
        assert added.status_code == 303
        page = client.get(added.headers["location"])
        assert "Name of bea was added" in page.text and 'data-user-id="bea"' in page.text
        assert "4711" not in page.text
    row = staff_row(shop, "bea")
    assert row["pin_hash"].startswith("scrypt$") and verify_pin("4711", row["pin_hash"])
    assert "4711" not in caplog.text
    [entry] = [e for e in admin_get(shop, paths.ADMIN_STORE_AUDIT_ENTRIES, store_id=STORE,
                                    query={"action": "staff.", "actor": ADMIN_ACCOUNT.user_id}).json()["records"]
               if e["subject"] == "bea"]
    assert (entry["source"], entry["actor"], entry["action"]) == ("office", "office:olga", "staff.add")
    assert entry["payload"] == {"name": "Name of bea", "role": "cashier", "pin_set": True}


def test_a_manager_sees_the_staff_list_but_may_not_change_it(shop):
    httpx.put(shop.url + paths.fill(paths.ADMIN_USER, store_id=STORE, user_id="dora"), headers=ADMIN, timeout=30,
              json={"name": "Dora Dough", "role": "cashier"}).raise_for_status()
    with signed_in_client(shop.url, MANAGER_ACCOUNT) as client:
        page = client.get(f"/office/stores/{STORE}/staff")
        assert "Dora Dough" in page.text and "needs a role with <code>users.manage</code>" in page.text
        assert "Add a user" not in page.text and "no PIN yet" in page.text
        refused = client.post(f"/office/stores/{STORE}/staff/dora/remove", data={"csrf_token": token(page.text)})
        assert refused.status_code == 422 and "may not change the staff list" in refused.text
    assert staff_row(shop, "dora")["removed"] is False


def test_a_staff_form_without_its_token_changes_nothing(shop):
    with signed_in_client(shop.url, ADMIN_ACCOUNT) as client:
        client.get(f"/office/stores/{STORE}/staff")
        answer = client.post(f"/office/stores/{STORE}/staff", data={
            "user_id": "eve", "name": "Eve", "role": "admin", "pin": "1234", "pin_again": "1234"})
    assert answer.status_code == 403 and staff_row(shop, "eve") is None


def test_new_pin_unlock_and_remove_are_journalled_and_found_by_audit_search(shop):
    with signed_in_client(shop.url, ADMIN_ACCOUNT) as client:
        assert add(client, "finn", "1357").status_code == 303
        httpx.post(shop.url + paths.fill(paths.ADMIN_USER_LOCK, store_id=STORE, user_id="finn"), headers=ADMIN,
                   timeout=30).raise_for_status()
        page = client.get(f"/office/stores/{STORE}/staff").text
        assert re.search(r'data-user-id="finn".*?locked', page, re.S)
        csrf = token(page)
        pinned = client.post(f"/office/stores/{STORE}/staff/finn/pin",
                             data={"pin": "2468", "pin_again": "2468", "csrf_token": csrf})
        assert pinned.status_code == 303 and "done=pin" in pinned.headers["location"]
        assert verify_pin("2468", staff_row(shop, "finn")["pin_hash"]) and not staff_row(shop, "finn")["locked"]
        locked = client.post(f"/office/stores/{STORE}/staff/finn/lock", data={"csrf_token": csrf})
        assert "is locked: tills refuse them" in client.get(locked.headers["location"]).text
        assert staff_row(shop, "finn")["locked"] is True
        unlocked = client.post(f"/office/stores/{STORE}/staff/finn/unlock", data={"csrf_token": csrf})
        assert unlocked.status_code == 303 and staff_row(shop, "finn")["locked"] is False
        removed = client.post(f"/office/stores/{STORE}/staff/finn/remove", data={"csrf_token": csrf})
        assert removed.status_code == 303
        listed = client.get(removed.headers["location"]).text
        assert "was removed" in listed and 'data-user-id="finn"' not in listed
        again = client.post(f"/office/stores/{STORE}/staff/finn/unlock", data={"csrf_token": csrf})
        assert again.status_code == 409 and "not on this store&#39;s staff list" in again.text
        audit = client.get(f"/office/stores/{STORE}/audit", params={"action": "staff.", "source": "office"}).text
    assert staff_row(shop, "finn")["removed"] is True
    found = admin_get(shop, paths.ADMIN_STORE_AUDIT_ENTRIES, store_id=STORE, query={"action": "staff."}).json()
    mine = [(e["action"], e["actor"]) for e in found["records"] if e["subject"] == "finn"]
    assert mine == [("staff.remove", "office:olga"), ("staff.unlock", "office:olga"), ("staff.lock", "office:olga"),
                    ("staff.set_pin", "office:olga"), ("staff.lock", "admin-token"), ("staff.add", "office:olga")]
    assert "olga (office)" in audit and "admin token" in audit and "staff.set_pin" in audit


def test_audit_search_finds_a_tills_journal_by_action_and_pages_it(shop, till):
    scene.sell_and_close_day(till)
    terminal = till.services.config.terminal_id
    first = admin_get(shop, paths.ADMIN_STORE_AUDIT_ENTRIES, store_id=STORE,
                      query={"terminal_id": terminal, "limit": 2}).json()
    assert len(first["records"]) == 2 and first["more"] is True
    assert all(r["source"] == "till" and r["terminal_id"] == terminal for r in first["records"])
    assert first["records"][0]["at"] >= first["records"][1]["at"]  # newest first (by the till's clock)
    second = admin_get(shop, paths.ADMIN_STORE_AUDIT_ENTRIES, store_id=STORE,
                       query={"terminal_id": terminal, "limit": 2, "offset": 2}).json()
    assert second["records"][0]["at"] <= first["records"][1]["at"]
    assert {r["seq"] for r in second["records"]}.isdisjoint(r["seq"] for r in first["records"])
    [head] = [h for h in first["heads"] if h["terminal_id"] == terminal]
    assert head["flags"] == [] and head["head_seq"] >= first["records"][0]["seq"]
    actions = {r["action"] for r in admin_get(shop, paths.ADMIN_STORE_AUDIT_ENTRIES, store_id=STORE,
                                              query={"terminal_id": terminal, "limit": 500}).json()["records"]}
    some = sorted(actions)[0]
    prefix = some.split(".")[0]
    narrowed = admin_get(shop, paths.ADMIN_STORE_AUDIT_ENTRIES, store_id=STORE,
                         query={"terminal_id": terminal, "action": prefix, "limit": 500}).json()["records"]
    assert narrowed and all(r["action"].startswith(prefix) for r in narrowed)
    with signed_in_client(shop.url) as client:
        page = client.get(f"/office/stores/{STORE}/audit", params={"terminal": terminal}).text
    assert "unbroken,</span> verified from entry 1" in page and 'data-source="till"' in page
    assert 'data-source="office"' not in page  # one terminal: the office's own journal is not a till's


def test_a_z_whose_cash_was_misreported_says_by_how_much(shop, till):
    scene.sell_with_the_outbox_held_back(till, 2)

    def more_cash(report: dict) -> dict:
        for tender in report["by_tender"]:
            if tender["type"] == "cash":
                tender["amount"] = str(D(tender["amount"]) + D("2.50"))
        return report

    report_id = scene.close_day_and_send_the_z_first(till, D("52.28"), tamper=more_cash)
    _drain(till)
    with signed_in_client(shop.url) as client:
        page = client.get(f"/office/stores/{STORE}/z-reports").text
    row = re.search(rf'data-report-id="{report_id}".*?</tr>', page, re.S).group(0)
    assert "Cash differs by 2,50\xa0€" in row  # the store's locale: de_DE, a no-break space
    detail = re.search(rf'data-detail-of="{report_id}".*?</details>', page, re.S).group(0)
    assert re.search(r'data-figure="by_tender.cash.amount" class="differs">.*?\+2,50\xa0€', detail, re.S)


def _drain(till) -> None:
    """Send the backlog; the Z the outbox holds was already sent (tampered): refused and parked."""
    for _ in range(20):
        if not till.pump.pump_once().sent_anything:
            return


def test_a_rewritten_journal_is_flagged_in_words_on_the_audit_page(shop, till):
    till.drain()  # the sign-in's entry reaches the server: the chain is verified up to it
    terminal = till.services.config.terminal_id
    [head] = [h for h in admin_get(shop, paths.ADMIN_STORE_AUDIT_HEADS, store_id=STORE).json()
              if h["terminal_id"] == terminal]
    seq = head["head_seq"] + 1
    forged = {"seq": seq, "at": "2026-12-02T08:00:00+00:00", "actor": "c1", "action": "drawer.open", "subject": None,
              "payload": "{}", "prev_hash": head["head_hash"], "hash": "f" * 64}  # not the entry's hash
    answer = till.client.post_audit_entries([canonical_json({"entries": [forged]})])
    assert answer.status == 200 and answer.json()["flags"] == ["AUDIT_CHAIN_BROKEN"], answer.body
    with signed_in_client(shop.url) as client:
        page = client.get(f"/office/stores/{STORE}/audit").text
    said = re.search(rf'data-terminal-id="{terminal}">(.*?)</p>', page, re.S).group(1)
    said = " ".join(said.split())
    assert f"is broken from entry {seq}:" in said and "does not match its hash: it was rewritten" in said
    assert f"the entries up to {seq - 1} are verified" in said
