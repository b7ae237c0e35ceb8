"""Terminal configuration: a TOML file, validated (the packaged
pos_terminal/resources/terminal.toml is the demo default).

    [store]      store_id, name, currency, currency_scale, locale, tax_mode, cash_rounding,
                 discount_limit_pct, catalog, categories
    [terminal]   terminal_id, data_dir
    [sync]       server_url, pull_interval_s, heartbeat_interval_s
    [devices]    config
    [receipt]    logo
    [sentry]     dsn, environment   (error reports; off while dsn is empty)
    [[users]]    user_id, name, role, pin   (staff seeded into an empty till)

Every section and key is optional but for each user's four keys. The file is read into one
pydantic model per section (`extra="forbid"`), so a misspelt or unknown key, a wrong type
or a bad decimal is a `ConfigError` naming the file, the section and the key in the
operator's words, e.g. `terminal.toml: [store] unknown key "curency" (did you mean
"currency"?)`, never silently ignored. `load_config` then resolves the file into a
`TerminalConfig`, what the rest of the till reads (paths made absolute, the money types
built). Decimals go through the one parser (`pos_protocol.money.to_decimal`): write them
as strings, `cash_rounding = "0.05"`; a TOML float is refused, since it is not exact.
"""

from __future__ import annotations

import difflib
import logging
import math
import os
import tomllib
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
import tomlkit
from babel import Locale, UnknownLocaleError
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from pos_protocol.money import Currency, MoneyError, to_decimal
from pos_protocol.permissions import Role
from pos_protocol.tax import TaxMode
from pos_protocol.pins import PinHashError, check_pin_hash
from pos_terminal.core.users import check_pin_format, hash_pin

__all__ = ["DEFAULT_CONFIG", "DEFAULT_LOGO", "RESOURCES", "ConfigError", "SeedUser", "TerminalConfig",
           "load_config"]

log = logging.getLogger(__name__)

# Package data, found wherever the till is installed (a wheel, a Briefcase bundle, a checkout).
RESOURCES = Path(str(files("pos_terminal.resources")))
DEFAULT_CONFIG = RESOURCES / "terminal.toml"
DEFAULT_LOGO = RESOURCES / "receipt_logo.png"


class ConfigError(ValueError):
    """The terminal configuration is missing or invalid; one line per problem, each naming
    the file, the section and the key."""


def _decimal(value: object) -> Decimal:
    """The one decimal parser; its reason alone, since the error names key and value."""
    if isinstance(value, float):  # TOML `0.05` unquoted: say how to write it
        example = value if math.isfinite(value) else "0.05"
        raise ValueError(f'must be a decimal in quotes, e.g. "{example}" (a TOML float is not exact)')
    try:
        return to_decimal(value)
    except MoneyError as exc:
        raise ValueError(exc.reason) from None


ConfigDecimal = Annotated[Decimal, BeforeValidator(_decimal)]


class _Section(BaseModel):
    # strict: TOML is typed, so `pin = 1111` or `currency_scale = "2"` is a mistake to name,
    # not something to coerce.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _known_locale(tag: str) -> str:
    try:
        Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        raise ValueError(f"unknown locale {tag!r} (write it like de_DE or en_US)") from None
    return tag


class StoreSection(_Section):
    store_id: str = Field("demo-store", min_length=1)
    name: str = ""
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    currency_scale: int = Field(2, ge=0, le=4)
    # How amounts, dates and decimals look and are keyed in (a CLDR tag: de_DE, en_US);
    # the shop's, not the workstation's (services.formatting).
    locale: Annotated[str, AfterValidator(_known_locale)] = "en_IE"
    tax_mode: TaxMode = Field(TaxMode.INCLUSIVE, strict=False)  # from its text
    cash_rounding: ConfigDecimal = Decimal("0.00")
    discount_limit_pct: ConfigDecimal = Decimal("10")
    void_free_lines: int = Field(3, ge=0)  # voids per ticket a cashier may do alone (core.voids)
    void_free_amount: ConfigDecimal = Decimal("50.00")  # value voided per ticket alone
    catalog: str = ""  # CSV seeded into an empty till, relative to this file; "" none
    categories: str = ""  # CSV of the seeded categories' colours and positions (category,colour,position); "" none
    address: str = ""  # printed on receipts; lines separated by "\n"
    vat_id: str = ""  # the store's VAT id, printed on receipts
    time_zone: Annotated[str, AfterValidator(_checked_time_zone)] = "UTC"  # IANA name (Europe/Berlin): receipts and reports print local time


