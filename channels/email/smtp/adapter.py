"""The SMTP intake server: mail for our addresses becomes leads; 250 only after commit."""

from __future__ import annotations

import asyncio
import hmac
import logging
import ssl
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from channels.base import HealthReporter, Sink
from channels.email.delivery import MailDelivery
from channels.email.loop_guard import RecentMarks
from channels.email.parse import parse_mail
from channels.email.settings import LoopGuardSettings, SmtpSettings
from leads.errors import ChannelUnavailable, InvalidEvent, StoreUnavailable

log = logging.getLogger(__name__)


class SmtpIntake:
    """`[smtp]`: an aiosmtpd server on the service's own loop, for as long as `run` runs."""

    name = "smtp"

    def __init__(self, settings: SmtpSettings, guard: LoopGuardSettings | None = None,
                 health: HealthReporter | None = None,
                 marks: RecentMarks | None = None) -> None:
        self.settings = settings
        self._marks = marks
        self._guard = guard
        self._health = health
        self.port: int | None = None

    async def run(self, sink: Sink) -> None:
        """Listen until cancelled; ChannelUnavailable if the address cannot be bound."""
        handler = _Handler(self.settings, MailDelivery(sink, self._guard, self._marks))
        s = self.settings
        tls = _tls_context(s)
        loop = asyncio.get_running_loop()
        try:
            server = await loop.create_server(
                lambda: SMTP(handler, data_size_limit=s.max_bytes, enable_SMTPUTF8=True,
                             hostname="leadgate", tls_context=tls, auth_required=bool(s.auth),
                             auth_require_tls=tls is not None,
                             authenticator=_Authenticator(s.auth) if s.auth else None),
                s.host, s.port, reuse_port=True)  # several Leadgate processes on one host
        except OSError as err:
            raise ChannelUnavailable(f"SMTP cannot listen on {s.host}:{s.port}: {err}") from err
        self.port = server.sockets[0].getsockname()[1]
        if self._health is not None:
            self._health.report(self.name, "ok", f"listening on {s.host}:{self.port}")
        try:
            await asyncio.Future()  # serve until cancelled
        finally:
            server.close()
            await server.wait_closed()


class _Handler:
    def __init__(self, settings: SmtpSettings, deliver: MailDelivery) -> None:
        self._settings = settings
        self._deliver = deliver

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address.lower() not in self._settings.recipients:
            return f"550 5.1.1 <{address}>: no such recipient here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        mailbox = f"smtp:{envelope.rcpt_tos[0].lower()}" if envelope.rcpt_tos else "smtp"
        event = parse_mail(raw, mailbox, self._settings.default_region,
                           self._settings.keep_attachments, self._settings.fields)
        try:
            result = await self._deliver(event)
        except StoreUnavailable:
            log.warning("SMTP mail deferred: the store is unavailable", extra={"channel": "email"})
            return "451 4.3.0 The lead store is unavailable; try again later"
        except InvalidEvent as err:
            return f"554 5.6.0 {err}"
        if result.ignored:
            return f"250 2.0.0 Accepted, recorded as {result.ignored}"
        if result.touch_id is None:  # kept in quarantine: the sender is told nothing more
            return "250 2.0.0 Accepted"
        return f"250 2.0.0 Accepted as touch {result.touch_id}"


class _Authenticator:
    def __init__(self, users: dict[str, str]) -> None:
        self._users = users

    def __call__(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                 auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password
            expected = self._users.get(login)
            if expected is not None and hmac.compare_digest(password, expected.encode()):
                return AuthResult(success=True)
        # handled=False lets aiosmtpd answer 535; handled=True would leave the client waiting.
        return AuthResult(success=False, handled=False)


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext | None:
    if not settings.tls_cert or not settings.tls_key:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(settings.tls_cert, settings.tls_key)
    return context
