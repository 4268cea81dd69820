"""The managers' bot: a lead notification with Accept/Pass, the button press, replies relayed."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from typing import Any

from crm_store.cards import customer_card
from crm_store.tokens import create_token
from tests.conftest import FIXTURES
from tests.routing.staffing import FLOOR, IRA, OLGA
from tests.support.leadgate_http import LeadgateClient, running_leadgate
from tests.support.telegram_api import ApiCall, TelegramTestServer

MANAGER_BOT = "900001:manager-bot-token-for-tests"
CUSTOMER_BOT = "900002:customer-bot-token-for-tests"
_updates = itertools.count(1)


def with_bots(telegram: TelegramTestServer) -> dict[str, Any]:
    return {
        **FLOOR,
        "notify": {"telegram": {"token": MANAGER_BOT, "api_base": telegram.base_url,
                                "mode": "polling", "poll_timeout": 1}},
        "telegram": {"bots": {"main": {"token": CUSTOMER_BOT, "api_base": telegram.base_url,
                                       "mode": "webhook", "secret": "s3cret"}}},
    }


def press(manager_chat: int, data: str, message: dict[str, Any]) -> dict[str, Any]:
    return {"update_id": next(_updates), "callback_query": {
        "id": f"cb{next(_updates)}", "chat_instance": "1", "data": data, "message": message,
        "from": {"id": manager_chat, "is_bot": False, "first_name": "Manager"}}}


def reply(manager_chat: int, text: str, to: dict[str, Any]) -> dict[str, Any]:
    return {"update_id": next(_updates), "message": {
        "message_id": next(_updates) + 5000, "date": 1793600100, "text": text,
        "chat": {"id": manager_chat, "type": "private"}, "reply_to_message": to,
        "from": {"id": manager_chat, "is_bot": False, "first_name": "Manager"}}}


def to_chat(chat: int, also: Callable[[ApiCall], bool] = lambda call: True
            ) -> Callable[[ApiCall], bool]:
    return lambda call: int(call.params["chat_id"]) == chat and also(call)


def sent_message(call: ApiCall) -> dict[str, Any]:
    """The Message the test server answered sendMessage with (as a reply target)."""
    return {"message_id": 1, "date": 1793600000, "chat": {"id": int(call.params["chat_id"]),
            "type": "private"}, "text": call.params["text"]}


async def lead_status(lg: LeadgateClient, lead_id: int, wanted: str) -> dict[str, Any]:
    for _ in range(100):
        lead = (await lg.get(f"/api/leads/{lead_id}")).body
        if lead["status"] == wanted:
            return dict(lead)
        await asyncio.sleep(0.1)
    raise AssertionError(f"lead {lead_id} never became {wanted}: {lead['status']}")


async def outbound_touches(lg: LeadgateClient, customer_id: int, count: int
                           ) -> list[dict[str, Any]]:
    for _ in range(100):
        async with lg.store.engine.connect() as conn:
            card = await customer_card(conn, customer_id)
        assert card is not None
        found = [t for t in card["timeline"] if t["direction"] == "outbound"]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"customer {customer_id} has {len(found)} outbound touches")


async def test_the_notification_carries_accept_and_pressing_it_accepts_the_lead(
    postgres_url: str, amqp_url: str
) -> None:
    async with TelegramTestServer() as telegram, running_leadgate(
        postgres_url, amqp_url=amqp_url, loops=True, **with_bots(telegram)
    ) as lg:
        lg.token = await create_token(lg.store.engine, "admin")
        posted = await lg.post_form("contact", {"phone": "+998901234567", "name": "Dilnoza",
                                                "utm_source": "instagram"})
        lead_id = posted.body["lead_id"]
        notice = await telegram.wait_for_call("sendMessage", to_chat(5003), within=20,
                                              token=MANAGER_BOT)
        buttons = notice.params["reply_markup"]["inline_keyboard"][0]
        telegram.push_update(press(5003, buttons[0]["callback_data"], sent_message(notice)))
        answer = await telegram.wait_for_call("answerCallbackQuery", within=10)
        lead = await lead_status(lg, lead_id, "accepted")
        async with lg.store.engine.connect() as conn:
            card = await customer_card(conn, posted.body["customer_id"])

    assert f"#{lead_id}" in notice.params["text"] and "+998901234567" in notice.params["text"]
    assert [b["text"] for b in buttons] == ["Accept", "Pass"]
    assert buttons[0]["callback_data"] == f"lead:accept:{lead_id}"
    assert "yours" in answer.params["text"]
    assert lead["manager_id"] == IRA
    assert card is not None and card["owner_manager_id"] == IRA


async def test_a_manager_reply_to_the_notification_reaches_the_customer_in_their_chat(
    database_url: str, amqp_url: str
) -> None:
    async with TelegramTestServer() as telegram, running_leadgate(
        database_url, loops=True, **with_bots(telegram)
    ) as lg:
        update = json.loads((FIXTURES / "telegram" / "text_message.json").read_text())
        posted = await lg.request("POST", "/telegram/main", json=update,
                                  headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
        assert posted.status == 200
        notice = await telegram.wait_for_call("sendMessage", to_chat(5001), within=20,
                                              token=MANAGER_BOT)
        telegram.push_update(reply(OLGA + 5000, "Assalomu alaykum! Ha, 50 000 so'm.",
                                   sent_message(notice)))
        relayed = await telegram.wait_for_call("sendMessage", to_chat(5123456789), within=10,
                                               token=CUSTOMER_BOT)
        outbound = await outbound_touches(lg, customer_id=1, count=1)

    assert relayed.params["text"] == "Assalomu alaykum! Ha, 50 000 so'm."
    assert [t["text"] for t in outbound] == ["Assalomu alaykum! Ha, 50 000 so'm."]
    assert outbound[0]["details"]["manager"] == "Olga Petrova"


async def test_the_customer_is_told_which_manager_will_answer(database_url: str) -> None:
    async with TelegramTestServer() as telegram:
        config = with_bots(telegram)
        config["telegram"]["bots"]["main"]["ack_template"] = "{manager} will answer you shortly."
        async with running_leadgate(database_url, **config) as lg:
            update = json.loads((FIXTURES / "telegram" / "text_message.json").read_text())
            posted = await lg.request("POST", "/telegram/main", json=update,
                                      headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
        [ack] = [c for c in telegram.calls_to("sendMessage", CUSTOMER_BOT)]

    assert posted.status == 200
    assert ack.params["text"] == "Olga Petrova will answer you shortly."
