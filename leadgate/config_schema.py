"""Every key the TOML config may hold: an unknown key is an error naming the closest known one.

Each section's own parser checks values; this only catches what no parser would ever read
(a typo such as `nam =` would otherwise be accepted silently). A key added to a parser is
added here too.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

ANY = "*"
"""A table whose sub-tables are named freely (`[forms.<key>]`): each follows the schema under it."""
FREE = frozenset({ANY})
"""A table whose keys are free (`[asterisk.did.<number>]` attribution, a rule's `match`)."""
Schema = Mapping[str, Any]

_SILENCE = {"silent_after_minutes"}
_FORM = {"name", "default_region", "allowed_origins", "thank_you_url", "success_status",
         "honeypot_field", "min_fill_seconds", "ack"}
_BOT = {"token", "mode", "secret", "api_base", "default_region", "greeting", "share_button",
        "thanks", "poll_timeout", "ack_template", *_SILENCE}
_SMS_PROVIDER = {"auth_token", "signature_secret", "secret", "token", "signature_method",
                 "default_region", "account_sid", "auth_id", "api_key", "api_secret", "api_base",
                 "base_url", "from"}
_MAILBOX = {"host", "port", "tls", "user", "password", "folder", "folders", "after_import",
            "move_to", "processed_flag", "default_region", "poll_seconds", "keep_attachments",
            "ack", *_SILENCE}
_LABELS = {"fields": FREE}  # a mailbox's own notification labels → field names
_SMTP = {"listen", "recipients", "max_bytes", "users", "tls_cert", "tls_key", "default_region",
         "keep_attachments", "ack", *_SILENCE}
_ASTERISK = {"host", "port", "username", "secret", "trunk_contexts", "internal_contexts",
             "extension_pattern", "own_numbers", "default_region", "originate_channel",
             "originate_context", "ping_interval", "action_timeout", "stale_call_seconds",
             "originate_timeout", "max_open_calls", "cdr_timezone", "cdr_wait_seconds",
             "spool_file", "recordings_dir", "recordings_url", *_SILENCE}
_META = {"app_secret", "verify_token", "access_token", "api_base", "api_version",
         "default_region"}
_CRM = {"title", "requests_per_second", "max_attempts", "backoff_seconds", "timeout_seconds"}
_MANAGER = {"name", "email", "telegram_chat_id", "extension", "capacity", "hours", "languages",
            "regions", "available", "teams"}

SCHEMA: Schema = {
    **dict.fromkeys(("database_url", "amqp_url", "http_host", "http_port", "default_region",
                     "repeat_window_days", "callback_minutes", "callback_grace_minutes",
                     "public_url", "timezone", "own_numbers", "staff_emails")),
    "forms": {ANY: dict.fromkeys(_FORM)},
    "webforms": dict.fromkeys({"max_body_bytes", "rate_limit_per_minute", "rate_limit_burst",
                               "trust_forwarded_for", "stamp_secret", *_SILENCE}),
    "telegram": {"bots": {ANY: dict.fromkeys(_BOT)}},
    "sms": {
        **{name: dict.fromkeys(_SMS_PROVIDER)
           for name in ("twilio", "vonage", "plivo", "infobip", "generic")},
        "outbound": dict.fromkeys({"url", "token", "from", "timeout_seconds"}),
        **dict.fromkeys({"ack_template", "max_body_bytes", *_SILENCE}),
    },
    "imap": {"mailboxes": [{**dict.fromkeys(_MAILBOX), **_LABELS}]},
    "smtp": {**dict.fromkeys(_SMTP), **_LABELS},
    "email": {**dict.fromkeys({"loop_max_mails", "loop_minutes"}),
              "outgoing": dict.fromkeys({"host", "port", "starttls", "user", "password",
                                         "from"})},
    "asterisk": {**dict.fromkeys(_ASTERISK), "did": {ANY: FREE}},
    "teams": {ANY: dict.fromkeys({"accept_minutes", "members", "lead", "contact_minutes",
                                  "callback_grace_minutes"})},
    "managers": {ANY: dict.fromkeys(_MANAGER)},
    "routing": {**dict.fromkeys({"default_team", "sla_tick_seconds"}),
                "rules": [{"match": FREE, "team": None}]},
    "notify": {
        "telegram": dict.fromkeys({"token", "mode", "secret", "api_base", "poll_timeout"}),
        "email": dict.fromkeys({"host", "port", "starttls", "user", "password", "from"}),
    },
    "alerts": dict.fromkeys({"managers", "hours"}),
    "journal": dict.fromkeys({"keep_days", "keep_rows", "max_body_bytes"}),
    # Named by the design for capabilities being built; their parsers check the values.
    "whatsapp": {ANY: dict.fromkeys({*_META, "phone_number_id"})},
    "instagram": {ANY: dict.fromkeys(_META)},
    "webhooks": [dict.fromkeys({"url", "secret", "events", "name", "max_attempts",
                                "backoff_seconds", "max_backoff_seconds", "timeout_seconds"})],
    "crm": {"bitrix24": {**dict.fromkeys({"webhook_url", "entity", *_CRM}), "fields": FREE},
            "amocrm": {**dict.fromkeys({"base_url", "access_token", *_CRM}), "fields": FREE}},
    "amqp": dict.fromkeys({"queue_type"}),
}


def unknown_key(raw: Mapping[str, Any], schema: Schema = SCHEMA) -> str | None:
    """The first key of `raw` the schema does not know, as a message; None when all are known."""
    return _walk(raw, schema, "")


def _walk(table: Mapping[str, Any], schema: Any, where: str) -> str | None:
    if schema is FREE or not isinstance(table, Mapping):
        return None  # a value of the wrong type is the section parser's to report
    for key, value in table.items():
        path = f"{where}.{key}" if where else key
        if key in schema:
            sub = schema[key]
        elif ANY in schema:
            sub = schema[ANY]
        else:
            return _message(path, key, schema)
        found = _below(value, sub, path)
        if found:
            return found
    return None


def _below(value: Any, schema: Any, path: str) -> str | None:
    if isinstance(schema, list) and isinstance(value, list):
        for position, entry in enumerate(value, start=1):
            found = _walk(entry, schema[0], f"{path}[{position}]")
            if found:
                return found
        return None
    if isinstance(schema, Mapping) or schema is FREE:
        return _walk(value, schema, path)
    return None


def _message(path: str, key: str, schema: Schema) -> str:
    known = sorted(k for k in schema if k != ANY)
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known keys here: {', '.join(known)}"
    return f"unknown config key {path!r}{hint}"
