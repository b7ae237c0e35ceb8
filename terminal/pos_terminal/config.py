"""Terminal configuration: a TOML file (the packaged pos_terminal/resources/terminal.toml is the
demo default)."""

from __future__ import annotations

import tomllib
from importlib.resources import files
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import platformdirs

from pos_protocol.money import Currency
from pos_protocol.tax import TaxMode

# Package data, found wherever the till is installed (a wheel, a Briefcase bundle, a checkout).
RESOURCES = Path(str(files("pos_terminal.resources")))
DEFAULT_CONFIG = RESOURCES / "terminal.toml"
DEFAULT_LOGO = RESOURCES / "receipt_logo.png"


@dataclass(frozen=True)
class SeedUser:
    user_id: str
    name: str
    role: str
    pin: str


@dataclass(frozen=True)
class TerminalConfig:
    store_id: str = "demo-store"
    store_name: str = "Demo Corner Shop"
    terminal_id: str = "T01"
    currency: Currency = Currency("EUR", 2)
    tax_mode: TaxMode = TaxMode.INCLUSIVE
    cash_rounding: Decimal = Decimal("0.00")
    discount_limit_pct: Decimal = Decimal("10")
    catalog_csv: Path | None = None
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir("pos-terminal")))
    server_url: str = "http://127.0.0.1:8765"
    pull_interval_s: float = 60.0
    devices_config: Path | None = None
    receipt_logo: Path | None = DEFAULT_LOGO
    seed_users: tuple[SeedUser, ...] = ()

    @property
    def db_path(self) -> Path:
        return self.data_dir / "terminal.sqlite3"


def load_config(path: Path | None = None, *, data_dir: Path | None = None) -> TerminalConfig:
    path = path or DEFAULT_CONFIG
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    store, term, sync = raw.get("store", {}), raw.get("terminal", {}), raw.get("sync", {})
    base = path.parent
    chosen_dir = data_dir or (Path(term["data_dir"]) if term.get("data_dir") else None)
    kwargs = {} if chosen_dir is None else {"data_dir": chosen_dir}
    return TerminalConfig(
        store_id=store.get("store_id", "demo-store"),
        store_name=store.get("name", ""),
        terminal_id=term.get("terminal_id", "T01"),
        currency=Currency(store.get("currency", "EUR"), int(store.get("currency_scale", 2))),
        tax_mode=TaxMode(store.get("tax_mode", "inclusive")),
        cash_rounding=Decimal(str(store.get("cash_rounding", "0.00"))),
        discount_limit_pct=Decimal(str(store.get("discount_limit_pct", "10"))),
        catalog_csv=base / store["catalog"] if store.get("catalog") else None,
        server_url=sync.get("server_url", "http://127.0.0.1:8765"),
        pull_interval_s=float(sync.get("pull_interval_s", 60)),
        devices_config=base / raw["devices"]["config"] if raw.get("devices", {}).get("config") else None,
        seed_users=tuple(SeedUser(**u) for u in raw.get("users", [])),
        receipt_logo=base / raw["receipt"]["logo"] if raw.get("receipt", {}).get("logo") else DEFAULT_LOGO,
        **kwargs,
    )
