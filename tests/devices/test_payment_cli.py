"""`pos-devices` verbs for the card terminal, against the ZVT simulator: status, test-payment, end-of-day."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.cli import main
from devices.config import ConfigError, load_config
from devices.simulators.payment import ZvtSimulator


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    with ZvtSimulator() as simulator:
        yield simulator


def write_config(tmp_path: Path, port: int, extra: str = "") -> Path:
    path = tmp_path / "devices.toml"
    path.write_text(f'[devices.card]\nkind = "payment"\nhost = "127.0.0.1"\nport = {port}\n{extra}\n')
    return path


def test_status_test_payment_and_end_of_day(tmp_path: Path, sim: ZvtSimulator, capsys) -> None:
    config = str(write_config(tmp_path, sim.port))
    assert main(["--config", config, "list"]) == 0
    assert "zvt tcp 127.0.0.1:" in capsys.readouterr().out
    assert main(["--config", config, "status"]) == 0
    assert "card" in capsys.readouterr().out and sim.commands_seen[-1] == "0501"
    assert main(["--config", config, "test-payment", "--amount", "0.05"]) == 0
    out = capsys.readouterr().out
    assert "Insert or tap card" in out and "CUSTOMER COPY" in out
    assert f"0.05 approved, receipt {sim.journal[-1].receipt_no}" in out and "************1234" in out
    sim.script("decline", 0x05)
    assert main(["--config", config, "test-payment"]) == 1
    assert "declined by the card issuer" in capsys.readouterr().err
    assert main(["--config", config, "end-of-day"]) == 0
    assert "1 payments, total 0.05" in capsys.readouterr().out


def test_bad_amount_and_absent_terminal_are_clear_errors(tmp_path: Path, sim: ZvtSimulator, capsys) -> None:
    config = str(write_config(tmp_path, sim.port))
    with pytest.raises(SystemExit):
        main(["--config", config, "test-payment", "--amount", "1.005"])
    assert "at most 2 decimals" in capsys.readouterr().err
    sim.unplug()
    assert main(["--config", config, "test-payment"]) == 1
    assert "cannot connect" in capsys.readouterr().err
    assert main(["--config", config, "status"]) == 1


def test_config_checks_the_password_and_knows_the_default_port(tmp_path: Path) -> None:
    assert load_config(write_config(tmp_path, 20007)).devices["card"].port == 20007
    with pytest.raises(ConfigError, match="password"):
        load_config(write_config(tmp_path, 20007, 'password = "12ab"'))
