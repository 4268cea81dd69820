"""Form and mail customers get one acknowledgement per lead, in their language, by mail."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from channels.email.parse import parse_mail
from channels.email.reply import MailSender, OutgoingMailSettings
from leadgate.compose import Store
from routing.acknowledgements import Acknowledger, AckTemplates
from routing.replies import ReplyService
from tests.channels.email.conftest import sample
from tests.support.leadgate_http import running_leadgate

ACK = {"ru": "{name}, спасибо! Мы ответим в течение часа.",
       "uz": "Rahmat, {name}! Bir soat ichida javob beramiz.",
       "en": "Thank you, {name}! We will answer within an hour."}


class Mailbox:
    """An SMTP server keeping every mail it receives."""

    def __init__(self) -> None:
        self.mails: list[Message] = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.mails.append(message_from_bytes(envelope.original_content or b""))
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


def outgoing(mailbox: Mailbox) -> dict[str, object]:
    return {"host": "127.0.0.1", "port": mailbox.port, "from": "sales@leadgate-demo.uz"}


async def until_mails(mailbox: Mailbox, count: int) -> list[Message]:
    for _ in range(100):
        if len(mailbox.mails) >= count:
            return mailbox.mails
        await asyncio.sleep(0.1)
    raise AssertionError(f"expected {count} mails, got {len(mailbox.mails)}")


async def test_a_form_customer_is_acknowledged_once_in_their_language(
    database_url: str, mailbox: Mailbox
) -> None:
    forms = {"contact": {"name": "Contact", "ack": ACK}, "price": {"name": "Price"}}
    async with running_leadgate(database_url, loops=("acknowledgements",), forms=forms,
                                email={"outgoing": outgoing(mailbox)}) as leadgate:
        first = await leadgate.post_form("contact", {
            "name": "Dilnoza", "email": "dilnoza@example.uz", "message": "Salom, narxi qancha?"})
        await leadgate.post_form("contact", {"email": "dilnoza@example.uz", "message": "yana"})
        await leadgate.post_form("price", {"email": "ivan@example.ru", "message": "Цена?"})
        [mail] = await until_mails(mailbox, 1)
        await asyncio.sleep(1.5)  # a further round of the loop sends nothing more

    assert len(mailbox.mails) == 1
    assert mail["To"] == "dilnoza@example.uz"
    assert mail.get_payload(decode=True).decode().strip() == (  # type: ignore[union-attr]
        "Rahmat, Dilnoza! Bir soat ichida javob beramiz.")
    assert first.status == 201


async def test_a_mail_customer_is_answered_in_the_thread_of_their_mail(
    core: Store, mailbox: Mailbox
) -> None:
    replies = ReplyService(core.engine, {"email:smtp": MailSender(
        OutgoingMailSettings.from_toml(outgoing(mailbox)))}, core.intake, {"email": "smtp"})
    templates = AckTemplates.from_toml({"imap": {"mailboxes": [
        {"host": "imap.example.uz", "user": "sales@example.uz", "ack": ACK}]}})
    # A first round starts the cursor: the sample mail is dated weeks ago (no catch-up for it).
    await Acknowledger(core.engine, replies, templates).step()
    stored = await core.intake(parse_mail(sample("inquiry_plain_utf8_ru"),
                                        "sales@example.uz@imap.example.uz", "RU"))

    sent = [await Acknowledger(core.engine, replies, templates).step() for _ in range(2)]
    again = await Acknowledger(core.engine, replies, templates).step()  # another process

    assert (sent, again) == ([1, 0], 0)
    [mail] = mailbox.mails
    assert mail["In-Reply-To"] is not None
    assert "спасибо" in mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert stored.lead_id is not None


def test_an_ack_that_is_neither_text_nor_languages_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\[forms.contact\] ack"):
        AckTemplates.from_toml({"forms": {"contact": {"ack": 5}}})
