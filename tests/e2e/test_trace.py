"""Issue 12 item 4: a sale traced by its order id through the till's and the server's logs.

The real `pos-sync-server serve` under uvicorn (its JSON log lines on standard error,
kept in a file), an enrolled till on a real SQLite file logging to its data dir, the real
pump; then the real `pos-terminal trace` command reads both logs back.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_terminal.keys import KeyringStore
from pos_terminal.logs import close_logging, configure_logging
from pos_terminal.services import Services
from pos_terminal.sync import PumpSettings, SyncService
from tests.pos_terminal.sync.conftest import memory_keyring, ring_sales  # noqa: F401 - a fixture
from tests.pos_terminal.sync.harness import UvicornServer, enrolled_till, enrollment_code, prepare_server_db

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path: Path) -> Iterator[UvicornServer]:
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    prepare_server_db(db_url)
    with UvicornServer(db_url, log_path=tmp_path / "server.log") as srv:
        yield srv


@pytest.fixture
def till(tmp_path: Path, server: UvicornServer, memory_keyring) -> Iterator[Services]:  # type: ignore[no-untyped-def]
    configure_logging(tmp_path / "till")
    services = enrolled_till(tmp_path / "till", server.url, enrollment_code(server.db_url),
                             KeyringStore(memory_keyring))
    yield services
    services.close()
    close_logging()


def trace(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pos_terminal.cli", "trace", *args,
                           "--data-dir", str(tmp_path / "till")], capture_output=True, text=True, timeout=60)


def test_a_sale_is_traced_by_its_order_id_through_till_and_server_logs(
        tmp_path: Path, server: UvicornServer, till: Services) -> None:
    first, second = ring_sales(till, 2)
    sync = SyncService(till, pump_settings=PumpSettings(batch_size=1), heartbeat_interval_s=3600)
    sync.start()
    try:
        assert sync.wait_drained(30)
    finally:
        sync.stop()

    till_lines = [json.loads(l) for l in (tmp_path / "till" / "logs" / "till.jsonl").read_text().splitlines()]
    sent = [l for l in till_lines if l.get("order_id") == first and l.get("correlation_id")]
    assert sent, "no till line names the order together with the request that carried it"
    [cid] = {l["correlation_id"] for l in sent}

    done = trace(tmp_path, first, "--server-log", str(tmp_path / "server.log"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    till_side = [l for l in lines if " till " in l]
    server_side = [l for l in lines if " server " in l]
    assert any("committed" in l for l in till_side) and any("answered 201" in l for l in till_side)
    assert any("order accepted" in l for l in server_side), done.stdout
    assert any(f"correlation_id={cid}" in l and "request" in l for l in server_side), done.stdout
    assert second not in done.stdout, "another sale's lines in this sale's trace"
    committed = next(i for i, l in enumerate(lines) if "committed" in l)
    accepted = next(i for i, l in enumerate(lines) if "order accepted" in l)
    assert committed < accepted, "not in time order"


def test_trace_of_an_order_the_logs_never_saw_says_so(tmp_path: Path, till: Services) -> None:
    done = trace(tmp_path, "00000000-0000-4000-8000-000000000000")
    assert done.returncode == 1
    assert "names order 00000000-0000-4000-8000-000000000000" in done.stderr


def test_trace_names_a_missing_server_log(tmp_path: Path, till: Services) -> None:
    done = trace(tmp_path, "x", "--server-log", str(tmp_path / "nope.log"))
    assert done.returncode == 2 and "no server log at" in done.stderr
