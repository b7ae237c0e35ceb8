"""Render the back office's pages to PNG files to look at them.

    .venv/bin/python -m tools.backoffice_screenshots [--out docs/screenshots/backoffice]

A throw-away shop like the browser tests' (tests/backoffice/scene.py): the real server
under uvicorn, a real till that sells at a stale price (a held order), sends a heartbeat
and closes its day (a Z report). Debian's Chromium (Playwright, headless) signs in and
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
    scene.send_heartbeat(till)
    style_categories(server)
    return server, till


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
        ("catalog", f"/office/stores/{store}/catalog?q=SKU0001"),
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
            page.get_by_label("User").fill(scene.MANAGER_ACCOUNT.user_id)
            page.get_by_label("Password").fill(scene.MANAGER_ACCOUNT.password)
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
