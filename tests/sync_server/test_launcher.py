"""The launcher starts a real `pos-sync-server serve`, knows when it is ready, stops it, and
says why when the server cannot start."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest

from tools.launcher import ServerProcess, ServerStartError, answers_ready


def test_start_ready_kill_restart_on_the_same_port_stop(tmp_path):
    log = tmp_path / "server.log"
    with ServerProcess(f"sqlite:///{tmp_path / 'server.sqlite3'}", log_path=log) as server:
        assert server.running and answers_ready(server.url)
        port = server.port
        server.kill()
        assert server.process.returncode == -9 and not answers_ready(server.url)
        server.start()
        assert server.port == port and answers_ready(server.url)
    assert not server.running and server.process.returncode is not None
    assert not answers_ready(server.url)


def test_a_server_that_exits_at_once_fails_fast_naming_its_log(tmp_path):
    log = tmp_path / "server.log"
    server = ServerProcess(f"sqlite:///{tmp_path}", log_path=log)  # a directory, not a database file
    started = time.monotonic()
    try:
        with pytest.raises(ServerStartError, match="exited with 1 before it was ready") as failed:
            server.start(ready_timeout=60)
    finally:
        server.stop()  # only matters if it did start: leave no server behind a failed test
    assert time.monotonic() - started < 30, "waited for the deadline instead of noticing the exit"
    assert str(log) in str(failed.value) and "unable to open database file" in str(failed.value)
    assert not server.running


def test_a_taken_port_is_reported_not_waited_for(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = ServerProcess(f"sqlite:///{tmp_path / 'server.sqlite3'}", port=taken.getsockname()[1],
                               log_path=tmp_path / "server.log")
        try:
            with pytest.raises(ServerStartError, match="address already in use"):
                server.start(ready_timeout=60)
        finally:
            server.stop()


def _children(pid: int) -> dict[int, str]:
    """pid -> command line of the live processes whose parent is `pid` (read from /proc)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
            if int(ppid) == pid and state != "Z":
                found[int(stat.parent.name)] = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_workers_are_processes_that_get_db_and_settings_through_the_environment(tmp_path):
    """`serve --workers 2`: two worker processes behind one port, each building the app
    from the environment (`--db` included); kill() takes down the supervisor and both."""
    db = tmp_path / "server.sqlite3"
    env = {"POS_SYNC_ADMIN_TOKEN": "t0ken"}
    with ServerProcess(f"sqlite:///{db}", env=env, workers=2, log_path=tmp_path / "server.log") as server:
        workers = [pid for pid, cmd in _children(server.process.pid).items() if "multiprocessing.spawn" in cmd]
        assert len(workers) == 2, _children(server.process.pid)
        admin = {"Authorization": "Bearer t0ken"}
        assert httpx.put(f"{server.url}/v1/admin/stores/S1", json={"name": "Shop"}, headers=admin).status_code == 201
        for _ in range(6):  # a fresh connection each, so either worker: both see the one database
            reply = httpx.put(f"{server.url}/v1/admin/stores/S1", json={"name": "Shop"}, headers=admin)
            assert reply.status_code == 200, reply.text
        server.kill()
        assert not answers_ready(server.url)
        assert not any(_alive(pid) for pid in workers)
