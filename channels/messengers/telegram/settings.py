"""Telegram bot settings: the `[telegram.bots.<name>]` tables of the TOML config."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from channels.acknowledgement import check_template

_BOT_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

DEFAULT_GREETING = (
    "Hello! Write your question here, or share your phone number and we will call you back."
)
DEFAULT_SHARE_BUTTON = "Share my phone"
DEFAULT_THANKS = "Thank you! We will contact you soon."

Mode = Literal["webhook", "polling"]


@dataclass(frozen=True, slots=True)
class BotSettings:
    """One customer-facing bot: its token, how updates reach us, and what it says."""

    name: str
    token: str = field(repr=False)
    mode: Mode = "webhook"
    secret: str | None = field(default=None, repr=False)
    api_base: str = "https://api.telegram.org"
    default_region: str | None = None
    greeting: str = DEFAULT_GREETING
    share_button: str = DEFAULT_SHARE_BUTTON
    thanks: str = DEFAULT_THANKS
    ack_template: str | None = None
    poll_timeout: int = 25

    @property
    def path(self) -> str:
        """The webhook path of this bot: `/telegram/<name>`."""
        return f"/telegram/{self.name}"

    @classmethod
    def from_toml(cls, name: str, section: dict[str, Any]) -> BotSettings:
        """Build from one `[telegram.bots.<name>]` table; ValueError names the bad key."""
        where = f"[telegram.bots.{name}]"
        if not _BOT_NAME.match(name):
            raise ValueError(f"{where}: a bot name may hold only letters, digits, '-' and '_'")
        if not isinstance(section, dict):
            raise ValueError(f"{where} must be a table")
        token = section.get("token")
        if not isinstance(token, str) or not _TOKEN.match(token):
            raise ValueError(f"{where}: token must be a bot token from @BotFather ('123:AbC…')")
        mode = section.get("mode", "webhook")
        if mode not in ("webhook", "polling"):
            raise ValueError(f"{where}: mode must be 'webhook' or 'polling', not {mode!r}")
        secret = section.get("secret")
        if mode == "webhook" and secret is None:
            raise ValueError(
                f"{where}: webhook mode needs a secret (X-Telegram-Bot-Api-Secret-Token)"
            )
        if secret is not None and (not isinstance(secret, str) or not _SECRET.match(secret)):
            raise ValueError(f"{where}: secret must be 1-256 characters of A-Z a-z 0-9 _ -")
        return cls(
            name=name,
            token=token,
            mode=mode,
            secret=secret,
            api_base=_text(section, where, "api_base", "https://api.telegram.org").rstrip("/"),
            default_region=_region(section.get("default_region"), where),
            greeting=_text(section, where, "greeting", DEFAULT_GREETING),
            share_button=_text(section, where, "share_button", DEFAULT_SHARE_BUTTON),
            thanks=_text(section, where, "thanks", DEFAULT_THANKS),
            ack_template=_ack_template(section, where),
            poll_timeout=_poll_timeout(section.get("poll_timeout", 25), where),
        )


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    """Every configured bot, by name."""

    bots: dict[str, BotSettings] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, section: dict[str, Any]) -> TelegramSettings:
        """Build from the `[telegram]` table (its `bots` sub-tables); ValueError on bad config."""
        bots = section.get("bots", {})
        if not isinstance(bots, dict):
            raise ValueError("[telegram.bots] must be a table of bots")
        return cls({name: BotSettings.from_toml(name, table) for name, table in bots.items()})


def _text(section: dict[str, Any], where: str, key: str, default: str) -> str:
    value = section.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {key} must be a non-empty string")
    return value


def _ack_template(section: dict[str, Any], where: str) -> str | None:
    if "ack_template" not in section:
        return None
    template = _text(section, where, "ack_template", "")
    try:
        check_template(template)
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from err
    return template


def _region(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != 2 or not value.isalpha():
        raise ValueError(f"{where}: default_region must be a two-letter country code")
    return value.upper()


def _poll_timeout(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 50:
        raise ValueError(f"{where}: poll_timeout must be whole seconds from 0 to 50")
    return value
