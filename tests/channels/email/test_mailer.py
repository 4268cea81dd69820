"""The one SMTP sender against a real SMTP server: delivered, refused, or the server is away."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from channels.email.mailer import SmtpMailer
from leads.errors import ChannelUnavailable, InvalidEvent
from tests.support.loopback import free_port


@dataclass(frozen=True)
class Server:
    """Where the test's SMTP server listens."""

    host: str
    port: int
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    timeout: float = 5.0


class Mailbox:
    """Keeps every mail; refuses recipients at `nobody@`."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address.startswith("nobody@"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.mails.append((list(envelope.rcpt_tos), envelope.original_content or b""))
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, Server]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield box, Server("127.0.0.1", controller.port)
    finally:
        controller.stop()


def mail_to(address: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "leads@example.uz"
    mail["To"] = address
    mail["Subject"] = "Narxi qancha?"
    mail.set_content("Salom!")
    return mail


async def test_a_mail_is_delivered_to_its_recipient(mailbox: tuple[Mailbox, Server]) -> None:
    box, server = mailbox

    await SmtpMailer(server).send(mail_to("dilnoza@example.uz"))

    [(recipients, content)] = box.mails
    assert recipients == ["dilnoza@example.uz"]
    assert b"Subject: Narxi qancha?" in content


async def test_a_refused_recipient_is_an_invalid_event(mailbox: tuple[Mailbox, Server]) -> None:
    box, server = mailbox

    with pytest.raises(InvalidEvent) as refused:
        await SmtpMailer(server).send(mail_to("nobody@example.uz"))

    assert refused.value.code == "refused"
    assert box.mails == []


async def test_a_server_that_is_away_is_unavailable_not_refused() -> None:
    with pytest.raises(ChannelUnavailable):
        await SmtpMailer(Server("127.0.0.1", free_port())).send(mail_to("dilnoza@example.uz"))
