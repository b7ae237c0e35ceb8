"""Fixtures of the back-office tests: one shop (real server under uvicorn) per module, a
fresh till per test, and Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.contract_shop import ContractServer, ContractTill

from . import scene

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Iterator[ContractServer]:
    server = scene.open_shop(tmp_path_factory.mktemp("office-shop"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def till_template(tmp_path_factory) -> Path:
    return ContractTill.template(tmp_path_factory.mktemp("office-till-template"))


@pytest.fixture
def till(shop, till_template, tmp_path) -> Iterator[ContractTill]:
    opened = scene.open_till(shop, tmp_path / "till", till_template)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not at {CHROMIUM} (apt-get install chromium); "
                    "the back-office browser tests drive it and never download a browser")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the test group has it)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def context(browser):
    opened = browser.new_context(viewport={"width": 1024, "height": 768}, accept_downloads=True)
    opened.set_default_timeout(15_000)
    yield opened
    opened.close()


@pytest.fixture
def page(context):
    return context.new_page()
