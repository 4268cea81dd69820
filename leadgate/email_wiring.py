"""The e-mail channels the configuration enables: `[[imap.mailboxes]]` and `[smtp]`."""

from __future__ import annotations

from typing import Any

from channels.base import Channel, CursorStore, HealthReporter
from channels.email.settings import LoopGuardSettings, MailboxSettings, SmtpSettings


def email_channels(raw: dict[str, Any], cursors: CursorStore, default_region: str | None,
                   health: HealthReporter | None = None) -> list[Channel]:
    """One channel per IMAP mailbox, and the SMTP server; ValueError names a bad key.

    The adapters (imapclient, aiosmtpd) are imported only when configured.
    """
    guard = _guard(raw.get("email", {}))
    channels: list[Channel] = []
    mailboxes = raw.get("imap", {}).get("mailboxes", [])
    if not isinstance(mailboxes, list):
        raise ValueError("imap.mailboxes must be an array of tables ([[imap.mailboxes]])")
    for position, entry in enumerate(mailboxes, start=1):
        if not isinstance(entry, dict):
            raise ValueError(f"imap.mailboxes #{position} must be a table")
        settings = MailboxSettings.from_toml({"default_region": default_region} | entry,
                                             position)
        from channels.email.imap.adapter import ImapChannel

        channels.append(ImapChannel(settings, cursors, guard, health))
    if raw.get("smtp"):
        smtp = SmtpSettings.from_toml({"default_region": default_region} | raw["smtp"])
        from channels.email.smtp.adapter import SmtpIntake

        channels.append(SmtpIntake(smtp, guard, health))
    return channels


def _guard(section: dict[str, Any]) -> LoopGuardSettings:
    mails = section.get("loop_max_mails", LoopGuardSettings.max_mails)
    minutes = section.get("loop_minutes", LoopGuardSettings.minutes)
    if not isinstance(mails, int) or mails < 1:
        raise ValueError("[email] loop_max_mails must be a whole number, 1 or more")
    if not isinstance(minutes, int | float) or minutes <= 0:
        raise ValueError("[email] loop_minutes must be a positive number")
    return LoopGuardSettings(mails, float(minutes))
