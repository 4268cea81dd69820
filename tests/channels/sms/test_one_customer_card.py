"""Through the real store: a redelivered SMS is one touch, and SMS and Telegram meet on one card."""

from __future__ import annotations

from channels.messengers.telegram.adapter import TelegramBotChannel
from crm_store.cards import customer_by_identity, customer_card
from leadgate.compose import Store
from tests.channels.messengers.telegram.conftest import bot_settings, update
from tests.channels.messengers.telegram.conftest import serving as serving_bot
from tests.channels.sms.conftest import GENERIC_TOKEN, SMS_SECTION, serving
from tests.support.telegram_api import TelegramTestServer

HEADERS = {"Content-Type": "application/json", "Authorization": f"Bearer {GENERIC_TOKEN}"}
SMS = {"id": "m-77", "from": "998901234567", "to": "998712000000", "text": "Narxi qancha?"}


async def test_a_redelivered_sms_is_one_touch_and_the_sender_shares_a_card_with_telegram(
    core: Store,
) -> None:
    async with serving(SMS_SECTION, core.intake, core.cursors) as gateway:
        first = await gateway.post("/sms/generic", SMS, HEADERS)
        again = await gateway.post("/sms/generic", SMS, HEADERS)
    assert (first.status, again.status) == (200, 200)
    async with TelegramTestServer() as telegram:
        channel = TelegramBotChannel(bot_settings(telegram.base_url))
        async with serving_bot(channel, core.intake) as bot:
            status, _ = await bot.post(update("contact_shared_own"))
            assert status == 200

    async with core.engine.connect() as conn:
        customer = await customer_by_identity(conn, "phone", "+998901234567")
        assert customer is not None
        assert await customer_by_identity(conn, "telegram", "5123456789") == customer
        card = await customer_card(conn, customer)
    assert card is not None
    channels = [touch["channel"] for touch in card["timeline"]]
    assert sorted(channels) == ["sms", "telegram"]
