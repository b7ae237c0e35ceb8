"""The terminal config as a validated model: every mistake named by file, section and key."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from pos_protocol.permissions import Role
from pos_protocol.pins import verify_pin
from pos_protocol.tax import TaxMode
from pos_terminal.config import DEFAULT_CONFIG, DEFAULT_LOGO, ConfigError, TerminalConfig, load_config

GOOD = """
[store]
store_id = "s1"
name = "Corner"
currency = "USD"
tax_mode = "exclusive"
cash_rounding = "0.05"
discount_limit_pct = 15
catalog = "items.csv"

[terminal]
terminal_id = "T07"

[sync]
server_url = "https://sync.example.org"
pull_interval_s = 30

[devices]
config = "devices.toml"

[receipt]
logo = "logo.png"

[[users]]  # the morning cashier
user_id = "c1"
name = "Cathy"
role = "cashier"
pin = "0123"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "terminal.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    lines = str(caught.value).splitlines()
    assert all(line.startswith(f"{path}: ") for line in lines), lines  # each names the file
    return [line.removeprefix(f"{path}: ") for line in lines]


def test_the_packaged_default_config_loads() -> None:
    config = load_config(DEFAULT_CONFIG)
    assert (config.store_id, config.terminal_id, config.currency.code) == ("demo-store", "T01", "EUR")
    assert config.cash_rounding == Decimal("0.00") and config.discount_limit_pct == Decimal("10")
    assert config.catalog_csv is not None and config.catalog_csv.is_file()
    assert config.receipt_logo == DEFAULT_LOGO and DEFAULT_LOGO.is_file()
    assert [(u.user_id, u.role) for u in config.seed_users] == [
        ("c1", Role.CASHIER), ("s1", Role.SUPERVISOR), ("m1", Role.MANAGER), ("a1", Role.ADMIN)]
    assert all(u.pin is None and u.pin_hash for u in config.seed_users)  # no PIN in plain text
    assert verify_pin("1111", config.seed_users[0].pin_hash)
    assert load_config() == config


def test_a_full_file_is_resolved_beside_itself(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), data_dir=tmp_path / "data")
    assert config.currency.code == "USD" and config.tax_mode is TaxMode.EXCLUSIVE
    assert config.cash_rounding == Decimal("0.05") and config.discount_limit_pct == Decimal(15)
    assert config.catalog_csv == tmp_path / "items.csv"
    assert config.devices_config == tmp_path / "devices.toml"
    assert config.receipt_logo == tmp_path / "logo.png"
    assert config.server_url == "https://sync.example.org" and config.pull_interval_s == 30
    assert config.db_path == tmp_path / "data" / "terminal.sqlite3"
    assert config.seed_users[0].pin is None and verify_pin("0123", config.seed_users[0].pin_hash)
    # The PIN was hashed and wiped from the file on first use; the file's comments stay.
    text = (tmp_path / "terminal.toml").read_text(encoding="utf-8")
    assert "0123" not in text and "pin_hash" in text and "# the morning cashier" in text
    assert load_config(tmp_path / "terminal.toml").seed_users == config.seed_users


def test_a_misspelt_key_is_named_with_its_likely_meaning(tmp_path: Path) -> None:
    assert problems(tmp_path, '[store]\ncurency = "EUR"\n') == [
        '[store] unknown key "curency" (did you mean "currency"?)']
    assert problems(tmp_path, '[[users]]\nuser_id = "c1"\nname = "C"\nrole = "cashier"\npinn = "1111"\n') == [
        '[[users]] #1 unknown key "pinn" (did you mean "pin"?)']
    assert problems(tmp_path, '[[users]]\nuser_id = "c1"\nname = "C"\nrole = "cashier"\n') == [
        '[[users]] #1: give either pin_hash (see `pos-terminal hash-pin`) or pin, not both']


def test_an_unknown_section_or_a_key_outside_any_section_is_named(tmp_path: Path) -> None:
    assert problems(tmp_path, '[stores]\nname = "x"\n') == ['unknown section [stores] (did you mean [store]?)']
    assert problems(tmp_path, '[[user]]\nname = "x"\n') == ['unknown section [[user]] (did you mean [[users]]?)']
    assert problems(tmp_path, 'server_url = "http://x"\n') == [
        'unknown key "server_url" outside any section (did you mean server_url under [sync]?)']


def test_a_wrong_type_is_named_with_what_it_must_be(tmp_path: Path) -> None:
    assert problems(tmp_path, '[sync]\npull_interval_s = "sixty"\n') == [
        '[sync] pull_interval_s = "sixty": must be a number']
    assert problems(tmp_path, '[store]\ntax_mode = "inclusiv"\n') == [
        '[store] tax_mode = "inclusiv": must be "inclusive" or "exclusive"']
    assert problems(tmp_path, '[[users]]\nuser_id = "c1"\nname = "C"\nrole = "boss"\npin = 1111\n') == [
        '[[users]] #1 role = "boss": must be "cashier", "supervisor", "manager" or "admin"',
        '[[users]] #1 pin = 1111: must be text in quotes, e.g. "1111"']
    assert problems(tmp_path, 'store = "demo"\n') == ["[store] must be a table: a [store] header followed by its keys"]


@pytest.mark.parametrize(("value", "why"), [
    ('"0,05"', 'not a decimal number (write it like "12.50")'),
    ('"5e-2"', 'not a decimal number (write it like "12.50")'),
    ("0.05", 'must be a decimal in quotes, e.g. "0.05" (a TOML float is not exact)'),
    ("nan", 'must be a decimal in quotes, e.g. "0.05" (a TOML float is not exact)'),
])
def test_a_bad_decimal_is_named(tmp_path: Path, value: str, why: str) -> None:
    assert problems(tmp_path, f"[store]\ncash_rounding = {value}\n") == [f"[store] cash_rounding = {value}: {why}"]


def test_a_pin_against_the_rule_and_a_file_that_is_no_toml(tmp_path: Path) -> None:
    assert problems(tmp_path, '[[users]]\nuser_id = "c1"\nname = "C"\nrole = "cashier"\npin = "12"\n') == [
        '[[users]] #1 pin = "12": PIN must have 4 to 12 digits']
    assert problems(tmp_path, "[store\n")[0].startswith("not valid TOML: ")
    with pytest.raises(ConfigError, match="no such terminal configuration file"):
        load_config(tmp_path / "missing.toml")


def test_replace_is_a_validated_copy() -> None:
    config = load_config()
    changed = config.replace(server_url="http://elsewhere:1", cash_rounding=Decimal("0.05"))
    assert changed.server_url == "http://elsewhere:1" and changed.cash_rounding == Decimal("0.05")
    assert config.server_url == "http://127.0.0.1:8765" and isinstance(changed, TerminalConfig)
    with pytest.raises(ValidationError, match="servr_url"):
        config.replace(servr_url="http://x")
    with pytest.raises(ValidationError, match="float"):
        config.replace(cash_rounding=0.05)


@pytest.mark.parametrize("command", [["run"], ["simulate-sales", "--count", "1"], ["audit", "verify"]])
def test_the_cli_prints_the_problem_and_exits_2_without_a_traceback(tmp_path: Path, command: list[str]) -> None:
    path = write(tmp_path, '[store]\ncurency = "EUR"\n')
    done = subprocess.run([sys.executable, "-m", "pos_terminal.cli", "--config", str(path), *command,
                           *(["--data-dir", str(tmp_path / "data")] if command != ["run"] else [])],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert f'{path}: [store] unknown key "curency" (did you mean "currency"?)' in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "data").exists()
