"""`[whatsapp.<name>]` and `[instagram.<name>]` tables are checked, naming the bad key."""

from __future__ import annotations

import pytest

from channels.messengers.instagram.settings import all_from_toml as instagram_accounts
from channels.messengers.whatsapp.settings import WhatsAppSettings

TABLE = {"app_secret": "s", "verify_token": "v", "access_token": "t"}


def test_a_whatsapp_number_needs_its_phone_number_id() -> None:
    with pytest.raises(ValueError, match=r"\[whatsapp.main\]: phone_number_id"):
        WhatsAppSettings.from_toml("main", TABLE)


@pytest.mark.parametrize("key", ["app_secret", "verify_token", "access_token"])
def test_every_secret_is_required(key: str) -> None:
    table = {k: v for k, v in TABLE.items() if k != key}
    with pytest.raises(ValueError, match=rf"\[instagram.shop\]: {key}"):
        instagram_accounts({"shop": table})


def test_defaults_point_at_the_graph_api_and_the_services_region() -> None:
    number = WhatsAppSettings.from_toml("main", {**TABLE, "phone_number_id": 1065}, "UZ")

    assert number.phone_number_id == "1065"
    assert number.account.api_base == "https://graph.facebook.com"
    assert number.account.default_region == "UZ"
    assert number.account.path == "/whatsapp/main"