class TerminalSection(_Section):
    terminal_id: str = Field("T01", min_length=1)
    idle_lock_minutes: float = Field(15.0, ge=0)  # lock the till after this idle time; 0 never
    data_dir: str = ""  # "" the user's data dir (platformdirs)


class SyncSection(_Section):
    server_url: str = Field("http://127.0.0.1:8765", pattern=r"^https?://")
    pull_interval_s: float = Field(60.0, gt=0)
    heartbeat_interval_s: float = Field(4.0, gt=0)  # queue and device status to the server; also how soon the till knows it is offline or online again


class DevicesSection(_Section):
    config: str = ""  # devices.toml relative to this file; "" the device SDK's default


class ReceiptSection(_Section):
    logo: str = ""  # PNG relative to this file; "" the packaged demo logo


class SentrySection(_Section):
    # Error reports (pos_terminal.error_reports): off while empty. POS_TERMINAL_SENTRY_DSN,
    # when set, wins, so operations can switch reports on without editing the file.
    dsn: str = Field("", repr=False)  # it holds the project's key
    environment: str = "production"


def _checked_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone name (such as Europe/Berlin)") from None
    return name


def _checked_pin(pin: str) -> str:
    check_pin_format(pin)  # the till's one PIN rule (4-12 digits)
    return pin


def _checked_pin_hash(pin_hash: str) -> str:
    try:
        return check_pin_hash(pin_hash)
    except PinHashError as exc:
        raise ValueError(str(exc)) from None


class SeedUser(_Section):
    """A member of staff seeded into an empty till. The file carries the PIN's hash
    (`pin_hash`), or a PIN (`pin`) that `load_config` hashes and wipes from the file on
    first use: no PIN stays in plain text (README "Staff list")."""

    user_id: str = Field(min_length=1)
    name: str
    role: Role = Field(strict=False)  # from its text
    pin: Annotated[str, AfterValidator(_checked_pin)] | None = Field(None, repr=False)
    pin_hash: Annotated[str, AfterValidator(_checked_pin_hash)] | None = Field(None, repr=False)

    @model_validator(mode="after")
    def _one_pin(self) -> SeedUser:
        if (self.pin is None) == (self.pin_hash is None):
            raise ValueError("give either pin_hash (see `pos-terminal hash-pin`) or pin, not both")
        return self

    def hashed(self) -> SeedUser:
        """The same user with the PIN replaced by its hash."""
        if self.pin is None:
            return self
        return self.model_copy(update={"pin": None, "pin_hash": hash_pin(self.pin)})


class ConfigFile(_Section):
    """The TOML file as written: one model per section."""

    store: StoreSection = StoreSection()
    terminal: TerminalSection = TerminalSection()
    sync: SyncSection = SyncSection()
    devices: DevicesSection = DevicesSection()
    receipt: ReceiptSection = ReceiptSection()
    sentry: SentrySection = SentrySection()
    users: tuple[SeedUser, ...] = Field((), strict=False)  # TOML gives a list


def _default(section: type[_Section], name: str) -> Any:
    return section.model_fields[name].get_default(call_default_factory=True)


