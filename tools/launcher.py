"""Start `pos-sync-server serve` as a child process and know when it is ready.

One launcher for everything that needs a real server under uvicorn on this machine: the
demo (`python -m pos_terminal.demo`), the benchmarks and the tests.

    with ServerProcess(db_url, env={"POS_SYNC_ADMIN_TOKEN": token}, log_path=log) as server:
        httpx.get(server.url + "/v1/...")

`start()` spawns the server and polls GET /readyz until it answers 200, failing fast (with
the log) if the process exits first. `stop()` terminates, then kills; `kill()` is SIGKILL
for crash tests, after which `start()` brings the server back on the same port.
"""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from pos_protocol import paths

POLL_S = 0.05  # a process gives no readiness event: poll /readyz, with a deadline
LOG_TAIL_CHARS = 3000


class ServerStartError(RuntimeError):
    """The server exited before it was ready, or was not ready in time."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now: bind port 0, read it, release it.

    A small race remains: another process may take the port before the server binds it
    (the server then exits with "address already in use" and `start()` says so). Letting
    uvicorn bind port 0 itself would close it, but a restart must reuse the same port.
    """
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def answers_ready(url: str, verify: ssl.SSLContext | bool = True) -> bool:
    """Whether a server at `url` answers GET /readyz with 200 right now."""
    try:
        return httpx.get(url.rstrip("/") + paths.READYZ, timeout=1.0, verify=verify).status_code == 200
    except httpx.TransportError:
        return False


def die_with_parent() -> None:
    """In a child, before exec (Linux): get SIGTERM when the parent dies, even by SIGKILL or
    an abort (Qt aborts when a platform plugin library is missing), so no demo server or
    simulator outlives the demo. Elsewhere a no-op: the parent's `finally` stops them."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class ServerProcess:
    """`pos-sync-server --db DB_URL serve [--workers N]` on `host:port` (a free port unless given).

    `env` is added to this process's environment (e.g. POS_SYNC_ADMIN_TOKEN). Output goes
    to `log_path` (appended, so a restart keeps the earlier run) or is discarded. `tls`
    (certificate file, key file) serves HTTPS; readiness is then polled without checking
    the certificate, which is what the tests that start it are about.
    """

    def __init__(self, db_url: str, *, port: int | None = None, host: str = "127.0.0.1",
                 env: Mapping[str, str] | None = None, log_path: Path | None = None,
                 workers: int = 1, die_with_parent: bool = False, tls: tuple[Path, Path] | None = None) -> None:
        self.db_url = db_url
        self.die_with_parent = die_with_parent
        self.host = host
        self.port = port or free_port(host)
        self.env = dict(env or {})
        self.log_path = log_path
        self.workers = workers
        self.tls = tls
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, ready_timeout: float = 60.0) -> Self:
        """Spawn the server and wait until it is ready; stopped again if that fails."""
        if self.running:
            raise RuntimeError(f"the server on {self.url} is already running")
        command = [sys.executable, "-m", "sync_server.cli", "--db", self.db_url,
                   "serve", "--host", self.host, "--port", str(self.port)]
        if self.workers > 1:
            command += ["--workers", str(self.workers)]
        if self.tls:
            command += ["--ssl-certfile", str(self.tls[0]), "--ssl-keyfile", str(self.tls[1])]
        env = {**os.environ, **self.env}
        # With workers, the server is a supervisor and its worker processes: a session of
        # their own, so that kill() can take them all down at once (stop() asks the
        # supervisor, which stops its workers).
        group: dict[str, Any] = {"start_new_session": self.workers > 1}
        if self.die_with_parent:
            group["preexec_fn"] = die_with_parent
        if self.log_path is None:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL, env=env, **group)
        else:
            with self.log_path.open("ab") as log:  # the child keeps its own handle
                self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                                stderr=subprocess.STDOUT, env=env, **group)
        try:
            self.wait_ready(ready_timeout)
        except BaseException:  # also Ctrl-C while waiting: leave no server behind
            self.stop()
            raise
        return self

    def wait_ready(self, timeout: float) -> None:
        """Poll /readyz until 200; ServerStartError if the process exits or time runs out."""
        assert self.process is not None, "start() the server first"
        deadline = time.monotonic() + timeout
        while not answers_ready(self.url, verify=not self.tls):
            if self.process.poll() is not None:
                raise ServerStartError(f"pos-sync-server exited with {self.process.returncode} "
                                       f"before it was ready on {self.url}{self._log_excerpt()}")
            if time.monotonic() > deadline:
                raise ServerStartError(f"pos-sync-server not ready on {self.url} after {timeout} s"
                                       f"{self._log_excerpt()}")
            time.sleep(POLL_S)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (uvicorn shuts down gracefully); SIGKILL if it has not exited in `timeout`."""
        if not self.running:
            return
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL, no shutdown at all: what a crash looks like to clients (with workers,
        the supervisor and every worker)."""
        if self.running:
            assert self.process is not None
            if self.workers > 1:
                os.killpg(self.process.pid, signal.SIGKILL)
            else:
                self.process.kill()
            self.process.wait(10)

    def __enter__(self) -> Self:
        return self if self.running else self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _log_excerpt(self) -> str:
        if self.log_path is None:
            return " (no log kept: pass log_path)"
        tail = self.log_path.read_text(errors="replace")[-LOG_TAIL_CHARS:] if self.log_path.exists() else ""
        return f"; log {self.log_path}:\n{tail}"
