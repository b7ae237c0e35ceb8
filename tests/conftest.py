"""Suite-wide options: hardware tests are opt-in, PostgreSQL cases need a URL."""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--hardware", action="store_true", help="run tests that need real devices")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--hardware"):
        return
    skip = pytest.mark.skip(reason="needs real hardware: run with --hardware")
    for item in items:
        if "hardware" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get("POS_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("POS_TEST_POSTGRES_URL is not set: PostgreSQL cases skipped (.ci/run sets it)")
    return url
