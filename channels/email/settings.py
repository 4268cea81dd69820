"""`[[imap.mailboxes]]`, `[smtp]` and `[email]`: checked once, with messages that name the key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from channels.email.labels import FIELDS

TLS_MODES = ("ssl", "starttls", "none")
AFTER_IMPORT = ("flag", "move", "leave")


@dataclass(frozen=True)
class MailboxSettings:
    """One IMAP mailbox to watch."""

    host: str
    user: str
    password: str = field(repr=False)
    port: int = 993
    tls: str = "ssl"
    folders: tuple[str, ...] = ("INBOX",)
    after_import: str = "flag"
    processed_flag: str = "$LeadgateImported"
    move_to: str | None = None
    default_region: str | None = None
    poll_seconds: float = 60.0
    keep_attachments: bool = False
    fields: dict[str, str] = field(default_factory=dict)
    """This mailbox's own notification labels → field names (`"Kontaktinis numeris" = "phone"`)."""
    idle_seconds: float = 540.0  # renew IDLE before servers drop it (RFC 2177: 29 minutes)
    timeout: float = 30.0

    @property
    def name(self) -> str:
        """How the mailbox is named on /healthz and in cursors."""
        return f"{self.user}@{self.host}"

    @classmethod
    def from_toml(cls, entry: dict[str, Any], position: int) -> MailboxSettings:
        """Read one `[[imap.mailboxes]]` entry; ValueError names the key."""
        where = f"imap.mailboxes #{position}"
        for key in ("host", "user", "password"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise ValueError(f"{where}: {key} is required")
        tls = entry.get("tls", "ssl")
        if tls not in TLS_MODES:
            raise ValueError(f"{where}: tls must be one of {list(TLS_MODES)}")
        port = entry.get("port", 993 if tls == "ssl" else 143)
        if not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError(f"{where}: port must be a port number")
        folders = entry.get("folders", [entry.get("folder", "INBOX")])
        if not folders or not all(isinstance(f, str) and f for f in folders):
            raise ValueError(f"{where}: folders must be a list of folder names")
        after = entry.get("after_import", "flag")
        if after not in AFTER_IMPORT:
            raise ValueError(f"{where}: after_import must be one of {list(AFTER_IMPORT)}")
        if after == "move" and not entry.get("move_to"):
            raise ValueError(f"{where}: after_import = \"move\" needs move_to (a folder)")
        poll = entry.get("poll_seconds", 60)
        if not isinstance(poll, int | float) or poll <= 0:
            raise ValueError(f"{where}: poll_seconds must be a positive number")
        return cls(entry["host"], entry["user"], entry["password"], port, tls, tuple(folders),
                   after, str(entry.get("processed_flag", cls.processed_flag)),
                   entry.get("move_to"), entry.get("default_region"), float(poll),
                   bool(entry.get("keep_attachments", False)),
                   label_fields(entry.get("fields", {}), f"[{where}] fields"))


@dataclass(frozen=True)
class SmtpSettings:
    """`[smtp]`: the intake server."""

    host: str = "127.0.0.1"
    port: int = 2525
    recipients: tuple[str, ...] = ()
    max_bytes: int = 25 * 1024 * 1024
    default_region: str | None = None
    auth: dict[str, str] = field(default_factory=dict, repr=False)
    tls_cert: str | None = None
    tls_key: str | None = None
    keep_attachments: bool = False
    fields: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, section: dict[str, Any]) -> SmtpSettings:
        """Read `[smtp]`; ValueError names the key."""
        host, _, port = str(section.get("listen", "127.0.0.1:2525")).rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("[smtp] listen must be host:port, e.g. \"127.0.0.1:2525\"")
        recipients = section.get("recipients", [])
        if not recipients or not all(isinstance(r, str) and "@" in r for r in recipients):
            raise ValueError("[smtp] recipients must list the addresses mail is accepted for")
        size = section.get("max_bytes", cls.max_bytes)
        if not isinstance(size, int) or size < 1024:
            raise ValueError("[smtp] max_bytes must be a size in bytes (1024 or more)")
        users = section.get("users", {})
        if not isinstance(users, dict) or not all(isinstance(v, str) for v in users.values()):
            raise ValueError("[smtp] users must map login names to passwords")
        cert, key = section.get("tls_cert"), section.get("tls_key")
        if bool(cert) != bool(key):
            raise ValueError("[smtp] STARTTLS needs both tls_cert and tls_key")
        return cls(host, int(port), tuple(r.lower() for r in recipients), size,
                   section.get("default_region"), dict(users), cert, key,
                   bool(section.get("keep_attachments", False)),
                   label_fields(section.get("fields", {}), "[smtp] fields"))


@dataclass(frozen=True)
class LoopGuardSettings:
    """`[email] loop_max_mails` in `loop_minutes` from one sender before it is ignored."""

    max_mails: int = 20
    minutes: float = 10.0

    @classmethod
    def from_toml(cls, section: Mapping[str, Any]) -> LoopGuardSettings:
        """Read `[email] loop_max_mails` and `loop_minutes`; ValueError names a bad key."""
        mails = section.get("loop_max_mails", cls.max_mails)
        minutes = section.get("loop_minutes", cls.minutes)
        if not isinstance(mails, int) or mails < 1:
            raise ValueError("[email] loop_max_mails must be a whole number, 1 or more")
        if not isinstance(minutes, int | float) or minutes <= 0:
            raise ValueError("[email] loop_minutes must be a positive number")
        return cls(mails, float(minutes))


@dataclass(frozen=True)
class MailSettings:
    """Everything the e-mail channels read from the config: mailboxes, the SMTP server, guard."""

    mailboxes: tuple[MailboxSettings, ...] = ()
    smtp: SmtpSettings | None = None
    guard: LoopGuardSettings = field(default_factory=LoopGuardSettings)

    @classmethod
    def from_config(cls, raw: Mapping[str, Any], default_region: str | None) -> MailSettings:
        """Read `[[imap.mailboxes]]`, `[smtp]` and `[email]`; ValueError names a bad key."""
        guard = LoopGuardSettings.from_toml(raw.get("email", {}))
        mailboxes = raw.get("imap", {}).get("mailboxes", [])
        if not isinstance(mailboxes, list):
            raise ValueError("imap.mailboxes must be an array of tables ([[imap.mailboxes]])")
        boxes = []
        for position, entry in enumerate(mailboxes, start=1):
            if not isinstance(entry, dict):
                raise ValueError(f"imap.mailboxes #{position} must be a table")
            boxes.append(MailboxSettings.from_toml({"default_region": default_region} | entry,
                                                   position))
        smtp = (SmtpSettings.from_toml({"default_region": default_region} | raw["smtp"])
                if raw.get("smtp") else None)
        return cls(tuple(boxes), smtp, guard)


def label_fields(table: Any, where: str) -> dict[str, str]:
    """A `fields` table: notification label → one of our field names; ValueError otherwise."""
    if not isinstance(table, dict):
        raise ValueError(f"{where} must be a table of label = field name")
    for label, name in table.items():
        if name not in FIELDS:
            raise ValueError(f"{where}: {label!r} must map to one of {', '.join(FIELDS)}")
    return {str(label): str(name) for label, name in table.items()}
