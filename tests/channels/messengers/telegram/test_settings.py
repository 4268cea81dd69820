"""Bot settings come from `[telegram.bots.<name>]`; bad config is refused with a clear message."""

from __future__ import annotations

from typing import Any

import pytest

from channels.messengers.telegram.settings import BotSettings, TelegramSettings

TOKEN = "7000000001:customer-bot-token-for-tests"


def test_a_webhook_bot_and_a_polling_bot_are_read_with_defaults() -> None:
    settings = TelegramSettings.from_toml(
        {
            "bots": {
                "main": {"token": TOKEN, "secret": "s3cret", "default_region": "uz"},
                "ru": {"token": TOKEN, "mode": "polling", "ack_template": "Hi {name}"},
            }
        }
    )
    main, ru = settings.bots["main"], settings.bots["ru"]
    assert (main.mode, main.path, main.default_region) == ("webhook", "/telegram/main", "UZ")
    assert main.api_base == "https://api.telegram.org"
    assert (ru.mode, ru.secret, ru.ack_template) == ("polling", None, "Hi {name}")


def test_token_and_secret_never_appear_in_the_repr() -> None:
    settings = BotSettings.from_toml("main", {"token": TOKEN, "secret": "s3cret"})
    assert TOKEN not in repr(settings)
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"token": "nope", "secret": "s"}, "token"),
        ({"token": TOKEN}, "needs a secret"),
        ({"token": TOKEN, "secret": "has space"}, "secret"),
        ({"token": TOKEN, "mode": "push", "secret": "s"}, "mode"),
        ({"token": TOKEN, "secret": "s", "default_region": "Uzbekistan"}, "default_region"),
        ({"token": TOKEN, "secret": "s", "poll_timeout": 90}, "poll_timeout"),
        ({"token": TOKEN, "secret": "s", "ack_template": "Hi {name"}, "ack_template"),
        ({"token": TOKEN, "secret": "s", "greeting": ""}, "greeting"),
    ],
)
def test_bad_bot_config_is_refused_naming_the_key(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        BotSettings.from_toml("main", table)
    assert "[telegram.bots.main]" in str(raised.value)
