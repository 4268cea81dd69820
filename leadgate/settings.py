"""Service settings: the TOML file for forms, channels and routing; environment for connections."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from crm_store.engine import DEFAULT_DATABASE_URL
from leads.errors import ConfigError
from reports.period import zone_named

_ASYNC_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}


@dataclass(frozen=True)
class Settings:
    """Everything the composition root needs to build the service."""

    database_url: str = DEFAULT_DATABASE_URL
    amqp_url: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    default_region: str | None = None
    repeat_window_days: int = 30
    callback_minutes: int = 15
    callback_grace_minutes: int = 15
    timezone: str = "UTC"
    public_url: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
    source: Path | None = None
    """The TOML file read, or None when there was none (embedded defaults, no forms)."""

    @classmethod
    def load(cls, path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
        """Read the TOML file (if any) and let the environment override connection settings."""
        env = os.environ if env is None else env
        source = path if path is not None else _default_file()
        raw = _read_toml(source)
        check_keys(raw)
        port = env.get("LEADGATE_HTTP_PORT", str(raw.get("http_port", 8080)))
        if not str(port).isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"LEADGATE_HTTP_PORT must be a port number, not {port!r}")
        region = env.get("LEADGATE_DEFAULT_REGION") or raw.get("default_region")
        return cls(
            database_url=_database_url(env.get("LEADGATE_DATABASE_URL")
                                       or raw.get("database_url", DEFAULT_DATABASE_URL)),
            amqp_url=env.get("LEADGATE_AMQP_URL") or raw.get("amqp_url") or None,
            http_host=env.get("LEADGATE_HTTP_HOST") or raw.get("http_host", "127.0.0.1"),
            http_port=int(port),
            default_region=_region(region),
            repeat_window_days=_positive_int(raw, "repeat_window_days", 30),
            callback_minutes=_positive_int(raw, "callback_minutes", 15),
            callback_grace_minutes=_positive_int(raw, "callback_grace_minutes", 15),
            timezone=_zone(raw.get("timezone", "UTC")),
            public_url=raw.get("public_url"),
            raw=raw,
            source=source,
        )

    def section(self, name: str) -> dict[str, Any]:
        """A top-level TOML table, or an empty dict when the file has none."""
        value = self.raw.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] must be a table")
        return value


def check_keys(raw: Mapping[str, Any]) -> None:
    """Raise ConfigError for a key no part of Leadgate reads, or a region that does not exist."""
    from leadgate.config_schema import unknown_key

    problem = unknown_key(raw)
    if problem:
        raise ConfigError(problem)
    _check_regions(raw, "")


def _default_file() -> Path | None:
    default = Path("leadgate.toml")
    return default if default.exists() else None


def _read_toml(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as err:
        raise ConfigError(f"config file {path} does not exist") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"config file {path} is not valid TOML: {err}") from err


def _region(value: object, where: str = "", key: str = "default_region") -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) != 2 or not value.isalpha():
        raise ConfigError(f"{where}{key} must be a two-letter ISO country code, not {value!r}")
    from phonenumbers import SUPPORTED_REGIONS

    if value.upper() not in SUPPORTED_REGIONS:
        raise ConfigError(f"{where}{key} {value!r} is no ISO country code "
                          "with a telephone numbering plan")
    return value.upper()


def _zone(value: object) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"timezone must be an IANA time zone name, not {value!r}")
    try:
        return zone_named(value).key
    except ValueError as err:
        raise ConfigError(str(err)) from err


def _check_regions(table: Any, where: str) -> None:
    """Every `default_region` and managers' `regions` anywhere in the config name real countries."""
    if isinstance(table, list):
        for position, entry in enumerate(table, start=1):
            _check_regions(entry, f"{where}[{position}]")
    if not isinstance(table, Mapping):
        return
    for key, value in table.items():
        if key == "default_region":
            _region(value, f"{where}." if where else "")
        elif key == "regions" and isinstance(value, list):
            for region in value:
                _region(region, f"{where}." if where else "", "regions")
        else:
            _check_regions(value, f"{where}.{key}" if where else key)


def _database_url(url: str) -> str:
    """The URL if Leadgate can use it: SQLite (aiosqlite, folder must exist) or asyncpg."""
    expected = ("LEADGATE_DATABASE_URL must look like sqlite+aiosqlite:///./leadgate.db "
                "or postgresql+asyncpg://user:password@host/database")
    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise ConfigError(f"{expected}; it is no URL") from err
    backend, _, driver = parsed.drivername.partition("+")  # get_driver_name() imports it
    if _ASYNC_DRIVERS.get(backend) != driver:
        raise ConfigError(f"{expected}, not {parsed.drivername}://…")
    if backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).expanduser().parent
        if not folder.is_dir():
            raise ConfigError(f"the folder {folder} of the SQLite database does not exist")
    return url


def _positive_int(raw: Mapping[str, Any], key: str, default: int) -> int:
    value = raw.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"{key} must be a positive whole number, not {value!r}")
    return value
