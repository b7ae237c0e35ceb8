"""`pos-devices` against the simulators: list, status, read-weight, test-print, open-drawer, simulate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from devices.cli import main
from devices.simulators.printer import PrinterSimulator
from devices.simulators.scale import ScaleSimulator


def write_config(tmp_path: Path, printer_port: int = 1) -> Path:
    path = tmp_path / "devices.toml"
    path.write_text(f"""
[devices.receipt]
kind = "printer"
host = "127.0.0.1"
port = {printer_port}
paper_width = 58

[devices.drawer]
kind = "drawer"
printer = "receipt"

[devices.scale]
kind = "scale"
protocol = "scp01"
path = "{tmp_path / 'scale'}"
reply_timeout = 0.3
""")
    return path


@pytest.fixture(autouse=True)
def _state_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the drawer's kick ledger


def test_list_shows_each_device_and_presence(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path)
    assert main(["--config", str(config), "list"]) == 0
    out = capsys.readouterr().out
    assert "receipt" in out and "tcp 127.0.0.1:1" in out
    assert "scale" in out and "scp01" in out and "(absent)" in out


def test_read_weight_prints_a_stable_weight(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path)
    with ScaleSimulator("scp01", link=str(tmp_path / "scale")) as sim:
        sim.set(weight="0.375")
        assert main(["--config", str(config), "read-weight", "--timeout", "3"]) == 0
        assert capsys.readouterr().out.strip() == "0.375 kg"
        sim.set(motion=True)
        assert main(["--config", str(config), "read-weight", "--timeout", "0.3"]) == 1
        assert "no stable weight" in capsys.readouterr().err


def test_read_weight_with_scale_absent_fails_cleanly(tmp_path: Path, capsys) -> None:
    assert main(["--config", str(write_config(tmp_path)), "read-weight", "--timeout", "0.3"]) == 1
    assert "cannot open" in capsys.readouterr().err


def test_test_print_and_open_drawer_against_the_printer_simulator(tmp_path: Path, capsys) -> None:
    with PrinterSimulator(columns=32) as printer:
        config = write_config(tmp_path, printer.port)
        assert main(["--config", str(config), "test-print"]) == 0
        assert "printed and confirmed" in capsys.readouterr().out
        assert "Crème brûlée" in printer.rendering and "€" in printer.rendering
        assert main(["--config", str(config), "open-drawer", "--action-id", "till-1/42"]) == 0
        printer.close_drawer()
        assert main(["--config", str(config), "open-drawer", "--action-id", "till-1/42"]) == 0  # a retry
        out = capsys.readouterr().out
        assert "opened" in out and "already_done" in out
        assert printer.drawer_kicks == 1


def test_status_reports_every_device(tmp_path: Path, capsys) -> None:
    with ScaleSimulator("scp01", link=str(tmp_path / "scale")):
        assert main(["--config", str(write_config(tmp_path)), "status"]) == 1  # the printer is absent
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert " OK " in lines["scale"] and "FAIL" in lines["receipt"]


def test_bad_config_exits_2(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[devices.s]\nkind = 'scale'\nprotocol = 'nope'\n")
    assert main(["--config", str(bad), "list"]) == 2
    assert "configuration error" in capsys.readouterr().err


def test_simulate_scale_runs_the_simulator_program(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "devices", "simulate", "scale", "--protocol", "sics", "--link", str(tmp_path / "s")],
        input="weight 1.5\nquit\n", capture_output=True, text=True, timeout=30,
    )
    first, reply = proc.stdout.splitlines()[:2]
    assert proc.returncode == 0 and first.startswith("/dev/") and reply.startswith("ok weight=1.500")
