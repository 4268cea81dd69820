"""Pure translation of a form submission (bytes + headers) into a ContactEvent."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl

from channels.webforms.settings import FormSettings
from leads.errors import Malformed, Refused
from leads.model import ContactEvent, RawIdentity

NAME_FIELDS = ("name", "full_name", "fullname", "fio", "your-name", "your_name", "contact_name")
PHONE_FIELDS = ("phone", "tel", "telephone", "phone_number", "phonenumber", "mobile", "your-phone")
EMAIL_FIELDS = ("email", "e-mail", "mail", "your-email", "email_address")
MESSAGE_FIELDS = ("message", "comment", "comments", "text", "question", "your-message", "msg")
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
PAGE_FIELDS = ("page_url", "page", "url", "pageurl")
ELEMENTOR_FIELD = re.compile(r"^fields\[([^\]]+)\]\[(value|type|title)\]$")
ELEMENTOR_META = re.compile(r"^meta\[([^\]]+)\]\[value\]$")
MAX_FIELDS = 200
MAX_VALUE = 10_000


@dataclass(frozen=True, slots=True)
class Submission:
    """A decoded submission: what the visitor sent, with the request's context."""

    fields: Mapping[str, str]
    body: bytes
    referrer: str | None = None
    origin: str | None = None
    idempotency_key: str | None = None
    client_ip: str | None = None


def decode_body(content_type_header: str, body: bytes) -> dict[str, str]:
    """Decode a JSON, urlencoded or multipart body into flat string fields."""
    content_type = content_type_header.split(";", 1)[0].strip().lower()
    if content_type == "multipart/form-data":
        try:
            return _decode_multipart(content_type_header, body)
        except (UnicodeError, ValueError, LookupError) as err:
            # The stdlib MIME parser has its own view of odd boundaries and charsets.
            raise Malformed("the multipart body cannot be read") from err
    if content_type == "application/json":
        return _decode_json(body)
    if content_type == "application/x-www-form-urlencoded":
        text = _utf8(body)
        # A percent-escape that is not UTF-8 is a mangled character, not a reason to lose the
        # contact: it becomes U+FFFD.
        pairs = parse_qsl(text, keep_blank_values=True, errors="replace")
        return _limit(pairs)
    raise Refused(
        415,
        "unsupported_media_type",
        "send application/json, application/x-www-form-urlencoded or multipart/form-data",
    )


