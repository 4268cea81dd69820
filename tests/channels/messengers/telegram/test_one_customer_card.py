"""A caller who later shares the same phone in Telegram ends on one card with both identities."""

from __future__ import annotations

from datetime import UTC, datetime

from channels.messengers.telegram.adapter import TelegramBotChannel
from crm_store.cards import customer_by_identity, customer_card
from leadgate.compose import Store
from leads.model import ContactEvent, RawIdentity
from tests.channels.messengers.telegram.conftest import bot_settings, serving, update
from tests.support.telegram_api import TelegramTestServer


async def test_a_call_then_a_shared_phone_in_telegram_make_one_card_with_both_identities(
    core: Store, telegram: TelegramTestServer
) -> None:
    call = ContactEvent(
        channel="call",
        external_id="1793590000.101",
        occurred_at=datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
        identities=(RawIdentity("phone", "90 123 45 67"),),
        region="UZ",
    )
    first = await core.intake(call)
    channel = TelegramBotChannel(bot_settings(telegram.base_url))
    async with serving(channel, core.intake) as bot:
        for name in ("start_with_deep_link", "text_message", "contact_shared_own"):
            status, _ = await bot.post(update(name))
            assert status == 200

    async with core.engine.connect() as conn:
        by_phone = await customer_by_identity(conn, "phone", "+998901234567")
        by_telegram = await customer_by_identity(conn, "telegram", "5123456789")
        assert first.customer_id is not None
        assert by_phone == by_telegram == first.customer_id
        card = await customer_card(conn, first.customer_id)
    assert card is not None
    kinds = {(i["kind"], i["value"]) for i in card["identities"]}
    assert {("phone", "+998901234567"), ("telegram", "5123456789")} <= kinds
    # The chat opened its own lead before the phone proved it is the caller: both stay on the card.
    assert len(card["timeline"]) == 4
