"""`make run` before it starts anything: Qt's system libraries checked and named with the
install command, no child left behind on failure; the demo server's admin token and the
one-line price change that makes a conflict arrive."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tools import demo, qt_libs
from tools.launcher import ServerProcess, answers_ready, free_port


def test_a_missing_library_is_named_with_its_install_commands():
    gone = qt_libs.SystemLibrary("libxcb-not-installed-here.so.9", "libxcb-nothere9", "xcb-util-nothere")
    present = qt_libs.SystemLibrary("libc.so.6", "libc6", "glibc")
    assert qt_libs.missing((gone, present)) == [gone]
    text = qt_libs.advice([gone])
    assert "libxcb-not-installed-here.so.9" in text
    assert "sudo apt-get install libxcb-nothere9" in text and "sudo dnf install xcb-util-nothere" in text


def test_offscreen_needs_no_xcb_libraries():
    assert not qt_libs.needs_xcb({"QT_QPA_PLATFORM": "offscreen"})
    assert qt_libs.needs_xcb({}) == sys.platform.startswith("linux")


def test_the_demo_refuses_before_starting_any_child(tmp_path, monkeypatch, capsys):
    port = free_port()
    gone = qt_libs.SystemLibrary("libxcb-not-installed-here.so.9", "libxcb-nothere9", "xcb-util-nothere")
    monkeypatch.setattr(qt_libs, "missing", lambda libraries=qt_libs.XCB_PLUGIN: [gone])  # a machine without it
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert demo.main(["--dir", str(tmp_path / "demo"), "--port", str(port)]) == 1
    assert "sudo apt-get install libxcb-nothere9" in capsys.readouterr().err
    assert not answers_ready(f"http://127.0.0.1:{port}")  # no server was started
    assert not (tmp_path / "demo").exists()  # nothing made, nothing started
    assert signal.getsignal(signal.SIGTERM) != demo._exit_on_sigterm  # no handler left in this process


def test_a_child_dies_with_a_demo_that_is_killed(tmp_path):
    """An abort (as Qt's) or SIGKILL runs no `finally`: the server still goes with it."""
    port = free_port()
    script = ("import sys, time; from tools.launcher import ServerProcess; "
              f"ServerProcess(sys.argv[1], port={port}, die_with_parent=True).start(60); "
              "print('up', flush=True); time.sleep(600)")
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    subprocess.run([sys.executable, "-m", "sync_server.cli", "--db", db_url, "migrate"], check=True,
                   capture_output=True, timeout=120)
    parent = subprocess.Popen([sys.executable, "-c", script, db_url], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout.readline().strip() == "up"
        assert answers_ready(f"http://127.0.0.1:{port}")
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 20
        while answers_ready(f"http://127.0.0.1:{port}") and time.monotonic() < deadline:
            time.sleep(0.1)  # the server's own SIGTERM shutdown; nothing to await across processes
        assert not answers_ready(f"http://127.0.0.1:{port}")
    finally:
        parent.kill()


@pytest.mark.skipif(not os.path.exists("/usr/bin/curl"), reason="curl not installed")
def test_the_printed_command_changes_a_price_on_the_server(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    demo.server_cli(db_url, "migrate")
    demo.server_cli(db_url, "store", "add", demo.STORE, "--name", "Demo Corner Shop")
    token = demo.admin_token(tmp_path)
    assert demo.admin_token(tmp_path) == token  # made once, then reused
    with ServerProcess(db_url, env={"POS_SYNC_ADMIN_TOKEN": token}) as server:
        command = demo.price_change_command(server.url, token, price="25.00")
        done = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=30)
        assert done.returncode == 0 and '"catalog_version"' in done.stdout, done.stdout + done.stderr
        refused = httpx.put(server.url + "/v1/admin/stores/demo-store/items/SKU00001", json={})
        assert refused.status_code == 401  # the token is what makes it work
