"""End to end: real processes only (sync server under uvicorn, terminal CLIs, the demo).

The secret store in the child processes is the encrypted file (this machine has no OS
keyring), opted in through POS_TERMINAL_KEY_PASSPHRASE as an operator would.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections import Counter

import httpx
import pytest

from pos_terminal.config import load_config
from pos_terminal.keys import PASSPHRASE_ENV
from pos_terminal.services import open_services
from pos_terminal.store.models import Order
from pos_terminal.sync import PumpSettings, SyncService
from pos_terminal.sync.enrollment import enrolled_config
from tools.launcher import answers_ready
from tests.pos_terminal.sync.harness import (
    DEFAULT_CONFIG,
    UvicornServer,
    enrollment_code,
    free_port,
    prepare_server_db,
    server_orders,
    wait_until,
)

pytestmark = pytest.mark.slow


def run(*cmd: str, env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *cmd], capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture
def child_env(tmp_path) -> dict[str, str]:
    return {**os.environ, PASSPHRASE_ENV: "e2e passphrase", "PYTHONUNBUFFERED": "1"}


def test_simulate_sales_against_a_real_server_all_accepted_none_twice(tmp_path, child_env, monkeypatch):
    """Seed 27 rings the same goods twice within seconds (identical content, as shops do):
    honest sales, so no DUPLICATE_CONTENT hold (PROTOCOL.md; issue 11, item 5)."""
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    prepare_server_db(db_url)
    server = UvicornServer(db_url, log_path=tmp_path / "server.log")
    server.start()
    try:
        till_dir = tmp_path / "till"
        enrolled = run("-m", "pos_terminal.cli", "enroll", "--code", enrollment_code(db_url),
                       "--server", server.url, "--data-dir", str(till_dir), env=child_env)
        assert enrolled.returncode == 0, enrolled.stderr
        assert "secret kept in encrypted file" in enrolled.stdout
        sold = run("-m", "pos_terminal.cli", "simulate-sales", "--count", "40", "--seed", "27",
                   "--data-dir", str(till_dir), env=child_env)
        assert sold.returncode == 0, sold.stderr
        committed = re.findall(r"^committed \S+ (\S+)$", sold.stdout, re.M)
        assert len(committed) == 40

        monkeypatch.setenv(PASSPHRASE_ENV, "e2e passphrase")
        services = open_services(enrolled_config(load_config(DEFAULT_CONFIG, data_dir=till_dir)))
        sync = SyncService(services, pump_settings=PumpSettings(batch_size=7), heartbeat_interval_s=3600)
        sync.start()
        try:
            assert sync.wait_drained(60)
        finally:
            sync.stop()
        with services.db.reader() as s:
            hashes = [h for (h,) in s.query(Order.content_hash)]
            assert {st for (st,) in s.query(Order.sync_status)} == {"accepted"}
        assert len(set(hashes)) < len(hashes), "this seed no longer rings two identical sales: pick one that does"
        services.close()
        stored = server_orders(db_url)
        assert sorted(Counter(o for o, _ in stored).items()) == sorted((o, 1) for o in committed)
        assert {status for _, status in stored} == {"accepted"}
    finally:
        server.stop()


def test_demo_headless_runs_twice_and_every_sale_arrives_once(tmp_path, child_env):
    port = free_port()
    args = ["-m", "tools.demo", "--dir", str(tmp_path / "demo"), "--port", str(port),
            "--headless", "--sales", "4"]
    first = run(*args, env=child_env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "till enrolled as" in first.stdout and "'accepted': 4" in first.stdout
    second = run(*args, env=child_env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "already enrolled" in second.stdout and "'accepted': 8" in second.stdout
    stored = server_orders(f"sqlite:///{tmp_path / 'demo' / 'server.sqlite3'}")
    assert len(stored) == 8 and len({o for o, _ in stored}) == 8
    with pytest.raises(httpx.TransportError):  # the demo's server is gone with it
        httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)


def test_ctrl_c_stops_the_demo_and_its_server(tmp_path, child_env):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tools.demo", "--dir", str(tmp_path / "demo"), "--port", str(port),
         "--headless", "--sales", "100000"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=child_env)
    try:
        for line in proc.stdout:  # the demo says when its server is up
            if line.startswith("sync server ready"):
                break
        wait_until(lambda: answers_ready(f"http://127.0.0.1:{port}"), 20, "demo server ready")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
