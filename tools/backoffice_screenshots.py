"""Render the back office's pages to PNG files to look at them.

    .venv/bin/python -m tools.backoffice_screenshots [--out docs/screenshots/backoffice]

A throw-away shop like the browser tests' (tests/backoffice/scene.py): the real server
under uvicorn, a real till that sells at a stale price (a held order), sends a heartbeat,
closes its day (a Z report that reconciles) and closes another with its orders held back
(a Z that waits for them); a staff list with a locked user; the till's shipped journal. Debian's Chromium (Playwright, headless) signs in and
takes each page at 1024x768 and 1920x1080 (the whole page, so nothing below the fold is
hidden). Not a test: a person looks at the pictures.
"""

from __future__ import annotations

import argparse
import tempfile
from decimal import Decimal
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from pos_protocol import paths
from pos_protocol.pins import hash_pin
from pos_terminal.config import RESOURCES
from pos_terminal.services.catalog import read_categories_csv
from tests.backoffice import scene

CHROMIUM = "/usr/bin/chromium"
SIZES = ((1024, 768), (1920, 1080))


def build_shop(workdir: Path):
    server = scene.open_shop(workdir / "server")
    till = scene.open_till(server, workdir / "till")
    scene.sell_at_stale_price(server, till, scene.ROLL, Decimal(6), "0.61")
    scene.sell_at_stale_price(server, till, scene.WATER, Decimal(1), "10.49")
    scene.sell_and_close_day(till)
    till.till.add_sku(scene.ROLL)
    till.pay_card()  # left in the outbox, so the heartbeat shows a queue
    scene.sell_with_the_outbox_held_back(till, 2)
    scene.close_day_and_send_the_z_first(till, Decimal("53.42"))  # its orders still in the outbox
    scene.send_heartbeat(till)
    add_staff(server)
    style_categories(server)
    return server, till


STAFF = [("ben", "Ben Baker", "cashier", "1357"), ("clara", "Clara Crust", "supervisor", "2468"),
         ("mia", "Mia Müller-Lüdenscheidt", "manager", "9753")]


def add_staff(server) -> None:
    for user_id, name, role, pin in STAFF:
        httpx.put(server.url + paths.fill(paths.ADMIN_USER, store_id=scene.STORE, user_id=user_id), headers=scene.ADMIN,
                  json={"name": name, "role": role, "pin_hash": hash_pin(pin)}, timeout=30).raise_for_status()
    httpx.post(server.url + paths.fill(paths.ADMIN_USER_LOCK, store_id=scene.STORE, user_id="clara"),
               headers=scene.ADMIN, timeout=30).raise_for_status()


def style_categories(server) -> None:
    """The demo's category colours, through the admin API (the catalog page shows them)."""
    for style in read_categories_csv(RESOURCES / "demo_categories.csv")[:6]:
        body = {"name": style.name, "colour": style.colour, "position": style.position}
        httpx.put(server.url + paths.fill(paths.ADMIN_CATEGORIES, store_id=scene.STORE), json=body,
                  headers=scene.ADMIN, timeout=30).raise_for_status()


def pages(store: str) -> list[tuple[str, str]]:
    return [
        ("stores", "/office/stores"),
        ("terminals", f"/office/stores/{store}/terminals"),
        ("held-orders", f"/office/stores/{store}/held"),
        ("z-reports", f"/office/stores/{store}/z-reports"),
        ("staff", f"/office/stores/{store}/staff"),
        ("catalog", f"/office/stores/{store}/catalog?q=SKU0001"),
        ("audit", f"/office/stores/{store}/audit"),
        ("export", f"/office/stores/{store}/export"),
    ]


def shoot(url: str, out: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        for width, height in SIZES:
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            page.goto(url + "/office/login")
            page.screenshot(path=str(out / f"login-{width}x{height}.png"), full_page=True)
            # The admin account: it sees every page with its forms (the staff page's need users.manage).
            page.get_by_label("User").fill(scene.ADMIN_ACCOUNT.user_id)
            page.get_by_label("Password").fill(scene.ADMIN_ACCOUNT.password)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("heading", name="Stores").wait_for()
            for name, path in pages(scene.STORE):
                page.goto(url + path)
                page.wait_for_load_state("networkidle")
                target = out / f"{name}-{width}x{height}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
            context.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots/backoffice"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        server, till = build_shop(Path(workdir))
        try:
            shoot(server.url, args.out)
        finally:
            till.close()
            server.stop()


if __name__ == "__main__":
    main()