def _decode_multipart(content_type_header: str, body: bytes) -> dict[str, str]:
    if "boundary=" not in content_type_header:
        raise Malformed("multipart/form-data without a boundary")
    head = f"Content-Type: {content_type_header}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not message.is_multipart() or message.defects:
        raise Malformed("the multipart body is malformed")
    pairs: list[tuple[str, str]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        filename = part.get_filename()
        payload = part.get_payload(decode=True)
        if filename:  # files are listed, never stored
            pairs.append((f"file:{name}", filename))
        elif isinstance(payload, bytes):
            pairs.append((name, _utf8(payload)))
    return _limit(pairs)


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise Malformed(f"the body is not valid UTF-8 (byte {err.start})") from err


def _decode_json(body: bytes) -> dict[str, str]:
    try:
        value = json.loads(_utf8(body))
    except json.JSONDecodeError as err:
        raise Malformed(f"the body is not valid JSON: {err.msg}") from err
    except RecursionError as err:
        raise Malformed("the JSON body is nested too deeply") from err
    if not isinstance(value, dict):
        raise Malformed("the JSON body must be an object of form fields")
    pairs: list[tuple[str, str]] = []
    _flatten("", value, pairs)
    return _limit(pairs)


def _flatten(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    if len(out) > MAX_FIELDS:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}[{key}]" if prefix else str(key), item, out)
    elif isinstance(value, list):
        for item in value:
            _flatten(prefix, item, out)
    elif value is not None:
        out.append((prefix, value if isinstance(value, str) else json.dumps(value)))


def _limit(pairs: list[tuple[str, str]]) -> dict[str, str]:
    if len(pairs) > MAX_FIELDS:
        raise Malformed(f"more than {MAX_FIELDS} fields")
    fields: dict[str, str] = {}
    for key, value in pairs:
        if len(value) > MAX_VALUE:
            raise Malformed(f"field {key[:40]!r} is longer than {MAX_VALUE}")
        fields.setdefault(key, value)
    return fields


def is_test_ping(fields: Mapping[str, str]) -> bool:
    """Tilda checks a new webhook with a single `test=test` field: answer 200, store nothing."""
    return fields.get("test") == "test" and len(fields) == 1


def is_spam(fields: Mapping[str, str], form: FormSettings) -> bool:
    """A filled honeypot field (invisible to people) means a bot filled the form."""
    return bool(fields.get(form.honeypot_field, "").strip())


def canonical_fields(fields: Mapping[str, str]) -> dict[str, str]:
    """Fold site-builder field names (Tilda, Elementor, CF7 …) onto lower-case canonical ones."""
    folded: dict[str, str] = {}
    for key, value in fields.items():
        folded.setdefault(key.strip().lower(), value)
    for key, value in fields.items():
        meta = ELEMENTOR_META.match(key)
        if meta:
            folded.setdefault(meta.group(1).lower(), value)
        match = ELEMENTOR_FIELD.match(key)
        if match and match.group(2) == "value":
            field_id = match.group(1).lower()
            kind = fields.get(f"fields[{match.group(1)}][type]", "").lower()
            folded.setdefault({"tel": "phone", "email": "email"}.get(kind, field_id), value)
    return folded


def _first(filled: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if name in filled:
            return filled[name]
    return None


def to_event(
    submission: Submission, form: FormSettings, received_at: datetime, region: str | None
) -> ContactEvent:
    """The ContactEvent for an accepted submission (identities are normalized by intake)."""
    fields = canonical_fields(submission.fields)
    # Each known name is looked up below: strip every value once, keep the ones left non-empty.
    filled = {key: text for key, value in fields.items() if (text := value.strip())}
    identities = [RawIdentity("phone", v) for v in _all(filled, PHONE_FIELDS)]
    identities += [RawIdentity("email", v) for v in _all(filled, EMAIL_FIELDS)]
    attribution = {"form": form.key, "form_name": form.name}
    attribution |= {key: filled[key] for key in UTM_FIELDS if key in filled}
    page = _first(filled, PAGE_FIELDS)
    referrer = _first(filled, ("referrer", "referer")) or submission.referrer
    for key, value in (
        ("page_url", page),
        ("referrer", referrer),
        ("form_id", fields.get("formid")),
    ):
        if value:
            attribution[key] = value[:2000]
    return ContactEvent(
        channel="webform",
        external_id=f"{form.key}:{_submission_id(submission, filled)}",
        occurred_at=received_at,
        identities=tuple(identities),
        name=_name(filled),
        text=_first(filled, MESSAGE_FIELDS),
        attribution=attribution,
        details={"fields": dict(submission.fields)}
        | ({"client_ip": submission.client_ip} if submission.client_ip else {}),
        raw_ref=f"webform:{form.key}",
        raw=submission.body,
        region=form.default_region or region,
    )


def _all(filled: Mapping[str, str], names: tuple[str, ...]) -> list[str]:
    return [filled[name] for name in names if name in filled]


def _name(filled: Mapping[str, str]) -> str | None:
    name = _first(filled, NAME_FIELDS)
    if name:
        return name
    parts = [filled.get(k, "") for k in ("first_name", "last_name")]
    return " ".join(p for p in parts if p) or None


def _submission_id(submission: Submission, filled: Mapping[str, str]) -> str:
    # A repeated submission is recognised only by an id its sender gives; without one every
    # post is a new touch (a person may well send the same form twice on purpose).
    given = submission.idempotency_key or _first(
        filled, ("tranid", "submission_id", "idempotency_key")
    )
    return given[:200] if given else _random_uuid_hex()


def _random_uuid_hex() -> str:
    """What `uuid.uuid4().hex` gives, at a quarter of its cost (it is taken on every post)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122 variant
    return raw.hex()
