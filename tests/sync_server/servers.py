"""Real `pos-sync-server serve` processes under uvicorn on ephemeral ports, for race tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

CLI = Path(sys.executable).parent / "pos-sync-server"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(base_url: str, process: subprocess.Popen, log: Path, deadline_s: float = 60) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)  # polling with a deadline: a process gives no readiness event
    raise TimeoutError(f"server at {base_url} not ready after {deadline_s}s:\n{log.read_text()[-3000:]}")


@contextmanager
def serve(db_url: str, log_dir: Path, admin_token: str) -> Iterator[str]:
    port = _free_port()
    log = log_dir / f"server-{port}.log"
    env = {**os.environ, "POS_SYNC_ADMIN_TOKEN": admin_token, "POS_SYNC_LOG_LEVEL": "WARNING"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(CLI), "--db", db_url, "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, process, log)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextmanager
def serve_many(db_url: str, log_dir: Path, admin_token: str, count: int = 2) -> Iterator[list[str]]:
    with ExitStack() as stack:
        yield [stack.enter_context(serve(db_url, log_dir, admin_token)) for _ in range(count)]
