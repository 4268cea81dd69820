"""Mail that is no lead: bounces, auto-replies, out-of-office and mailing lists, with the reason."""

from __future__ import annotations

import re
from email.message import Message

from channels.email.headers import PartHeaders

_DAEMONS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)
_OUT_OF_OFFICE = re.compile(
    r"^(auto(matic)? ?reply|out of (the )?office|автоответ|автоматический ответ|"
    r"вне офиса|в отпуске|avtomatik javob|automatinis atsakymas)", re.IGNORECASE)


def why_not_a_lead(mail: Message | PartHeaders, sender: str | None) -> str | None:
    """The reason this mail is no lead (`bounce`, `auto_reply`, `mailing_list`), or None."""
    message = mail if isinstance(mail, PartHeaders) else PartHeaders(mail)
    if _is_bounce(message, sender):
        return "bounce"
    if _is_auto_reply(message):
        return "auto_reply"
    if message.get("List-Id") or message.get("List-Unsubscribe") or _precedence(message) in (
        "bulk", "list", "junk"
    ):
        return "mailing_list"
    return None


def _is_bounce(message: PartHeaders, sender: str | None) -> bool:
    if message.content_type() == "multipart/report":
        return True
    return_path = str(message.get("Return-Path", "")).strip()
    if return_path in ("<>", "") and message.get("Return-Path") is not None:
        return True
    return bool(sender and _DAEMONS.match(sender))


def _is_auto_reply(message: PartHeaders) -> bool:
    submitted = str(message.get("Auto-Submitted", "no")).strip().lower()
    if submitted and submitted != "no":
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return True
    if _precedence(message) == "auto_reply":
        return True
    return bool(_OUT_OF_OFFICE.match(str(message.get("Subject", "")).strip()))


def _precedence(message: PartHeaders) -> str:
    return str(message.get("Precedence", "")).strip().lower()
