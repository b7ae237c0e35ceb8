"""Suite-wide options: hardware tests are opt-in, PostgreSQL cases need a URL."""

from __future__ import annotations

import os

import pytest
from cryptography.fernet import Fernet

# One server key for the session, in the environment so that server processes the tests
# start open what in-process code sealed (and no test makes a key file in the home dir).
os.environ.setdefault("POS_SYNC_SECRET_KEY", Fernet.generate_key().decode())


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
