"""Config keys are checked strictly: a typo anywhere names itself and the closest known key."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadgate.config_schema import unknown_key
from leadgate.settings import Settings
from leads.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("raw", "message"), [
    ({"repeat_windows_days": 3}, "'repeat_windows_days'; did you mean 'repeat_window_days'?"),
    ({"imap": {"mailboxes": [{"host": "h"}, {"pasword": "x"}]}},
     "'imap.mailboxes[2].pasword'; did you mean 'password'?"),
    ({"telegram": {"bots": {"main": {"tokn": "1:a"}}}}, "did you mean 'token'?"),
    ({"routing": {"rules": [{"team": "sales", "mach": {}}]}}, "did you mean 'match'?"),
    ({"zzz": 1}, "unknown config key 'zzz'; known keys here: alerts, amqp, amqp_url"),
])
def test_an_unknown_key_is_named_with_the_closest_known_one(raw: dict, message: str) -> None:
    found = unknown_key(raw)

    assert found is not None and message in found


def test_free_tables_take_any_key() -> None:
    raw = {"asterisk": {"secret": "s", "did": {"74951234567": {"source": "x", "anything": "y"}}},
           "routing": {"rules": [{"match": {"utm_source": "x"}, "team": "sales"}]},
           "forms": {"contact": {"name": "Contact"}, "price": {}}}

    assert unknown_key(raw) is None


def test_the_starter_and_the_deploy_configs_are_accepted() -> None:
    for config in (ROOT / "leadgate.toml", ROOT / "deploy" / "leadgate.toml"):
        Settings.load(config, env={})


def test_a_typo_stops_loading_with_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "leadgate.toml").write_text('[smtp]\nrecipents = ["sales@example.uz"]\n')

    with pytest.raises(ConfigError, match="'smtp.recipents'; did you mean 'recipients'"):
        Settings.load(tmp_path / "leadgate.toml", env={})


def test_the_reach_keys_are_known() -> None:
    raw = {
        "own_numbers": ["+998712000000"], "staff_emails": ["olga@example.uz"],
        "forms": {"contact": {"ack": {"ru": "Спасибо!", "en": "Thanks!"}}},
        "imap": {"mailboxes": [{"host": "h", "user": "u", "password": "p", "ack": "Thanks",
                                "fields": {"Telefonas": "phone"}}]},
        "smtp": {"recipients": ["sales@example.uz"], "ack": "Thanks"},
        "email": {"outgoing": {"host": "smtp.example.uz", "port": 587, "starttls": True,
                               "user": "u", "password": "p", "from": "sales@example.uz"}},
        "whatsapp": {"main": {"app_secret": "s", "verify_token": "v", "access_token": "t",
                              "phone_number_id": "1"}},
        "webhooks": [{"url": "https://x.example", "secret": "12345678", "events": ["*"]}],
        "crm": {"bitrix24": {"webhook_url": "https://b.example/rest/1/x/",
                             "fields": {"UF_CRM_1": "{utm_source}"}}},
    }

    assert unknown_key(raw) is None
