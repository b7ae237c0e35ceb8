"""`/metrics` under `pos-sync-server serve --workers 2`: whichever worker takes the scrape,
it counts the requests every worker served (prometheus-client's multiprocess mode), and the
database-backed series (a till's queue depth) are the same from both."""

from __future__ import annotations

import re

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tools.launcher import ServerProcess

from .conftest import ADMIN_TOKEN

pytestmark = pytest.mark.slow
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _healthz_count(text: str) -> float:
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == "pos_sync_http_requests_total" and s.labels.get("route") == "/healthz")


def _pids(directory) -> set[str]:  # type: ignore[no-untyped-def]
    return {m.group(1) for p in directory.iterdir() if (m := re.search(r"_(\d+)\.db$", p.name))}


def test_a_scrape_sums_the_counters_of_every_worker(tmp_path) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    (shared / "counter_999999.db").write_bytes(b"left over from an earlier run")
    env = {"POS_SYNC_ADMIN_TOKEN": ADMIN_TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    with ServerProcess(f"sqlite:///{tmp_path / 'sync.sqlite3'}", workers=2, env=env,
                       log_path=tmp_path / "server.log") as server:
        served = 0
        # A new connection each time, so the kernel hands them to either worker; until both
        # have answered some (each writes its own counter file), at most 400.
        while served < 400 and not (served >= 40 and len(_pids(shared)) >= 2):
            assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200
            served += 1
        assert len(_pids(shared)) >= 2, "both workers served requests"
        counts = [_healthz_count(httpx.get(server.url + "/metrics", headers=ADMIN, timeout=10).text)
                  for _ in range(6)]
    assert "999999" not in _pids(shared)  # the earlier run's file was removed at start
    assert counts == [served] * 6, f"every scrape sees all {served} requests, whichever worker answers"
