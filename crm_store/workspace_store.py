"""The workspace's writes of one unit of work: browser sessions, login throttling, card notes.

Reached as `uow.workspace`, so a login, a logout and a note are written in a transaction the
caller commits, like every other write; the statements live in `accounts` and `card_extras`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store import accounts, card_extras


class SqlWorkspaceStore:
    """Session, throttle and note writes on one transaction's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def start_session(self, manager_id: int, now: datetime, lifetime: timedelta) -> str:
        """A new session for the manager; the cookie value (only its hash is stored)."""
        return await accounts.start_session(self.connection, manager_id, now, lifetime)

    async def end_session(self, token: str) -> None:
        """Log the session out, in every process at once."""
        await accounts.end_session(self.connection, token)

    async def record_failure(self, login: str, now: datetime, limit: int,
                             pause: timedelta) -> datetime | None:
        """Count a wrong password; until when the login is throttled, if it now is."""
        return await accounts.record_failure(self.connection, login, now, limit, pause)

    async def clear_failures(self, login: str) -> None:
        """A right password ends the run of wrong ones."""
        await accounts.clear_failures(self.connection, login)

    async def set_account(self, manager_id: int, now: datetime, password_hash: str | None = None,
                          is_admin: bool | None = None) -> None:
        """Change the password hash and/or the admin flag; a new password ends every session."""
        await accounts.set_account(self.connection, manager_id, now, password_hash, is_admin)

    async def add_note(self, customer_id: int, lead_id: int | None, manager_id: int | None,
                       text: str, now: datetime) -> int:
        """Keep a note on the card; its id."""
        return await card_extras.add_note(self.connection, customer_id, lead_id, manager_id,
                                          text, now)
