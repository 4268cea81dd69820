"""The e-mail notifier: what it mails through its Mailer port, and, in embedded mode, the relay
handing it the lead in process with no broker (against a real SMTP server)."""

from __future__ import annotations

import asyncio
from email import message_from_bytes
from email.message import EmailMessage, Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from leads.errors import ChannelUnavailable, InvalidEvent
from routing.notifiers.email import EmailNotifier, EmailNotifierSettings
from tests.routing.staffing import FLOOR
from tests.support.leadgate_http import running_leadgate
from tests.support.loopback import free_port


class Mailbox:
    """An aiosmtpd handler keeping every mail it receives."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.mails.append((list(envelope.rcpt_tos), message_from_bytes(content)))
        return "250 OK"


async def test_a_new_lead_is_mailed_to_its_manager_without_a_broker(database_url: str) -> None:
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    config: dict[str, Any] = {**FLOOR, "public_url": "https://leads.example.uz",
                              "notify": {"email": {"host": "127.0.0.1", "port": smtp.port,
                                                   "from": "leadgate@example.uz"}}}
    try:
        async with running_leadgate(database_url, loops=("outbox",), **config) as lg:
            posted = await lg.post_form("contact", {"phone": "+998901234567", "name": "Dilnoza",
                                                    "message": "Narxi qancha?"})
            for _ in range(100):
                if mailbox.mails:
                    break
                await asyncio.sleep(0.05)
    finally:
        smtp.stop()

    [(recipients, mail)] = mailbox.mails
    assert recipients == ["olga@example.uz"]
    assert mail["Subject"] == f"New lead #{posted.body['lead_id']}"
    text = mail.get_payload(decode=True).decode()
    assert "Dilnoza" in text and "+998901234567" in text and "Narxi qancha?" in text
    assert f"https://leads.example.uz/api/customers/{posted.body['customer_id']}" in text


class FakeMailer:
    """A Mailer keeping what it is given; `refuse`: answer as a server refusing the address."""

    def __init__(self, refuse: bool = False) -> None:
        self.sent: list[EmailMessage] = []
        self.refuse = refuse

    async def send(self, mail: EmailMessage) -> None:
        if self.refuse:
            raise InvalidEvent("the mail server refused the address", "refused")
        self.sent.append(mail)


ASSIGNED = {"lead_id": 7, "manager": {"login": "olga", "email": "olga@example.uz"}}


async def test_the_notifier_mails_the_manager_from_its_sender_through_the_mailer() -> None:
    mailer = FakeMailer()
    notifier = EmailNotifier(EmailNotifierSettings("smtp.example.uz", sender="leads@example.uz"),
                             mailer)

    await notifier.notify("lead.assigned.3", ASSIGNED)

    [mail] = mailer.sent
    assert (mail["From"], mail["To"]) == ("leads@example.uz", "olga@example.uz")
    assert mail["Subject"] == "New lead #7"


async def test_a_ringing_call_and_a_manager_without_an_address_are_not_mailed() -> None:
    mailer = FakeMailer()
    notifier = EmailNotifier(EmailNotifierSettings("smtp.example.uz"), mailer)

    await notifier.notify("call.ringing.3", ASSIGNED)
    await notifier.notify("lead.assigned.3", {"lead_id": 8, "manager": {"login": "aziz"}})

    assert mailer.sent == []


async def test_a_refused_manager_address_is_retried_like_an_outage() -> None:
    notifier = EmailNotifier(EmailNotifierSettings("smtp.example.uz"), FakeMailer(refuse=True))

    with pytest.raises(ChannelUnavailable):
        await notifier.notify("lead.assigned.3", ASSIGNED)
