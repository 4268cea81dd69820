"""A manager answers a lead on the channel its customer last wrote on; each reply is on the card."""

from __future__ import annotations

import copy
import socket
import time
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from channels.email.parse import parse_mail
from channels.messengers.graph_api import appsecret_proof
from crm_store.tokens import create_token
from tests.channels.email.conftest import sample
from tests.support.graph_api import GraphTestServer
from tests.support.leadgate_http import LeadgateClient, running_leadgate
from tests.support.meta import ACCESS_TOKEN, APP_SECRET, account_table, fixture, post_signed
from tests.support.telegram_api import TelegramTestServer

BOT_TOKEN = "7000000001:customer-bot-token-for-tests"
BOT_SECRET = "webhook-secret-for-tests"


class Mailbox:
    """An SMTP server keeping every mail it receives."""

    def __init__(self) -> None:
        self.mails: list[bytes] = []
        self.port = free_port()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.mails.append(envelope.original_content or b"")
        return "250 OK"


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramTestServer]:
    async with TelegramTestServer() as server:
        yield server


@pytest.fixture
async def graph() -> AsyncIterator[GraphTestServer]:
    async with GraphTestServer() as server:
        yield server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
async def leadgate(database_url: str, telegram: TelegramTestServer, graph: GraphTestServer,
                   mailbox: Mailbox) -> AsyncIterator[LeadgateClient]:
    """Leadgate with a Telegram bot, WhatsApp, Instagram and outgoing mail, as admin."""
    bot = {"token": BOT_TOKEN, "secret": BOT_SECRET, "api_base": telegram.base_url}
    async with running_leadgate(
        database_url, telegram={"bots": {"main": bot}},
        whatsapp={"main": account_table(graph.base_url, phone_number_id="1065")},
        instagram={"main": account_table(graph.base_url)},
        email={"outgoing": {"host": "127.0.0.1", "port": mailbox.port,
                            "from": "sales@leadgate-demo.uz"}},
    ) as client:
        client.token = await create_token(client.store.engine, "admin")
        yield client


def fresh(payload: dict[str, Any], channel: str) -> dict[str, Any]:
    """The captured payload stamped now, so it is inside the reply window."""
    copied = copy.deepcopy(payload)
    for entry in copied["entry"]:
        for change in entry.get("changes", []):
            for message in change["value"].get("messages", []):
                message["timestamp"] = str(int(time.time()))
        for item in entry.get("messaging", []):
            item["timestamp"] = int(time.time() * 1000)
    return copied


async def lead_of(leadgate: LeadgateClient) -> int:
    leads = (await leadgate.get("/api/leads")).body["leads"]
    assert len(leads) == 1
    return int(leads[0]["id"])


async def reply(leadgate: LeadgateClient, lead: int, text: str) -> Any:
    return await leadgate.request("POST", f"/api/leads/{lead}/reply", json={"text": text})


async def timeline(leadgate: LeadgateClient, lead: int) -> list[tuple[str, str, str]]:
    touches = (await leadgate.get(f"/api/leads/{lead}")).body["touches"]
    return [(t["channel"], t["direction"], t["text"]) for t in touches]


async def test_a_telegram_customer_is_answered_by_the_bot_they_wrote_to(
    leadgate: LeadgateClient, telegram: TelegramTestServer
) -> None:
    await leadgate.request("POST", "/telegram/main", json=fixture("telegram", "text_message"),
                           headers={"X-Telegram-Bot-Api-Secret-Token": BOT_SECRET})
    lead = await lead_of(leadgate)

    option = (await leadgate.get(f"/api/leads/{lead}/reply")).body
    answer = await reply(leadgate, lead, "Ha, gravirovka bor.")

    assert option["can_reply"] is True and option["channel"] == "telegram"
    assert answer.status == 201, answer.body
    call = await telegram.wait_for_call("sendMessage", lambda c: c.params["text"].startswith("Ha"))
    assert call.params["chat_id"] == "5123456789"
    assert (await timeline(leadgate, lead))[-1] == ("telegram", "outbound", "Ha, gravirovka bor.")


async def test_a_whatsapp_customer_is_answered_through_the_cloud_api_signed(
    leadgate: LeadgateClient, graph: GraphTestServer
) -> None:
    await post_signed(leadgate, "/whatsapp/main", fresh(fixture("whatsapp", "text_message"), ""))
    lead = await lead_of(leadgate)

    answer = await reply(leadgate, lead, "Доставка в Самарканд — 2 дня.")

    assert answer.status == 201, answer.body
    call = await graph.wait_for_call("/1065/messages")
    assert call.path == "/v21.0/1065/messages"
    assert call.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert call.query["appsecret_proof"] == appsecret_proof(ACCESS_TOKEN, APP_SECRET)
    assert call.body == {"messaging_product": "whatsapp", "recipient_type": "individual",
                         "to": "998901234567", "type": "text",
                         "text": {"preview_url": False, "body": "Доставка в Самарканд — 2 дня."}}
    assert answer.body["external_id"] == "wamid.OUT1"
    assert (await timeline(leadgate, lead))[-1] == (
        "whatsapp", "outbound", "Доставка в Самарканд — 2 дня.")
    assert (await leadgate.get(f"/api/leads/{lead}")).body["contacted_at"] is not None


