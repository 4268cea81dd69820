"""Importing one folder: read ahead, commit in groups, then flag and advance the cursor."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from channels.base import CursorStore
from channels.email.delivery import MailDelivery
from channels.email.imap.session import ImapSession
from channels.email.parse import parse_mail
from channels.email.settings import MailboxSettings
from leads.errors import ChannelUnavailable, StoreUnavailable
from leads.model import ContactEvent

Blocking = Callable[..., Awaitable[Any]]
FETCH_BATCH = 50


class FolderImport:
    """Imports the new mail of a folder: one FETCH, one commit group and one STORE per batch.

    While a batch commits, the next is fetched and parsed in the mailbox's thread, and the
    previous batch is flagged and its cursor saved. A batch is flagged only after it committed,
    and its cursor saved only after it was flagged; a crash in between reads it again, and the
    store keeps it once (`(channel, external_id)` is unique).
    """

    def __init__(self, settings: MailboxSettings, session: ImapSession, blocking: Blocking,
                 cursors: CursorStore, deliver: MailDelivery,
                 imported: Callable[[int], None]) -> None:
        self._settings = settings
        self._session = session
        self._blocking = blocking
        self._cursors = cursors
        self._deliver = deliver
        self._imported = imported

    async def run(self, key: str, uidvalidity: int, uids: list[int]) -> None:
        """Import `uids` (ascending) under the cursor `key`; raises on the first failed batch."""
        batches = [uids[n:n + FETCH_BATCH] for n in range(0, len(uids), FETCH_BATCH)]
        ahead: asyncio.Future[list[ContactEvent]] | None = None
        marking: asyncio.Future[None] | None = None
        try:
            for n, batch in enumerate(batches):
                events = await (ahead or self._read(batch))
                ahead = asyncio.ensure_future(self._read(batches[n + 1])) if n + 1 < len(
                    batches) else None
                done, failure = await self._commit(batch, events)
                if marking is not None:
                    await marking  # flags and cursors advance in UID order
                    marking = None
                if done:
                    marking = asyncio.ensure_future(self._acknowledge(key, uidvalidity, done))
                if failure is not None:
                    raise failure
        finally:
            if ahead is not None:
                ahead.cancel()
                await asyncio.gather(ahead, return_exceptions=True)
            if marking is not None:
                # Committed already: flag it even when the run ends (else it is read again).
                await asyncio.shield(marking)

    async def _read(self, batch: list[int]) -> list[ContactEvent]:
        result: list[ContactEvent] = await self._blocking(self._fetch_parsed, batch)
        return result

    def _fetch_parsed(self, batch: list[int]) -> list[ContactEvent]:
        """The events of a batch of UIDs, in order (blocking: one FETCH, then the pure parse)."""
        mails, s = self._session.fetch(batch), self._settings
        return [parse_mail(mails.get(uid, b""), s.name, s.default_region, s.keep_attachments,
                           s.fields) for uid in batch]

    async def _commit(self, batch: list[int],
                      events: list[ContactEvent]) -> tuple[list[int], BaseException | None]:
        """The UIDs committed (the run before the first failure) and that failure, if any."""
        # Handed over together, so the store commits the batch as one group; only the run of
        # UIDs before the first failure counts as imported (the rest is read again later).
        outcomes = await self._deliver.all(events)
        failure = next((o for o in outcomes if isinstance(o, BaseException)), None)
        if failure is None:
            return batch, None
        if isinstance(failure, StoreUnavailable):
            unavailable = ChannelUnavailable("the store is unavailable; mail stays unread")
            unavailable.__cause__ = failure
            return batch[:outcomes.index(failure)], unavailable
        return batch[:outcomes.index(failure)], failure

    async def _acknowledge(self, key: str, uidvalidity: int, done: list[int]) -> None:
        """Flag (or move) committed mail in one command, then save the cursor past it."""
        await self._blocking(self._session.mark_imported, done)
        await self._cursors.save(key, {"uidvalidity": uidvalidity, "last_uid": done[-1]})
        self._imported(len(done))
