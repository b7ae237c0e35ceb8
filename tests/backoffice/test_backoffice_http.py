"""The back office over plain HTTP against the real server (no browser needed): the admin
JSON with the same data as the pages, the sign-in's refusals, CSRF, cookies that outlive
neither logout nor tampering but do reach another server process on the same database."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import httpx
import pytest

from pos_protocol import paths
from pos_protocol.codes import ConflictCode, ErrorCode
from sync_server.db.session import make_engine, write_transaction
from sync_server.services import office_users
from tools.launcher import ServerProcess

from . import scene
from .scene import ADMIN, MANAGER_ACCOUNT, ROLL, STORE

pytestmark = pytest.mark.slow
D = Decimal


def admin_get(shop, template: str, **params) -> httpx.Response:
    query = params.pop("query", None)
    return httpx.get(shop.url + paths.fill(template, **params), params=query, headers=ADMIN, timeout=30)


@contextmanager
def signed_in_client(url: str, user=MANAGER_ACCOUNT) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30) as client:
        form = client.get("/office/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        answer = client.post("/office/login", data={"user_id": user.user_id, "password": user.password,
                                                    "csrf_token": token})
        assert answer.status_code == 303, answer.text
        yield client


def test_admin_json_needs_the_admin_token(shop):
    answer = httpx.get(shop.url + paths.ADMIN_STORES, timeout=30)
    assert answer.status_code == 401 and answer.json()["code"] == ErrorCode.UNAUTHORIZED


def test_admin_json_carries_what_the_pages_show(shop, till):
    order = scene.sell_at_stale_price(shop, till, ROLL, D(2), "0.66")
    scene.send_heartbeat(till)
    stores = admin_get(shop, paths.ADMIN_STORES).json()
    mine = next(s for s in stores if s["store_id"] == STORE)
    assert (mine["locale"], mine["currency"]) == ("de_DE", "EUR") and mine["held_orders"] >= 1
    held = next(h for h in admin_get(shop, paths.ADMIN_HELD_ORDERS, store_id=STORE).json()
                if h["order_id"] == order.order_id)
    [conflict] = held["conflicts"]
    assert (conflict["code"], conflict["terminal_value"], conflict["server_value"], conflict["money_difference"],
            held["currency"]) == (ConflictCode.PRICE_CHANGED, "0.57", "0.66", "-0.18", "EUR")
    assert conflict["item_name"]  # the line's description, as the till printed it
    status = next(t for t in admin_get(shop, paths.ADMIN_TERMINAL_STATUS, store_id=STORE).json()
                  if t["terminal_id"] == till.services.config.terminal_id)
    assert (status["queue_depth"], status["devices"]["scale"]) == (0, "offline")
    [item] = admin_get(shop, paths.ADMIN_ITEMS, store_id=STORE, query={"q": ROLL}).json()
    assert (item["sku"], item["price"]) == (ROLL, "0.66")
    today = order.created_at.date().isoformat()
    orders = admin_get(shop, paths.ADMIN_STORE_ORDERS, store_id=STORE, query={"first": today, "last": today}).json()
    assert [o["conflicts"] for o in orders if o["order_id"] == order.order_id] == [[ConflictCode.PRICE_CHANGED]]


def test_admin_json_refuses_a_backwards_or_overlong_date_range(shop):
    backwards = admin_get(shop, paths.ADMIN_STORE_Z_REPORTS, store_id=STORE, query={"first": "2026-05-02", "last": "2026-05-01"})
    overlong = admin_get(shop, paths.ADMIN_STORE_ORDERS, store_id=STORE, query={"first": "2024-01-01", "last": "2026-01-01"})
    unknown = admin_get(shop, paths.ADMIN_HELD_ORDERS, store_id="no-such-store")
    assert (backwards.status_code, backwards.json()["code"]) == (422, ErrorCode.VALIDATION_FAILED)
    assert "before it starts" in backwards.json()["detail"]
    assert (overlong.status_code, overlong.json()["code"]) == (422, ErrorCode.VALIDATION_FAILED)
    assert (unknown.status_code, unknown.json()["code"]) == (404, ErrorCode.STORE_UNKNOWN)


def test_the_admin_json_is_documented_in_openapi(shop):
    documented = httpx.get(shop.url + "/openapi.json", timeout=30).json()["paths"]
    for template in (paths.ADMIN_STORES, paths.ADMIN_TERMINAL_STATUS, paths.ADMIN_HELD_ORDERS,
                     paths.ADMIN_STORE_Z_REPORTS, paths.ADMIN_STORE_ORDERS, paths.ADMIN_ITEMS, paths.ADMIN_USERS,
                     paths.ADMIN_STORE_AUDIT_HEADS, paths.ADMIN_STORE_AUDIT_ENTRIES):
        assert "get" in documented[template], template
    assert not [p for p in documented if p.startswith("/office")]  # pages are not API


def test_pages_send_a_visitor_without_a_session_to_the_login(shop):
    plain = httpx.get(shop.url + f"/office/stores/{STORE}/held", follow_redirects=False, timeout=30)
    assert plain.status_code == 303 and plain.headers["location"].endswith("/office/login")
    htmx = httpx.get(shop.url + f"/office/stores/{STORE}/catalog", headers={"HX-Request": "true"}, timeout=30)
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].endswith("/office/login")
    tampered = httpx.get(shop.url + "/office/stores", cookies={"pos_office": "eyJjIjoieCIsInUiOiJhbm5hIiwiZSI6MH0.x.y"},
                         follow_redirects=False, timeout=30)
    assert tampered.status_code == 303


def test_a_form_without_the_sessions_csrf_token_changes_nothing(shop):
    with signed_in_client(shop.url) as client:
        before = admin_get(shop, paths.ADMIN_ITEMS, store_id=STORE, query={"q": scene.WATER}).json()[0]["price"]
        refused = client.post(f"/office/stores/{STORE}/catalog/{scene.WATER}/price", data={"price": "1,00"})
        forged = client.post(f"/office/stores/{STORE}/catalog/{scene.WATER}/price",
                             data={"price": "1,00", "csrf_token": "guessed"})
        assert (refused.status_code, forged.status_code) == (403, 403)
        assert "nothing was changed" in refused.text
        after = admin_get(shop, paths.ADMIN_ITEMS, store_id=STORE, query={"q": scene.WATER}).json()[0]["price"]
        assert before == after
        login_without_token = httpx.post(shop.url + "/office/login", timeout=30,
                                         data={"user_id": MANAGER_ACCOUNT.user_id, "password": MANAGER_ACCOUNT.password})
        assert login_without_token.status_code == 403


def test_a_session_reaches_another_server_process_until_the_password_changes(shop, tmp_path):
    """The signing key is in the database: a cookie from one process opens pages on another
    (workers, replicas, a restart). A new password ends every session of the account."""
    with signed_in_client(shop.url) as client:
        with ServerProcess(shop.db_url, log_path=tmp_path / "second.log") as second:
            cookie = client.cookies["pos_office"]
            other = httpx.get(second.url + "/office/stores", cookies={"pos_office": cookie}, follow_redirects=False,
                              timeout=30)
            assert other.status_code == 200 and "Bäckerei am Markt" in other.text
            engine = make_engine(shop.db_url, pool_size=1)
            try:
                with write_transaction(engine) as conn:
                    office_users.put_user(conn, MANAGER_ACCOUNT.user_id, MANAGER_ACCOUNT.name, "manager",
                                          MANAGER_ACCOUNT.password)  # the same password, set again
            finally:
                engine.dispose()
            ended = httpx.get(second.url + "/office/stores", cookies={"pos_office": cookie}, follow_redirects=False,
                              timeout=30)
            assert ended.status_code == 303


def test_the_cli_refuses_a_short_password_and_stores_only_a_scrypt_hash(shop):
    weak = scene.OfficeUser("weak", "Weak", "manager", "short")
    with pytest.raises(Exception) as refused:
        scene.add_office_user(shop.db_url, weak)
    assert "at least 10 characters" in refused.value.stderr
    engine = make_engine(shop.db_url, pool_size=1)
    try:
        with write_transaction(engine) as conn:
            stored = conn.exec_driver_sql("SELECT password_hash FROM office_users WHERE user_id = 'anna'").scalar_one()
            assert conn.exec_driver_sql("SELECT count(*) FROM office_users WHERE user_id = 'weak'").scalar_one() == 0
    finally:
        engine.dispose()
    assert stored.startswith("scrypt$16384$8$1$") and MANAGER_ACCOUNT.password not in stored
    assert office_users.verify_password(MANAGER_ACCOUNT.password, stored)
    assert not office_users.verify_password(MANAGER_ACCOUNT.password + "x", stored)


def test_a_removed_office_user_is_signed_out_at_once(shop):
    leaver = scene.OfficeUser("lea", "Lea Leaving", "manager", "lea's long password")
    assert "created" in scene.add_office_user(shop.db_url, leaver)
    with signed_in_client(shop.url, leaver) as client:
        assert client.get("/office/stores").status_code == 200
        listed = run_cli(shop, "office-user", "list")
        assert "lea\tLea Leaving\tmanager" in listed.stdout and "anna\tAnna Office\tmanager" in listed.stdout
        assert run_cli(shop, "office-user", "remove", "lea").returncode == 0
        assert client.get("/office/stores", follow_redirects=False).status_code == 303
    again = run_cli(shop, "office-user", "remove", "lea")
    assert again.returncode == 1 and "there is no office user lea" in again.stderr


def run_cli(shop, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sync_server.cli", "--db", shop.db_url, *args],
                          capture_output=True, text=True, timeout=60, check=False)
