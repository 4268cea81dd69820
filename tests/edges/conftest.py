"""Edge fixtures: the whole HTTP app with forms, SMS and a Telegram bot, and an admin token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.leadgate_http import LeadgateClient, running_leadgate

PUBLIC_URL = "https://leads.example.com"
TWILIO_TOKEN = "twilio-hostile-token"
GENERIC_TOKEN = "generic-hostile-token"
TELEGRAM_SECRET = "telegram-hostile-secret"
PLIVO_TOKEN = "plivo-hostile-token"
INFOBIP_SECRET = "infobip-hostile-secret"
SMS = {"twilio": {"auth_token": TWILIO_TOKEN}, "generic": {"token": GENERIC_TOKEN},
       "vonage": {}, "plivo": {"auth_token": PLIVO_TOKEN}, "infobip": {"secret": INFOBIP_SECRET}}
META = {"app_secret": "meta-hostile-secret", "verify_token": "meta-hostile-verify",
        "access_token": "meta-hostile-token", "api_base": "http://127.0.0.1:9"}
WHATSAPP = {"main": {**META, "phone_number_id": "1065"}}
INSTAGRAM = {"main": META}
TELEGRAM = {"bots": {"main": {"token": "7000000001:AAHostileBotTokenForTests",
                              "secret": TELEGRAM_SECRET, "api_base": "http://127.0.0.1:9"}}}


@pytest.fixture
async def lg(database_url: str) -> AsyncIterator[LeadgateClient]:
    """The app on the parametrized database, its client holding an admin token."""
    async with running_leadgate(database_url, public_url=PUBLIC_URL, sms=SMS,
                                telegram=TELEGRAM, whatsapp=WHATSAPP,
                                instagram=INSTAGRAM) as client:
        client.token = await admin_token(client)
        yield client


async def admin_token(lg: LeadgateClient) -> str:
    """A fresh admin token."""
    from crm_store.tokens import create_token

    return await create_token(lg.store.engine, "admin", None)


def telegram_update(user: dict[str, Any], text: str) -> dict[str, Any]:
    """A private-chat text message Update from `user`."""
    return {"update_id": 1, "message": {"message_id": 7, "date": 1700000000, "from": user,
                                        "chat": {"id": user["id"], "type": "private"},
                                        "text": text}}


