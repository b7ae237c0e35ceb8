from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pos_terminal.config import load_config
from pos_terminal.services import Services, open_services


class Clock:
    """A settable clock, so lockout windows are tested without waiting."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services(tmp_path: Path, clock: Clock) -> Iterator[Services]:
    svc = open_services(load_config(data_dir=tmp_path), clock)
    svc.till.sign_in("c1", "1111")
    yield svc
    svc.close()
