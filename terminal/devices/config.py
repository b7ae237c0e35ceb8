"""Device configuration: a TOML file of logical devices, validated with pydantic.

    [manager]                 # optional
    backoff_initial = 0.5     # reconnect delays: up to this after the first failure (full
    backoff_max = 30.0        # jitter), the bound doubling per failure up to backoff_max
    health_interval = 2.0     # how often an online device is checked

    [devices.scale]           # "scale" is the logical name the till uses
    kind = "scale"
    protocol = "8217"         # 8217 | scp01 | sics
    path = "auto"             # or /dev/ttyUSB0, /dev/serial/by-id/...

    [devices.card]            # a ZVT card terminal
    kind = "payment"
    host = "192.168.1.50"     # port 20007; or transport = "serial" with path

`path = "auto"` means: the environment variable POS_DEVICE_<NAME>_PATH if set,
else the symlink the simulator of that name maintains (`default_link(name)`).
The variable also overrides an explicit path, so a technician can redirect a
device without editing the file. The file itself is chosen by --config, else
POS_DEVICES_CONFIG, else devices/resources/devices.toml (the simulators).
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

# Package data, found wherever `devices` is installed (the simulators' profile).
DEFAULT_CONFIG = Path(str(files("devices.resources") / "devices.toml"))


class ConfigError(ValueError):
    """The device configuration file is missing or invalid; the message says where."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SerialSettings(_Model):
    path: str = "auto"
    serial_number: str | None = None  # identifies a USB-serial adapter regardless of its port
    baudrate: int | None = None  # None: the protocol's factory setting
    bytesize: Literal[7, 8] | None = None
    parity: Literal["N", "E", "O"] | None = None
    stopbits: Literal[1, 2] | None = None


class ScaleConfig(SerialSettings):
    kind: Literal["scale"]
    protocol: Literal["8217", "scp01", "sics"]
    transport: Literal["serial"] = "serial"
    reply_timeout: float = Field(1.0, gt=0)
    poll_interval: float = Field(0.1, gt=0)


class ScannerConfig(SerialSettings):
    kind: Literal["scanner"]
    transport: Literal["serial", "wedge"] = "serial"
    prefix: str = ""
    suffix: str = "\r"
    aim: bool = True  # the scanner sends AIM symbology identifiers (]E0, ]C1, ...)
    max_key_gap_ms: float = Field(30.0, gt=0)  # wedge only: slower keys are a person typing
    min_length: int = Field(3, ge=1)  # wedge only: shorter bursts are typing


class PrinterConfig(BaseModel):
    # extra="allow": printer options (code page, logo...) pass through to the driver.
    model_config = ConfigDict(extra="allow", frozen=True)
    kind: Literal["printer"]
    transport: Literal["tcp", "usb", "serial"] = "tcp"
    host: str = "127.0.0.1"
    port: int = 9100
    vendor_id: int | None = None
    product_id: int | None = None
    serial_number: str | None = None
    path: str | None = None
    baudrate: int = 19200
    paper_width: Literal[58, 80] = 80
    # "status" for printers without GS ( H (see devices.printer.PrinterConfig.confirm)
    confirm: Literal["process_id", "status"] = "process_id"


class DrawerConfig(_Model):
    kind: Literal["drawer"]
    printer: str  # logical name of the printer the drawer hangs on
    pin: Literal[2, 5] = 2


class PaymentConfig(_Model):
    """A card terminal speaking ZVT (devices.payment): TCP port 20007, or RS-232."""

    kind: Literal["payment"]
    protocol: Literal["zvt"] = "zvt"
    transport: Literal["tcp", "serial"] = "tcp"
    host: str = "127.0.0.1"
    port: int = Field(20007, gt=0, lt=65536)
    path: str | None = None  # serial only
    baudrate: int = 9600  # serial: ZVT's factory setting is 9600 8N2
    password: str = Field("000000", pattern=r"^[0-9]{6}$")  # the terminal's ECR password
    currency: int = Field(978, ge=1, le=999)  # ISO 4217 number
    reply_timeout: float = Field(180.0, gt=0)  # silence mid-transaction before the outcome is "unknown"
    # which of the terminal's receipt copies print with ours, in this order
    receipt_copies: tuple[Literal["merchant", "customer"], ...] = ("customer",)


DeviceConfig = Annotated[
    ScaleConfig | ScannerConfig | PrinterConfig | DrawerConfig | PaymentConfig, Field(discriminator="kind")
]


class ManagerSettings(_Model):
    backoff_initial: float = Field(0.5, gt=0)
    backoff_max: float = Field(30.0, gt=0)
    health_interval: float = Field(2.0, gt=0)


class DevicesConfig(_Model):
    manager: ManagerSettings = ManagerSettings()
    devices: dict[str, DeviceConfig] = {}

    def model_post_init(self, _context: object) -> None:
        for name, device in self.devices.items():
            if isinstance(device, DrawerConfig) and not isinstance(self.devices.get(device.printer), PrinterConfig):
                raise ValueError(f"drawer {name!r} names printer {device.printer!r}, which is not a configured printer")


def load_config(path: str | os.PathLike[str] | None = None) -> DevicesConfig:
    """Read and validate the configuration; ConfigError names the file and the bad key."""
    chosen = Path(path or os.environ.get("POS_DEVICES_CONFIG") or DEFAULT_CONFIG)
    try:
        raw = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"device configuration {chosen} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{chosen}: not valid TOML: {exc}") from None
    try:
        return DevicesConfig.model_validate(raw)
    except (ValidationError, ValueError) as exc:
        raise ConfigError(f"{chosen}: invalid device configuration:\n{exc}") from None


def runtime_dir() -> Path:
    """Where simulators keep their pty symlinks (per user, not world-writable)."""
    if env := os.environ.get("POS_DEVICES_RUNTIME_DIR"):
        return Path(env)
    if xdg := os.environ.get("XDG_RUNTIME_DIR"):
        return Path(xdg) / "pos-devices"
    return Path(tempfile.gettempdir()) / f"pos-devices-{os.getuid()}"


def default_link(name: str) -> Path:
    return runtime_dir() / name


def env_var(name: str) -> str:
    return "POS_DEVICE_" + re.sub(r"[^A-Z0-9]", "_", name.upper()) + "_PATH"


def resolve_path(name: str, configured: str | None) -> str:
    """The port path for logical device `name` (see the module docstring for "auto")."""
    if override := os.environ.get(env_var(name)):
        return override
    if not configured or configured == "auto":
        return str(default_link(name))
    return configured
