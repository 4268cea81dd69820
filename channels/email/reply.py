"""Replies by e-mail through SMTP, threaded under the customer's mail (In-Reply-To, References)."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from channels.email.mailer import SmtpMailer
from leads.model import ContactEvent, RawIdentity, ReplyRoute, utcnow


@dataclass(frozen=True)
class OutgoingMailSettings:
    """`[email.outgoing]`: the SMTP server replies and acknowledgements are sent through."""

    host: str
    sender: str
    port: int = 25
    starttls: bool = False
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 15.0

    @classmethod
    def from_toml(cls, section: dict[str, Any]) -> OutgoingMailSettings:
        """Read `[email.outgoing]`; ValueError names the key."""
        host, port, sender = section.get("host"), section.get("port", 25), section.get("from")
        if not isinstance(host, str) or not host:
            raise ValueError("[email.outgoing] host must name the SMTP server")
        if not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError("[email.outgoing] port must be a port number")
        if not isinstance(sender, str) or "@" not in sender:
            raise ValueError("[email.outgoing] from must be the address replies come from")
        return cls(host, sender, port, bool(section.get("starttls", False)),
                   section.get("user"), section.get("password"))


def reply_mail(sender: str, route: ReplyRoute, text: str, subject: str | None = None
               ) -> EmailMessage:
    """The reply: to the customer, `Re:` their subject, threaded under the mail it answers."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = route.address
    answered = route.answers
    original = subject or (answered.subject if answered is not None else None) or ""
    mail["Subject"] = original if original.lower().startswith("re:") else f"Re: {original}"
    if answered is not None and answered.channel == "email":
        mail["In-Reply-To"] = f"<{answered.external_id}>"
        mail["References"] = f"<{answered.external_id}>"
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    mail.set_content(text)
    return mail


class MailSender(SmtpMailer):
    """Sends replies (ReplySender) and acknowledgements through the `[email.outgoing]` server."""

    def __init__(self, settings: OutgoingMailSettings) -> None:
        super().__init__(settings)
        self.settings = settings

    async def send_reply(self, route: ReplyRoute, text: str, manager: str | None) -> ContactEvent:
        """Mail the reply; the outbound event, on the answered mail's thread."""
        mail = reply_mail(self.settings.sender, route, text)
        await self.send(mail)
        answered = route.answers
        return ContactEvent(
            channel="email", external_id=str(mail["Message-ID"]).strip("<>"),
            occurred_at=utcnow(), identities=(RawIdentity("email", route.address),),
            subject=str(mail["Subject"]), text=text, direction="outbound",
            details={"from": self.settings.sender, "to": [route.address], "manager": manager,
                     "reply": True},
            replies_to=(answered.external_id,) if answered and answered.channel == "email"
            else (),
        )
