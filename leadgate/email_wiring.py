"""The e-mail channels the configuration enables: `[[imap.mailboxes]]` and `[smtp]`."""

from __future__ import annotations

from typing import Any

from channels.base import Channel, CursorStore, HealthReporter
from channels.email.settings import MailSettings


def email_channels(raw: dict[str, Any], cursors: CursorStore, default_region: str | None,
                   health: HealthReporter | None = None) -> list[Channel]:
    """One channel per IMAP mailbox, and the SMTP server; ValueError names a bad key.

    The adapters (imapclient, aiosmtpd) are imported only when configured.
    """
    mail = MailSettings.from_config(raw, default_region)
    channels: list[Channel] = []
    if mail.mailboxes:
        from channels.email.imap.adapter import ImapChannel

        channels += [ImapChannel(box, cursors, mail.guard, health) for box in mail.mailboxes]
    if mail.smtp is not None:
        from channels.email.smtp.adapter import SmtpIntake

        channels.append(SmtpIntake(mail.smtp, mail.guard, health))
    return channels
