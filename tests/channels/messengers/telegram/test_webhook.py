"""A webhook bot turns each captured Telegram update into the right touch and answers the user."""

from __future__ import annotations

from tests.channels.messengers.telegram.conftest import WebhookBot, update
from tests.fakes import RecordingSink
from tests.support.telegram_api import TelegramTestServer


def identities(sink: RecordingSink, index: int = -1) -> set[tuple[str, str]]:
    return {(i.kind, i.value) for i in sink.events[index].identities}


async def test_deep_link_start_records_the_campaign_and_offers_the_share_phone_button(
    webhook_bot: WebhookBot, sink: RecordingSink, telegram: TelegramTestServer
) -> None:
    status, _ = await webhook_bot.post(update("start_with_deep_link"))
    assert status == 200
    [event] = sink.events
    assert event.channel == "telegram"
    assert event.external_id == "5123456789:11"
    assert identities(sink) == {("telegram", "5123456789"), ("telegram_username", "dilnoza_k")}
    assert event.attribution["start_payload"] == "instagram-nov26"
    assert event.attribution["utm_source"] == "instagram"
    assert event.attribution["bot"] == "main"
    assert event.name == "Dilnoza Karimova"
    greeting = await telegram.wait_for_call("sendMessage")
    assert greeting.params["chat_id"] == "5123456789"
    [[button]] = greeting.params["reply_markup"]["keyboard"]
    assert button == {"text": "Share my phone", "request_contact": True}


async def test_plain_start_from_a_person_without_username_is_a_touch_in_russian(
    webhook_bot: WebhookBot, sink: RecordingSink, telegram: TelegramTestServer
) -> None:
    await webhook_bot.post(update("start_plain_ru"))
    [event] = sink.events
    assert identities(sink) == {("telegram", "390012345")}
    assert event.details["language"] == "ru"
    assert "start_payload" not in event.attribution
    await telegram.wait_for_call("sendMessage")


async def test_own_shared_contact_adds_the_phone_in_international_form(
    webhook_bot: WebhookBot, sink: RecordingSink, telegram: TelegramTestServer
) -> None:
    status, _ = await webhook_bot.post(update("contact_shared_own"))
    assert status == 200
    assert ("phone", "+998901234567") in identities(sink)
    assert ("telegram", "5123456789") in identities(sink)
    thanks = await telegram.wait_for_call("sendMessage")
    assert thanks.params["reply_markup"] == {"remove_keyboard": True}


async def test_a_forged_contact_of_someone_else_is_kept_as_text_not_as_an_identity(
    webhook_bot: WebhookBot, sink: RecordingSink
) -> None:
    await webhook_bot.post(update("contact_shared_someone_else"))
    [event] = sink.events
    assert identities(sink) == {("telegram", "5123456789"), ("telegram_username", "dilnoza_k")}
    assert event.text is not None and "+79161112233" in event.text
    assert event.details["own_contact"] is False


async def test_a_text_message_is_a_touch_with_the_text(
    webhook_bot: WebhookBot, sink: RecordingSink, telegram: TelegramTestServer
) -> None:
    await webhook_bot.post(update("text_message"))
    [event] = sink.events
    assert event.text == "Salom! Sovg'a uchun gravirovka qilasizmi? Narxi qancha?"
    assert event.details["message_type"] == "text"
    assert event.external_id == "5123456789:12"
    assert telegram.calls_to("sendMessage") == []


async def test_photo_and_voice_are_touches_noted_by_type(
    webhook_bot: WebhookBot, sink: RecordingSink
) -> None:
    await webhook_bot.post(update("photo_with_caption"))
    await webhook_bot.post(update("voice_message"))
    photo, voice = sink.events
    assert photo.details["message_type"] == "photo"
    assert photo.text == "Mana shu dizaynda kerak"
    assert photo.details["width"] == 800
    assert voice.details["message_type"] == "voice"
    assert voice.details["duration"] == 7


async def test_an_edited_message_never_makes_a_second_touch(
    webhook_bot: WebhookBot, sink: RecordingSink
) -> None:
    await webhook_bot.post(update("text_message"))
    status, _ = await webhook_bot.post(update("edited_message"))
    assert status == 200
    assert len(sink.events) == 1


async def test_a_redelivered_update_makes_one_touch_and_one_greeting(
    webhook_bot: WebhookBot, sink: RecordingSink, telegram: TelegramTestServer
) -> None:
    await webhook_bot.post(update("start_with_deep_link"))
    await webhook_bot.post(update("start_with_deep_link"))
    assert len(sink.events) == 1
    assert len(telegram.calls_to("sendMessage")) == 1


async def test_a_wrong_secret_is_refused_with_401_and_nothing_is_stored(
    webhook_bot: WebhookBot, sink: RecordingSink
) -> None:
    status, body = await webhook_bot.post(update("text_message"), secret="guessed")
    assert status == 401
    assert body["error"] == "unauthorized"
    assert sink.events == []


async def test_store_down_answers_503_so_telegram_retries_and_the_retry_is_stored(
    webhook_bot: WebhookBot, sink: RecordingSink
) -> None:
    sink.failing = True
    status, body = await webhook_bot.post(update("text_message"))
    assert (status, body["error"]) == (503, "store_unavailable")
    sink.failing = False
    status, _ = await webhook_bot.post(update("text_message"))
    assert status == 200
    assert len(sink.events) == 1


async def test_a_body_that_is_no_update_is_400(webhook_bot: WebhookBot) -> None:
    status, body = await webhook_bot.post({"hello": "world"})
    assert (status, body["error"]) == (400, "malformed")


async def test_group_chat_messages_are_not_touches(
    webhook_bot: WebhookBot, sink: RecordingSink
) -> None:
    group = update("text_message")
    group["message"]["chat"] = {"id": -100123, "title": "Team", "type": "supergroup"}
    status, _ = await webhook_bot.post(group)
    assert status == 200
    assert sink.events == []
