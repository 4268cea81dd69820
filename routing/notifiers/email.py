"""E-mail notifier: tells the manager by mail, sent through the `Mailer` the root hands in."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

from leads.errors import ChannelUnavailable, InvalidEvent
from routing.notifiers.text import body, subject


@dataclass(frozen=True)
class EmailNotifierSettings:
    """`[notify.email]`: the SMTP server notifications are sent through."""

    host: str
    port: int = 25
    sender: str = "leadgate@localhost"
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    timeout: float = 15.0

    @classmethod
    def from_toml(cls, section: dict[str, Any]) -> EmailNotifierSettings:
        """Read and check the section; ValueError says which key is wrong."""
        host, port = section.get("host"), section.get("port", 25)
        if not isinstance(host, str) or not host:
            raise ValueError("[notify.email] host must name the SMTP server")
        if not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError("[notify.email] port must be a port number")
        return cls(host, port, str(section.get("from", cls.sender)),
                   bool(section.get("starttls", False)), section.get("user"),
                   section.get("password"))


class Mailer(Protocol):
    """Sends one mail (channels.email's SMTP mailer, on the `[notify.email]` server)."""

    async def send(self, mail: EmailMessage) -> None:
        """Send it; ChannelUnavailable when the server fails, InvalidEvent if it refuses."""
        ...


class EmailNotifier:
    """Sends each message addressed to a manager with an e-mail address."""

    def __init__(self, settings: EmailNotifierSettings, mailer: Mailer,
                 public_url: str | None = None) -> None:
        self._settings = settings
        self._mailer = mailer
        self._public_url = public_url

    async def notify(self, routing_key: str, payload: dict[str, Any]) -> None:
        """Mail the manager the payload names, if they have an address."""
        address = (payload.get("manager") or {}).get("email")
        if not address or routing_key.startswith("call.ringing."):
            return  # a ringing call is over before a mail is read
        mail = EmailMessage()
        mail["From"] = self._settings.sender
        mail["To"] = address
        mail["Subject"] = subject(routing_key, payload)
        mail.set_content(body(routing_key, payload, self._public_url))
        try:
            await self._mailer.send(mail)
        except InvalidEvent as err:  # a refused manager address is retried like an outage
            raise ChannelUnavailable(f"notification mail refused: {err.code}") from err
