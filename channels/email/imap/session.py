"""Blocking IMAP work for one mailbox (imapclient), run in the channel's own thread."""

from __future__ import annotations

import contextlib
import imaplib
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from channels.email.settings import MailboxSettings
from leads.errors import ChannelMisconfigured, ChannelUnavailable

NETWORK_ERRORS = (OSError, socket.timeout, ssl.SSLError, imaplib.IMAP4.abort, IMAPClientError)
# Seconds per idle_check: a stop is noticed within one slice, and stopping (a restart, a test)
# waits for it; a wake-up that finds nothing costs a poll() and nothing on the server.
_IDLE_SLICE = 0.1


@dataclass(frozen=True)
class FolderState:
    """A selected folder: its UIDVALIDITY and the UIDs above the last one imported."""

    uidvalidity: int
    new_uids: list[int]


class ImapSession:
    """One logged-in connection; every method blocks (call it from the mailbox's thread)."""

    def __init__(self, settings: MailboxSettings) -> None:
        self._settings = settings
        self._client: IMAPClient | None = None

    def open(self) -> None:
        """Connect and log in; ChannelMisconfigured for refused credentials."""
        s = self._settings
        try:
            client = IMAPClient(s.host, port=s.port, ssl=s.tls == "ssl", timeout=s.timeout)
            if s.tls == "starttls":
                client.starttls()
            client.login(s.user, s.password)
        except LoginError as err:
            raise ChannelMisconfigured(f"IMAP server refused the login of {s.user}") from err
        except NETWORK_ERRORS as err:
            raise ChannelUnavailable(f"IMAP {s.host}:{s.port}: {type(err).__name__}") from err
        self._client = client

    @property
    def client(self) -> IMAPClient:
        """The logged-in client."""
        if self._client is None:
            raise ChannelUnavailable("IMAP session is not open")
        return self._client

    def can_idle(self) -> bool:
        """Whether the server offers IDLE."""
        return b"IDLE" in self.client.capabilities()

    def select(self, folder: str, last_uid: int) -> FolderState:
        """Select `folder`; its UIDVALIDITY and the UIDs greater than `last_uid`, ascending."""
        info = self.client.select_folder(folder)
        uids = self.client.search(["UID", f"{last_uid + 1}:*"])
        # `UID n:*` always answers the highest UID, even when it is below n.
        return FolderState(int(info[b"UIDVALIDITY"]), sorted(u for u in uids if u > last_uid))

    def fetch(self, uids: Sequence[int]) -> dict[int, bytes]:
        """The raw mails, without setting \\Seen."""
        answer = self.client.fetch(list(uids), ["BODY.PEEK[]"])
        return {uid: data.get(b"BODY[]", b"") for uid, data in answer.items()}

    def mark_imported(self, uids: Sequence[int]) -> None:
        """Flag, move or leave the imported mails, as configured."""
        s = self._settings
        if not uids or s.after_import == "leave":
            return
        if s.after_import == "flag":
            # Silent: the server sends no FETCH line per mail back, which we would only parse.
            self.client.add_flags(list(uids), [s.processed_flag.encode()], silent=True)
            return
        assert s.move_to is not None
        if b"MOVE" in self.client.capabilities():
            self.client.move(list(uids), s.move_to)
        else:
            self.client.copy(list(uids), s.move_to)
            self.client.delete_messages(list(uids))
            self.client.uid_expunge(list(uids))

    def wait_for_mail(self, seconds: float, stop: threading.Event) -> None:
        """IDLE until the server reports a change, `seconds` pass, or `stop` is set."""
        client = self.client
        client.idle()
        try:
            deadline = time.monotonic() + seconds
            while not stop.is_set() and time.monotonic() < deadline:
                if client.idle_check(timeout=_IDLE_SLICE):
                    return
        finally:
            client.idle_done()

    def close(self) -> None:
        """Log out, ignoring a connection that is already gone."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except Exception:  # a dead socket may fail in any way while closing
            with contextlib.suppress(Exception):
                client.shutdown()
