"""The three distributions, built as wheels and installed each into a fresh venv of its own.

What a shop installs is the wheel, not this checkout: a data file read by a relative path,
a module left out of a package, or a dependency that only the development venv happens to
have would pass every other test and fail here. Each venv gets only its wheels (and what
they declare from PyPI; pip's cache makes that quick after the first run), and runs the
programs with their packaged defaults from a directory outside the checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import httpx
import pytest

from tests.waiting import wait_until
from tools.launcher import free_port

ROOT = Path(__file__).resolve().parents[2]
DISTRIBUTIONS = {"protocol": "pos_protocol", "terminal": "pos_terminal", "server": "pos_sync_server"}
SERVER_ONLY = {"fastapi", "uvicorn", "psycopg", "psycopg-binary", "prometheus-client", "pydantic-settings"}
TILL_ONLY = {"pyside6-essentials", "shiboken6", "python-escpos", "pyserial", "pyusb", "keyring"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheels")
    sources = tmp_path_factory.mktemp("sources")
    for folder in DISTRIBUTIONS:
        # From a clean copy: setuptools reuses a project's build/ folder, and a module
        # deleted since an earlier build would still be shipped from there.
        source = sources / folder
        shutil.copytree(ROOT / folder, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
        # --no-isolation: the build backend (setuptools) is the test venv's, no download.
        run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(source))
    built = sorted(p.name for p in out.glob("*.whl"))
    assert [name.split("-")[0] for name in built] == sorted(DISTRIBUTIONS.values()), built
    return out


def run(*cmd: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


def fresh_venv(where: Path, wheels: Path, *requirements: str) -> Path:
    """A venv with nothing of this checkout: the named distributions from the built wheels."""
    venv.EnvBuilder(with_pip=True).create(where)
    python = where / "bin" / "python"
    run(str(python), "-m", "pip", "install", "--quiet", "--find-links", str(wheels), *requirements)
    return python


def installed(python: Path) -> set[str]:
    listing = run(str(python), "-m", "pip", "list", "--format=freeze")
    return {line.split("==")[0].lower().replace("_", "-") for line in listing.splitlines() if "==" in line}


def outside_checkout(tmp_path: Path) -> dict[str, str]:
    """Run from a folder of its own, so nothing can be found through the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["HOME"] = str(tmp_path / "home")  # platformdirs and the keyring look here
    return env


def test_the_protocol_wheel_stands_alone(wheels: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "venv", wheels, "pos-protocol")
    names = installed(python)
    assert not names & (SERVER_ONLY | TILL_ONLY | {"sqlalchemy", "httpx"}), names
    out = run(str(python), "-c", "import pos_protocol.wire as w, pos_protocol.signing, pos_protocol.money; print(w.__file__)",
              cwd=tmp_path)
    assert "site-packages" in out
    # The column types need the [sql] extra (the till and the server depend on it); without
    # it the import says what to install.
    done = subprocess.run([str(python), "-c", "import pos_protocol.sql"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode != 0 and "install pos-protocol[sql]" in done.stderr, done.stderr


def test_the_till_wheel_sells_and_verifies_with_its_packaged_defaults(wheels: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "venv", wheels, "pos-terminal")
    names = installed(python)
    assert not names & SERVER_ONLY, f"a till installs server packages: {sorted(names & SERVER_ONLY)}"
    assert "pos-sync-server" not in names
    till = str(python.parent / "pos-terminal")
    data, env = tmp_path / "till", outside_checkout(tmp_path)
    sold = run(till, "simulate-sales", "--count", "3", "--data-dir", str(data), cwd=tmp_path, env=env)
    assert sold.count("committed ") == 3, sold
    verified = run(till, "audit", "verify", "--data-dir", str(data), cwd=tmp_path, env=env)
    # at least a sign-in and the 3 orders (more: approvals of the returns the unseeded
    # simulator rings, the seed's staff taken in), and the chain unbroken
    found = re.search(r"^audit journal OK: (\d+) entries, chain unbroken$", verified, re.M)
    assert found and int(found.group(1)) >= 4, verified
    devices = run(str(python.parent / "pos-devices"), "list", cwd=tmp_path, env=env)
    assert "printer" in devices, devices  # the simulators' profile is package data too


def test_the_server_wheel_migrates_serves_and_is_ready(wheels: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "venv", wheels, "pos-sync-server")
    names = installed(python)
    assert not names & TILL_ONLY, f"a server installs till packages: {sorted(names & TILL_ONLY)}"
    assert "pos-terminal" not in names
    server, env = str(python.parent / "pos-sync-server"), outside_checkout(tmp_path)
    db = f"sqlite:///{tmp_path / 'sync.sqlite3'}"
    run(server, "migrate", "--db", db, cwd=tmp_path, env=env)
    port = free_port()
    proc = subprocess.Popen([server, "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/readyz"
        wait_until(lambda: _ready(url) or proc.poll() is not None, 60, "server wheel ready")
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert httpx.get(url, timeout=5).json() == {"status": "ready"}
        # The back office's templates and static files are package data of the wheel.
        base = f"http://127.0.0.1:{port}/office"
        login = httpx.get(f"{base}/login", timeout=5)
        assert login.status_code == 200 and "Sign in" in login.text, login.text[:500]
        assert httpx.get(f"{base}/static/htmx-2.0.11.min.js", timeout=5).status_code == 200
        assert httpx.get(f"{base}/static/office.css", timeout=5).status_code == 200
    finally:
        proc.terminate()
        proc.wait(30)


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False
