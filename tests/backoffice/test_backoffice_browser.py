"""The back office in a real browser: Debian's Chromium (Playwright, headless) against the
real server under uvicorn, with a real till selling through its outbox.

Each test signs in as an office user made with `pos-sync-server office-user add`, then:
sees a sale rung at a stale price held with its diff and resolves it; sees a closed day's
Z report; sees a Z sent ahead of its orders mismatched in words, then reconciled once the
till's backlog drains; adds a cashier the till then pulls and signs in, and removes them
again; changes a price and sees the till pull it; exports CSV. Waiting is Playwright's
(`expect` retries until the page shows it), never a sleep.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import httpx
import pytest

from pos_protocol import paths
from pos_protocol.codes import ConflictCode, OrderStatus
from pos_terminal.core.users import WrongPin
from pos_terminal.services.staff import UnknownUser
from pos_terminal.sync.catalog_pull import CatalogPuller
from pos_terminal.sync.staff_pull import StaffPuller

from . import scene
from .scene import ADMIN_ACCOUNT, CASHIER_ACCOUNT, MANAGER_ACCOUNT, ROLL, STORE

pytestmark = pytest.mark.slow
D = Decimal


def office(shop, path: str = "") -> str:
    return f"{shop.url}/office{path}"


def sign_in(page, shop, user=MANAGER_ACCOUNT) -> None:
    page.goto(office(shop, "/login"))
    page.get_by_label("User").fill(user.user_id)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Stores").wait_for()


def expect():
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect


def test_sign_in_refuses_a_wrong_password_and_sign_out_ends_the_session(shop, page, context):
    page.goto(office(shop, "/stores"))
    assert page.url.endswith("/office/login")  # no page without an account
    page.get_by_label("User").fill(MANAGER_ACCOUNT.user_id)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect()(page.get_by_role("alert")).to_contain_text("do not match")
    sign_in(page, shop)
    expect()(page.locator("table")).to_contain_text("Bäckerei am Markt")
    cookie = next(c for c in context.cookies() if c["name"] == "pos_office")
    assert cookie["httpOnly"] and cookie["path"] == "/office"
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    # The cookie the browser held before signing out no longer opens a page.
    stolen = httpx.get(office(shop, "/stores"), cookies={"pos_office": cookie["value"]}, follow_redirects=False)
    assert stolen.status_code == 303 and stolen.headers["location"].endswith("/office/login")


def test_a_sale_at_a_stale_price_is_held_with_its_diff_and_resolved_here(shop, page, till):
    order = scene.sell_at_stale_price(shop, till, ROLL, D(3), "0.61")  # the till still sells at 0.57
    assert till.server_order(order.order_id).status == OrderStatus.HELD
    sign_in(page, shop)
    page.goto(office(shop, f"/stores/{STORE}/held"))
    card = page.locator(f"[data-order-id='{order.order_id}']")
    expect()(card).to_contain_text(order.receipt_no)
    expect()(card).to_contain_text(ConflictCode.PRICE_CHANGED)
    expect()(card).to_contain_text("0,57 €")  # the till's unit price, in the store's locale
    expect()(card).to_contain_text("0,61 €")  # the server's
    expect()(card).to_contain_text("−0,12 €")  # 3 x (0.57 - 0.61): the till charged less, in the store's locale
    card.get_by_label(re.compile("Decision for line")).select_option("honor_terminal")
    card.get_by_label("Reason").fill("shelf label still showed 0.57")
    card.get_by_role("button", name="Resolve").click()
    expect()(page.locator(f"[data-resolved='{order.order_id}']")).to_be_visible()
    page.reload()
    expect()(page.locator(f"[data-order-id='{order.order_id}']")).to_have_count(0)
    # Recorded on the order as a till's resolution is: decision, approver, reason.
    resolved = till.server_order(order.order_id)
    assert resolved.status == OrderStatus.RESOLVED
    assert [(r.action.value, r.approved_by, r.reason) for r in resolved.resolutions] == [
        ("honor_terminal", "office:anna", "shelf label still showed 0.57")]
    journal = httpx.get(shop.url + paths.fill(paths.ADMIN_STORE_AUDIT_ENTRIES, store_id=STORE), headers=scene.ADMIN,
                        params={"action": "order.resolve", "actor": MANAGER_ACCOUNT.user_id}, timeout=30).json()
    assert [(r["actor"], r["payload"]["reason"]) for r in journal["records"] if r["subject"] == order.order_id] == [
        ("office:anna", "shelf label still showed 0.57")]  # and in the office's journal


def test_an_office_cashier_sees_held_orders_but_cannot_resolve_them(shop, page, till):
    order = scene.sell_at_stale_price(shop, till, ROLL, D(1), "0.63")
    sign_in(page, shop, CASHIER_ACCOUNT)
    page.goto(office(shop, f"/stores/{STORE}/held"))
    card = page.locator(f"[data-order-id='{order.order_id}']")
    expect()(card).to_contain_text(order.receipt_no)
    expect()(card.get_by_role("button", name="Resolve")).to_have_count(0)
    expect()(page.locator("main")).to_contain_text("conflict.resolve")
    # Posting the form anyway (the session's own CSRF token, a made-up decision) is refused in words.
    token = page.locator("body").get_attribute("hx-headers")
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', token).group(1)
    answer = page.request.post(office(shop, f"/stores/{STORE}/held/{order.order_id}/resolution"),
                               form={"csrf_token": csrf, f"decision:1:{ConflictCode.PRICE_CHANGED}": "honor_terminal"})
    assert answer.status == 409 and "may not resolve" in answer.text()
    assert till.server_order(order.order_id).status == OrderStatus.HELD


def test_a_closed_day_is_listed_with_its_flags(shop, page, till):
    _, report_id = scene.sell_and_close_day(till)
    sign_in(page, shop)
    page.goto(office(shop, f"/stores/{STORE}/z-reports"))
    row = page.locator(f"tr[data-report-id='{report_id}']")
    expect()(row).to_contain_text(till.services.config.terminal_id)
    expect()(row).to_contain_text("19,86 €")  # two waters at 9.93
    expect()(row).to_contain_text("no flags")


def test_a_z_sent_ahead_of_its_orders_reconciles_once_the_backlog_drains(shop, page, till):
    sold = scene.sell_with_the_outbox_held_back(till, 3)  # the server hears nothing of them yet
    report_id = scene.close_day_and_send_the_z_first(till, D("53.42"))
    sign_in(page, shop)
    page.goto(office(shop, f"/stores/{STORE}/z-reports"))
    row = page.locator(f"tr[data-report-id='{report_id}']")
    expect()(row.locator("td.reconciliation")).to_have_text("3 orders of this drawer session have not arrived yet")
    detail = page.locator(f"tr[data-detail-of='{report_id}']")
    expect()(detail.locator("li[data-missing]")).to_have_count(3)
    expect()(detail.locator("tr[data-figure='sales_count']")).to_have_class(re.compile("differs"))
    expect()(detail.locator("tr[data-figure='by_tender.cash.amount']")).to_contain_text("3,42 €")  # the till's Z
    till.drain()  # the server is back: the backlog drains (and the Z again, answered as already stored)
    page.reload()
    row = page.locator(f"tr[data-report-id='{report_id}']")
    expect()(row.locator("td.reconciliation")).to_contain_text("Matches the orders received")
    expect()(row).to_contain_text("no flags")
    detail = page.locator(f"tr[data-detail-of='{report_id}']")
    expect()(detail.locator("li[data-missing]")).to_have_count(0)
    expect()(detail.locator("tr.differs")).to_have_count(0)
    for order in sold:
        expect()(detail.locator(".received")).to_contain_text(order.receipt_no)


def test_a_cashier_added_here_signs_in_on_a_till_and_is_refused_once_removed(shop, page, till):
    sign_in(page, shop, ADMIN_ACCOUNT)
    page.goto(office(shop, f"/stores/{STORE}/staff"))
    form = page.locator("section.add-user")
    form.get_by_label("User id (typed at the till)").fill("gina")
    form.get_by_label("Name", exact=True).fill("Gina Grain")
    form.get_by_label("Role").select_option("cashier")
    form.get_by_label("PIN (4–12 digits)").fill("2580")
    form.get_by_label("PIN again", exact=True).fill("2085")
    form.get_by_role("button", name="Add user").click()
    expect()(page.get_by_role("alert")).to_contain_text("The two PIN entries differ")
    form = page.locator("section.add-user")
    expect()(form.get_by_label("Name", exact=True)).to_have_value("Gina Grain")  # kept, the PINs not
    form.get_by_label("PIN (4–12 digits)").fill("2580")
    form.get_by_label("PIN again", exact=True).fill("2580")
    form.get_by_role("button", name="Add user").click()
    expect()(page.locator("#staff-notice")).to_contain_text("Gina Grain was added")
    row = page.locator("tr[data-user-id='gina']")
    expect()(row).to_contain_text("active")
    expect()(row).to_contain_text("added by olga (office)")

    puller = StaffPuller(till.services.db, till.client)  # the till's own staff pull, as its sync thread runs it
    assert "gina" in puller.pull_once().upserted
    till.till.sign_out()
    with pytest.raises(WrongPin):
        till.till.sign_in("gina", "0000")
    assert till.till.sign_in("gina", "2580").name == "Gina Grain"
    till.till.sign_out()

    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.locator("tr[data-user-id='gina']").get_by_role("button", name="Remove Gina Grain").click()
    expect()(page.locator("#staff-notice")).to_contain_text("Gina Grain was removed")
    expect()(page.locator("tr[data-user-id='gina']")).to_have_count(0)
    assert asked == ["Remove Gina Grain from the staff list? Every till refuses them once it hears of it."]
    assert "gina" in puller.pull_once().removed
    with pytest.raises(UnknownUser):
        till.till.sign_in("gina", "2580")


def test_a_price_change_here_is_a_new_catalog_version_the_till_pulls(shop, page, till):
    puller = CatalogPuller(till.services.db, till.client)
    puller.pull_once()
    sign_in(page, shop)
    page.goto(office(shop, f"/stores/{STORE}/catalog"))
    page.get_by_label("Search").fill(ROLL)
    row = page.locator(f"tr[data-sku='{ROLL}']")
    expect()(row).to_be_visible()  # htmx searched as we typed
    price = row.get_by_label(re.compile("New price"))
    price.fill("zwei Euro")
    row.get_by_role("button", name="Change").click()
    expect()(page.locator(f"tr[data-sku='{ROLL}']").get_by_role("alert")).to_contain_text("is not a price")
    page.locator(f"tr[data-sku='{ROLL}']").get_by_label(re.compile("New price")).fill("0,69")
    page.locator(f"tr[data-sku='{ROLL}']").get_by_role("button", name="Change").click()
    row = page.locator(f"tr[data-sku='{ROLL}']")
    expect()(row).to_contain_text("Now 0,69 €: catalog version")
    assert puller.pull_once().changed
    assert till.services.catalog.by_sku(ROLL).price == D("0.69")
    till.till.add_sku(ROLL)
    sold = till.pay_card()
    till.drain()
    assert till.server_order(sold.order_id).status == OrderStatus.ACCEPTED  # no stale price left


def test_orders_and_z_reports_export_as_csv(shop, page, till):
    order, report_id = scene.sell_and_close_day(till)
    sign_in(page, shop)
    page.goto(office(shop, f"/stores/{STORE}/export"))
    with page.expect_download() as orders_download:
        page.get_by_role("button", name="Orders (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(open(orders_download.value.path(), encoding="utf-8").read())))
    mine = [r for r in rows if r["order_id"] == order.order_id]
    assert [(r["receipt_no"], r["gross"], r["currency"], r["status"]) for r in mine] == [
        (order.receipt_no, "19.86", "EUR", "accepted")]
    assert orders_download.value.suggested_filename.startswith(f"{STORE}-orders-")
    with page.expect_download() as z_download:
        page.get_by_role("button", name="Z reports (CSV)").click()
    z_rows = list(csv.DictReader(io.StringIO(open(z_download.value.path(), encoding="utf-8").read())))
    assert [(r["gross"], r["flags"]) for r in z_rows if r["report_id"] == report_id] == [("19.86", "")]


def test_terminals_show_their_last_heartbeat_queue_and_devices(shop, page, till):
    till.till.add_sku(ROLL)
    till.pay_card()  # left in the outbox: the heartbeat reports it
    scene.send_heartbeat(till)
    sign_in(page, shop)
    page.goto(office(shop, f"/stores/{STORE}/terminals"))
    row = page.locator("tr", has_text=till.services.config.terminal_id)
    expect()(row).to_contain_text("ago")
    expect()(row.locator("td").nth(2)).to_have_text("1")  # queue depth
    expect()(row).to_contain_text("scale: offline")
    expect()(row.locator(".badge.warn", has_text="scale")).to_have_count(1)
    expect()(row.locator(".badge.ok", has_text="printer")).to_have_count(1)
    till.drain()
