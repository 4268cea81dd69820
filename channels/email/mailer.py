"""Sending one mail through an SMTP server: the standard library's client, in a thread.

The one SMTP sender of Leadgate: replies and acknowledgements (`reply.MailSender`) and the
managers' e-mail notifications (`routing.notifiers.email`, which receives it from the
composition root) all go through `SmtpMailer`.
"""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from typing import Protocol

from leads.errors import ChannelUnavailable, InvalidEvent


class SmtpServer(Protocol):
    """Where the SMTP server is and how to log in (`[email.outgoing]`, `[notify.email]`)."""

    @property
    def host(self) -> str: ...

    @property
    def port(self) -> int: ...

    @property
    def starttls(self) -> bool: ...

    @property
    def user(self) -> str | None: ...

    @property
    def password(self) -> str | None: ...

    @property
    def timeout(self) -> float: ...


class SmtpMailer:
    """Sends mails through one SMTP server, a connection per mail."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def send(self, mail: EmailMessage) -> None:
        """Send one mail; ChannelUnavailable when the server fails, InvalidEvent if it refuses."""
        try:
            await asyncio.to_thread(self._send, mail)
        except smtplib.SMTPRecipientsRefused as err:
            raise InvalidEvent("the mail server refused the address", "refused") from err
        except (OSError, smtplib.SMTPException) as err:
            raise ChannelUnavailable(f"sending mail failed: {type(err).__name__}") from err

    def _send(self, mail: EmailMessage) -> None:
        s = self.server
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as client:
            if s.starttls:
                client.starttls()
            if s.user and s.password:
                client.login(s.user, s.password)
            client.send_message(mail)
