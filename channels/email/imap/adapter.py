"""One IMAP mailbox as a channel: import new mail, mark it only after commit, IDLE or poll."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from channels.base import CursorStore, HealthReporter, Sink
from channels.email.delivery import MailDelivery
from channels.email.imap.folder import FolderImport
from channels.email.imap.session import NETWORK_ERRORS, ImapSession
from channels.email.loop_guard import RecentMarks
from channels.email.settings import LoopGuardSettings, MailboxSettings
from leads.errors import ChannelUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")


class ImapChannel:
    """Watches the folders of one mailbox until cancelled (run it under the supervisor)."""

    def __init__(self, settings: MailboxSettings, cursors: CursorStore,
                 guard: LoopGuardSettings | None = None,
                 health: HealthReporter | None = None, marks: RecentMarks | None = None
                 ) -> None:
        self.settings = settings
        self._marks = marks
        self.name = f"imap:{settings.name}"
        self._health = health
        self._cursors = cursors
        self._guard = guard
        self.imported = 0

    async def run(self, sink: Sink) -> None:
        """Import what is new, then wait for more; raises ChannelUnavailable/Misconfigured."""
        deliver = MailDelivery(sink, self._guard, self._marks)
        stop = threading.Event()
        pool = ThreadPoolExecutor(1, thread_name_prefix=self.name)
        session = ImapSession(self.settings)
        try:
            await self._blocking(pool, session.open)
            idle = await self._blocking(pool, session.can_idle) and len(
                self.settings.folders) == 1
            while True:
                for folder in self.settings.folders:
                    await self._import_folder(pool, session, folder, deliver)
                if idle:
                    self._report("idle on IDLE")
                    await self._blocking(pool, session.wait_for_mail,
                                         self.settings.idle_seconds, stop)
                else:
                    self._report(f"polling every {self.settings.poll_seconds:g} s")
                    await asyncio.sleep(self.settings.poll_seconds)
        finally:
            stop.set()  # ends an IDLE within a slice; logout then runs after it in the thread
            await asyncio.shield(asyncio.get_running_loop().run_in_executor(pool, session.close))
            pool.shutdown(wait=False)

    async def _import_folder(self, pool: ThreadPoolExecutor, session: ImapSession, folder: str,
                             deliver: MailDelivery) -> None:
        key = f"imap:{self.settings.name}:{folder}"
        cursor = await self._cursors.load(key) or {}
        last_uid = int(cursor.get("last_uid", 0))
        state = await self._blocking(pool, session.select, folder, last_uid)
        if cursor and cursor.get("uidvalidity") != state.uidvalidity:
            # Old UIDs mean nothing now: read the folder again; Message-IDs keep it single.
            log.warning("%s: UIDVALIDITY of %s changed; rescanning", self.name, folder)
            state = await self._blocking(pool, session.select, folder, 0)
        await FolderImport(self.settings, session, partial(self._blocking, pool), self._cursors,
                           deliver, self._count).run(key, state.uidvalidity, state.new_uids)

    def _count(self, imported: int) -> None:
        self.imported += imported

    def _report(self, detail: str) -> None:
        if self._health is not None:
            self._health.report(self.name, "ok", detail)

    async def _blocking(self, pool: ThreadPoolExecutor, call: Callable[..., T],
                        *args: Any) -> T:
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, call, *args)
        except NETWORK_ERRORS as err:
            raise ChannelUnavailable(f"IMAP {self.settings.host}: {type(err).__name__}") from err
