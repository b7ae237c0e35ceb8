"""The chain load test at CI size (issue 8 item 5): 20 tills for 20 s against
`pos-sync-server serve --workers 2` on one PostgreSQL; no 5xx, no order lost or doubled."""

from __future__ import annotations

import pytest

from bench import load_chain

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_twenty_tills_against_two_worker_processes_lose_and_double_nothing(postgres_url, tmp_path):
    settings = load_chain.LoadSettings(tills=20, duration_s=20, workers=2)
    report = load_chain.run(postgres_url, settings, tmp_path)
    load_chain.print_report(report)  # shown with -s, and in the output of a failure

    assert report.server_errors == 0
    assert not report.unexpected and not report.unanswered
    assert report.lost == [] and report.doubled == [] and report.strays == []
    assert report.wrongly_held == [] and report.wrongly_accepted == []
    assert report.ok
    assert len(report.orders) >= 100
    assert any(p.answered == 202 for p in report.orders.values())  # the wrong prices were held
    assert report.replays >= 1  # resends got their first answer again
    assert all(report.latencies[route] for route in load_chain.EXPECTED), dict(report.statuses)