async def test_whatsapp_outside_the_24_hour_window_is_refused_with_the_reason(
    leadgate: LeadgateClient, graph: GraphTestServer
) -> None:
    await post_signed(leadgate, "/whatsapp/main", fixture("whatsapp", "text_message"))
    lead = await lead_of(leadgate)

    option = (await leadgate.get(f"/api/leads/{lead}/reply")).body
    answer = await reply(leadgate, lead, "Hello?")

    assert option["can_reply"] is False and option["error"] == "reply_window_closed"
    assert answer.status == 422
    assert answer.body["error"] == "reply_window_closed"
    assert "24 hours" in answer.body["detail"]
    assert graph.calls == []


async def test_an_instagram_customer_is_answered_in_direct(
    leadgate: LeadgateClient, graph: GraphTestServer
) -> None:
    await post_signed(leadgate, "/instagram/main", fresh(fixture("instagram", "text_message"), ""))
    lead = await lead_of(leadgate)

    answer = await reply(leadgate, lead, "Narxi 120 000 so'm.")

    assert answer.status == 201, answer.body
    call = await graph.wait_for_call("/me/messages")
    assert call.body == {"recipient": {"id": "1254459154682919"},
                         "message": {"text": "Narxi 120 000 so'm."}}
    assert call.query["appsecret_proof"] == appsecret_proof(ACCESS_TOKEN, APP_SECRET)
    assert (await timeline(leadgate, lead))[-1] == ("instagram", "outbound", "Narxi 120 000 so'm.")


async def test_instagram_outside_its_window_is_refused(leadgate: LeadgateClient) -> None:
    await post_signed(leadgate, "/instagram/main", fixture("instagram", "text_message"))

    answer = await reply(leadgate, await lead_of(leadgate), "Hello?")

    assert (answer.status, answer.body["error"]) == (422, "reply_window_closed")


async def test_a_mail_customer_gets_a_reply_threaded_under_their_mail(
    leadgate: LeadgateClient, mailbox: Mailbox
) -> None:
    await leadgate.store.intake(
        parse_mail(sample("inquiry_plain_utf8_ru"), "sales@example.uz", "RU"))
    lead = await lead_of(leadgate)

    answer = await reply(leadgate, lead, "Добрый день! Счёт во вложении.")

    assert answer.status == 201, answer.body
    [raw] = mailbox.mails
    mail = message_from_bytes(raw)
    original = parse_mail(sample("inquiry_plain_utf8_ru"), "x").external_id
    assert str(mail["To"]).lower() == "ivan.petrov@example.ru"
    assert mail["In-Reply-To"] == f"<{original}>"
    assert f"<{original}>" in mail["References"]
    assert str(mail["Subject"]).startswith("Re:")
    assert (await timeline(leadgate, lead))[-1][:2] == ("email", "outbound")


async def test_a_form_customer_with_an_email_is_answered_by_mail(
    leadgate: LeadgateClient, mailbox: Mailbox
) -> None:
    await leadgate.post_form("contact", {"name": "Aziz", "email": "aziz@example.uz"})
    lead = await lead_of(leadgate)

    answer = await reply(leadgate, lead, "Thank you, Aziz!")

    assert answer.status == 201, answer.body
    assert message_from_bytes(mailbox.mails[0])["To"] == "aziz@example.uz"


async def test_a_customer_no_channel_can_reach_is_422(leadgate: LeadgateClient) -> None:
    await leadgate.post_form("contact", {"phone": "+998 90 123 45 67"})
    lead = await lead_of(leadgate)

    option = (await leadgate.get(f"/api/leads/{lead}/reply")).body
    answer = await reply(leadgate, lead, "Hello")

    assert option == {"lead_id": lead, "can_reply": False, "channel": None,
                      "error": "unreachable", "detail": option["detail"]}
    assert (answer.status, answer.body["error"]) == (422, "unreachable")


async def test_an_empty_reply_and_an_unknown_lead_are_refused(leadgate: LeadgateClient) -> None:
    empty = await reply(leadgate, 1, " ")
    unknown = await reply(leadgate, 999, "hi")

    assert (empty.status, unknown.status) == (422, 404)
