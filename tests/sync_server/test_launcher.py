"""The launcher starts a real `pos-sync-server serve`, knows when it is ready, stops it, and
says why when the server cannot start."""

from __future__ import annotations

import socket
import time

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
