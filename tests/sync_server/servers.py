"""Real `pos-sync-server serve` processes under uvicorn on ephemeral ports, for race tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from tools.launcher import ServerProcess, free_port


@contextmanager
def serve(db_url: str, log_dir: Path, admin_token: str) -> Iterator[str]:
    port = free_port()
    env = {"POS_SYNC_ADMIN_TOKEN": admin_token, "POS_SYNC_LOG_LEVEL": "WARNING"}
    with ServerProcess(db_url, port=port, env=env, log_path=log_dir / f"server-{port}.log") as server:
        yield server.url


@contextmanager
def serve_many(db_url: str, log_dir: Path, admin_token: str, count: int = 2) -> Iterator[list[str]]:
    with ExitStack() as stack:
        yield [stack.enter_context(serve(db_url, log_dir, admin_token)) for _ in range(count)]
