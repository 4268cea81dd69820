"""Mail → ContactEvent, pure: sender, site-form fields, text, phones, attachments, threads."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from typing import Any

import phonenumbers

from channels.email.addresses import address_pair, address_pairs
from channels.email.classify import why_not_a_lead
from channels.email.forwarded import forwarded_original
from channels.email.headers import PartHeaders, shared_reader
from channels.email.labels import site_form_fields
from channels.email.mime import parse_message
from channels.email.text import (
    Read,
    body_part,
    decode_header_value,
    is_attachment,
    signature_of,
    summary_of,
    text_of,
)
from leads.model import ContactEvent, RawIdentity

_MESSAGE_ID = re.compile(r"<([^<>\s]{1,500})>")
_NO_REPLY = re.compile(
    r"^(no-?reply|do-?not-?reply|mailer|notifications?|forms?|wordpress|wp)@", re.I
)
_TWO_DIGITS = re.compile(r"\d\D*\d")
_TEXT_LIMIT = 100_000
_SUMMARY_LIMIT = 2_000


def parse_mail(
    raw: bytes, mailbox: str, region: str | None = None, keep_attachments: bool = False,
    labels: Mapping[str, str] | None = None,
) -> ContactEvent:
    """The contact event of one raw mail; never raises on malformed input.

    The raw mail is kept on the touch; attachments in it only with `keep_attachments`.
    `labels` are the mailbox's own notification labels (`Kontaktinis numeris` → phone).
    """
    try:
        return _parse_mail(raw, mailbox, region, keep_attachments, labels)
    except RecursionError:
        # The stdlib parser recurses once per MIME level: a mail nested thousands deep is
        # hostile, kept as an ignored mail so that it is neither retried nor lost silently.
        return _too_deep(raw, mailbox)


def _too_deep(raw: bytes, mailbox: str) -> ContactEvent:
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    return ContactEvent(
        channel="email", external_id=message_id(headers, raw), occurred_at=_date(headers),
        attribution={"mailbox": mailbox}, raw=raw[:1_000_000],
        ignored="malformed: the MIME structure is nested too deeply",
    )


def _parse_mail(
    raw: bytes, mailbox: str, region: str | None, keep_attachments: bool,
    labels: Mapping[str, str] | None,
) -> ContactEvent:
    # compat32: headers stay as written and are decoded only where needed, which costs a
    # twentieth of the modern policy's eager header parsing (the import is parse-bound).
    message = parse_message(raw)
    # Each part's headers are indexed once and shared by every step below; nothing changes
    # them until `without_attachments`, which only adds a header that no step reads.
    read = shared_reader()
    headers = read(message)
    subject = _safe(lambda: decode_header_value(str(headers.get("Subject", ""))), "")[:998]
    from_pair = _pair(headers, "From")  # read once: sender, identities and details all need it
    sender_name, sender = _sender(headers, from_pair)
    body = _safe(lambda: body_part(message, read), None)
    text = _safe(lambda: text_of(body, read), "")[:_TEXT_LIMIT]
    forward = forwarded_original(subject, text)
    if forward is not None:
        sender_name, sender, text = forward.name, forward.address, forward.text
    summary = summary_of(text)[:_SUMMARY_LIMIT]
    form = site_form_fields(text, labels)
    is_form = len(form.keys() & {"name", "email", "phone"}) >= 2
    identities = _identities(form if is_form else None, sender, from_pair[1])
    if not is_form:
        written = summary + "\n" + signature_of(text)
        identities += [RawIdentity("phone", p) for p in phones_in(written, region)]
    details = _details(message, read, body, summary, is_form, sender, from_pair[1])
    if forward is not None:
        details["forwarded_by"] = from_pair[1]
    return ContactEvent(
        channel="email",
        external_id=message_id(headers, raw),
        occurred_at=_date(headers),
        identities=tuple(dict.fromkeys(identities)),
        name=form.get("name") if is_form else (sender_name or None),
        subject=subject or None,
        text=(form.get("message") if is_form else None) or text or None,
        attribution={"mailbox": mailbox, **{k: v for k, v in form.items() if k.startswith(
            "utm_") or k in ("page_url", "form")}},
        details=details,
        raw=raw if keep_attachments else without_attachments(message, body, raw, read),
        region=region,
        replies_to=thread_of(headers),
        ignored=why_not_a_lead(headers, sender) or (None if identities else "no_contact"),
    )


def _identities(
    form: dict[str, str] | None, sender: str | None, from_address: str
) -> list[RawIdentity]:
    """The visitor of a site notification, else the sender (robots' addresses left out)."""
    person = sender if sender and not _NO_REPLY.match(sender) else None
    if form is None:
        return [RawIdentity("email", person)] if person else []
    found = [RawIdentity("email", form["email"])] if "email" in form else []
    found += [RawIdentity("phone", form["phone"])] if "phone" in form else []
    if person and person != from_address:
        found.append(RawIdentity("email", person))
    return found


def message_id(message: Message | PartHeaders, raw: bytes) -> str:
    """The Message-ID without brackets; a stable hash of the mail when it has none."""
    found = _MESSAGE_ID.search(_safe(lambda: str(message.get("Message-ID", "")), ""))
    if found:
        return found.group(1)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def thread_of(message: Message | PartHeaders) -> tuple[str, ...]:
    """The Message-IDs this mail answers, nearest first (In-Reply-To, then References)."""
    ids: list[str] = []
    for header in ("In-Reply-To", "References"):
        value = _safe(lambda h=header: str(message.get(h, "") or ""), "")
        found = _MESSAGE_ID.findall(value)
        ids += found if header == "In-Reply-To" else list(reversed(found))
    return tuple(dict.fromkeys(ids))[:50]


def phones_in(text: str, region: str | None) -> list[str]:
    """Phone numbers written in the text, in E.164."""
    text = text[:20_000]
    # phonenumbers takes no number of fewer than two digits (`_MIN_LENGTH_FOR_NSN`, the same
    # `\d`), so a text without two has none and the costly matcher need not look.
    if not _TWO_DIGITS.search(text):
        return []
    found = []
    for match in phonenumbers.PhoneNumberMatcher(text, region or "ZZ"):
        found.append(phonenumbers.format_number(match.number,
                                                phonenumbers.PhoneNumberFormat.E164))
    return list(dict.fromkeys(found))[:10]


def attachments_of(message: Message, body: Message | None,
                   read: Read = PartHeaders) -> list[dict[str, Any]]:
    """Name, type and size of each attachment (`body` is the part holding the text)."""
    listed = []
    for part in _attachments(message, body, read):
        payload = _safe(lambda p=part: p.get_payload(decode=True), b"")
        name = _safe(lambda p=part: read(p).filename(), None)
        listed.append({"name": decode_header_value(str(name)) if name else None,
                       "type": read(part).content_type(),
                       "size": len(payload) if isinstance(payload, bytes) else 0})
    return listed[:100]


def without_attachments(message: Message, body: Message | None, raw: bytes,
                        read: Read = PartHeaders) -> bytes:
    """The raw mail with every attachment's content left out (its headers say what it was)."""
    attachments = _attachments(message, body, read)
    if not attachments:
        return raw
    for part in attachments:
        size = len(_safe(lambda p=part: p.get_payload(decode=True), b"") or b"")
        _safe(lambda p=part: p.set_payload(""), None)
        part["X-Leadgate-Removed"] = f"attachment of {size} bytes not kept"
    kept = _safe(lambda: message.as_bytes(), None)
    return kept if isinstance(kept, bytes) else raw.split(b"\r\n\r\n", 1)[0][:100_000]


def _attachments(message: Message, body: Message | None, read: Read) -> list[Message]:
    return [part for part in _safe(lambda: list(message.walk()), [])
            if not part.is_multipart() and part is not body
            and (is_attachment(part, read) or read(part).maintype() not in ("text", "message"))]


def _sender(message: PartHeaders, from_pair: tuple[str, str]) -> tuple[str, str | None]:
    for name, address in (_pair(message, "Reply-To"), from_pair):
        if address and "@" in address:
            return _safe(lambda n=name: decode_header_value(n), name).strip(), address.strip()
    return "", None


def _pair(message: PartHeaders, header: str) -> tuple[str, str]:
    """The name and address of an address header ("" for what is missing or unreadable)."""
    return _safe(lambda: address_pair(str(message.get(header, "") or "")), ("", ""))


def _details(message: Message, read: Read, body: Message | None, summary: str, is_form: bool,
             sender: str | None, from_address: str) -> dict[str, Any]:
    details: dict[str, Any] = {"summary": summary, "from": from_address,
                               "to": [a for _, a in _safe(lambda: address_pairs(
                                   message.get_all("To", []) or []), [])][:20]}
    if sender:
        details["reply_to"] = sender
    if is_form:
        details["site_notification"] = True
    attachments = attachments_of(message, body, read) if message.is_multipart() else []
    if attachments:
        details["attachments"] = attachments
    return details


def _date(message: Message | PartHeaders) -> datetime:
    try:
        moment = parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _safe(produce: Any, fallback: Any) -> Any:
    """Header and part accessors of a malformed mail may raise almost anything: fall back."""
    try:
        return produce()
    except Exception:  # the stdlib's defect handling is not exhaustive
        return fallback