class TerminalConfig(BaseModel):
    """What the till runs with: the file resolved (absolute paths, money types built).

    Frozen; `replace(**changes)` is a validated copy (an unknown field is an error)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Defaults are the file's (one place each: the sections above), for a config built in code.
    store_id: str = _default(StoreSection, "store_id")
    store_name: str = _default(StoreSection, "name")
    terminal_id: str = _default(TerminalSection, "terminal_id")
    currency: Currency = Currency(_default(StoreSection, "currency"), _default(StoreSection, "currency_scale"))
    locale: str = _default(StoreSection, "locale")
    tax_mode: TaxMode = _default(StoreSection, "tax_mode")
    cash_rounding: ConfigDecimal = _default(StoreSection, "cash_rounding")
    discount_limit_pct: ConfigDecimal = _default(StoreSection, "discount_limit_pct")
    void_free_lines: int = _default(StoreSection, "void_free_lines")
    void_free_amount: ConfigDecimal = _default(StoreSection, "void_free_amount")
    store_address: str = _default(StoreSection, "address")
    vat_id: str = _default(StoreSection, "vat_id")
    time_zone: str = _default(StoreSection, "time_zone")
    idle_lock_minutes: float = _default(TerminalSection, "idle_lock_minutes")
    catalog_csv: Path | None = None
    categories_csv: Path | None = None
    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("pos-terminal")))
    server_url: str = _default(SyncSection, "server_url")
    pull_interval_s: float = _default(SyncSection, "pull_interval_s")
    heartbeat_interval_s: float = _default(SyncSection, "heartbeat_interval_s")
    devices_config: Path | None = None
    receipt_logo: Path | None = DEFAULT_LOGO
    seed_users: tuple[SeedUser, ...] = ()
    sentry_dsn: str = Field("", repr=False)
    sentry_environment: str = _default(SentrySection, "environment")

    @property
    def db_path(self) -> Path:
        return self.data_dir / "terminal.sqlite3"

    def replace(self, **changes: Any) -> TerminalConfig:
        """A copy with `changes`, validated like the original (`dataclasses.replace` for it)."""
        return type(self).model_validate({**dict(self), **changes})


def load_config(path: Path | None = None, *, data_dir: Path | None = None) -> TerminalConfig:
    """Read and validate `path` (default: the packaged demo shop); `data_dir` overrides
    `[terminal] data_dir`. Raises ConfigError, in words, for a missing or invalid file."""
    path = Path(path or DEFAULT_CONFIG)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such terminal configuration file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        parsed = ConfigFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError("\n".join(f"{path}: {problem}" for problem in _problems(exc, raw))) from None
    if any(u.pin is not None for u in parsed.users):
        parsed = parsed.model_copy(update={"users": tuple(u.hashed() for u in parsed.users)})
        _wipe_pins(path, parsed.users)
    return _resolve(parsed, path.parent, data_dir)


def _wipe_pins(path: Path, hashed: tuple[SeedUser, ...]) -> None:
    """Rewrite the file's `pin = "..."` of each user as `pin_hash = "..."` (comments and
    layout kept). A file the till cannot write keeps its PINs: said in the log, and the
    till runs on the hashes."""
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
        for table, user in zip(document.get("users", []), hashed, strict=True):
            if "pin" in table:
                del table["pin"]
                table["pin_hash"] = user.pin_hash
        path.write_text(tomlkit.dumps(document), encoding="utf-8")
    except OSError as exc:
        log.warning("%s: could not replace the seed users' PINs with their hashes (%s); "
                    "remove the PINs from the file", path, exc.strerror or exc)


def _resolve(parsed: ConfigFile, base: Path, data_dir: Path | None) -> TerminalConfig:
    store, term = parsed.store, parsed.terminal
    chosen_dir = data_dir or (Path(term.data_dir) if term.data_dir else None)
    return TerminalConfig(
        store_id=store.store_id,
        store_name=store.name,
        terminal_id=term.terminal_id,
        currency=Currency(store.currency, store.currency_scale),
        locale=store.locale,
        tax_mode=store.tax_mode,
        cash_rounding=store.cash_rounding,
        discount_limit_pct=store.discount_limit_pct,
        void_free_lines=store.void_free_lines,
        void_free_amount=store.void_free_amount,
        store_address=store.address,
        vat_id=store.vat_id,
        time_zone=store.time_zone,
        idle_lock_minutes=term.idle_lock_minutes,
        catalog_csv=base / store.catalog if store.catalog else None,
        categories_csv=base / store.categories if store.categories else None,
        server_url=parsed.sync.server_url,
        pull_interval_s=parsed.sync.pull_interval_s,
        heartbeat_interval_s=parsed.sync.heartbeat_interval_s,
        devices_config=base / parsed.devices.config if parsed.devices.config else None,
        receipt_logo=base / parsed.receipt.logo if parsed.receipt.logo else DEFAULT_LOGO,
        seed_users=parsed.users,
        sentry_dsn=os.environ.get("POS_TERMINAL_SENTRY_DSN") or parsed.sentry.dsn,
        sentry_environment=parsed.sentry.environment,
        **({} if chosen_dir is None else {"data_dir": chosen_dir}),
    )


# -- errors in the operator's words ---------------------------------------------------------

_SECTIONS: dict[str, type[_Section]] = {
    name: field.annotation for name, field in ConfigFile.model_fields.items() if name != "users"  # type: ignore[misc]
}
_SECTIONS["users"] = SeedUser


def _problems(exc: ValidationError, raw: dict[str, Any]) -> list[str]:
    return [_problem(error, raw) for error in exc.errors(include_url=False)]


def _problem(error: Any, raw: dict[str, Any]) -> str:
    loc = tuple(error["loc"])
    if not loc:
        return error["msg"]
    section = str(loc[0])
    if len(loc) == 1:
        return _section_problem(section, error, raw)
    if section == "users":
        where, key = f"[[users]] #{int(loc[1]) + 1}" if isinstance(loc[1], int) else "[[users]]", loc[2:]
        if not key and error["type"] == "value_error":  # the model's own check (one PIN)
            return f"{where}: {error['msg'].removeprefix('Value error, ')}"
        if not key:  # the entry itself is no table
            return f"{where}: each user is a table with user_id, name, role and pin_hash (or pin)"
    else:
        where, key = f"[{section}]", loc[1:]
    name = ".".join(str(k) for k in key)
    if error["type"] == "extra_forbidden":
        return f'{where} unknown key "{name}"{_did_you_mean(name, _SECTIONS[section].model_fields)}'
    if error["type"] == "missing":
        return f'{where} missing key "{name}"'
    return f"{where} {name} = {_shown(error.get('input'))}: {_why(error)}"


def _section_problem(section: str, error: Any, raw: dict[str, Any]) -> str:
    value = raw.get(section)
    if error["type"] == "extra_forbidden":
        if isinstance(value, dict):
            return f"unknown section [{section}]{_did_you_mean(section, _SECTIONS, '[{}]')}"
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return f"unknown section [[{section}]]{_did_you_mean(section, _SECTIONS, '[[{}]]')}"
        return f'unknown key "{section}" outside any section{_belongs_in(section)}'
    if section == "users":
        return "[[users]] must be an array of tables: one [[users]] header per user"
    return f"[{section}] must be a table: a [{section}] header followed by its keys"


def _belongs_in(key: str) -> str:
    """A key written above every section header: the section whose key it is (or is close to)."""
    homes = {name: home for home, model in _SECTIONS.items() if home != "users" for name in model.model_fields}
    close = difflib.get_close_matches(key, list(homes), n=1)
    if not close:
        return ""
    return f" (did you mean {close[0]} under [{homes[close[0]]}]?)"


def _did_you_mean(name: str, choices: Any, form: str = '"{}"') -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean {form.format(close[0])}?)" if close else ""


def _shown(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


_WHY = {
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
}


def _why(error: Any) -> str:
    if error["type"] == "string_type":
        return f'must be text in quotes, e.g. "{error.get("input")}"'
    if error["type"] in _WHY:
        return _WHY[error["type"]]
    if error["type"] == "value_error":  # our own checks (decimals): their words, not pydantic's prefix
        return str(error.get("ctx", {}).get("error", error["msg"]))
    if error["type"] == "enum":
        return "must be " + error["ctx"]["expected"].replace("'", '"')
    if error["type"] == "string_pattern_mismatch":
        return {"currency": "must be a three-letter ISO 4217 code such as EUR",
                "server_url": "must start with http:// or https://"}.get(str(error["loc"][-1]), error["msg"])
    return error["msg"][0].lower() + error["msg"][1:]
