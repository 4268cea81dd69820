"""Workspace accounts: password hashes and the admin flag, browser sessions, login throttling.

Only hashes are stored: the password's (made by the caller with a memory-hard KDF) and the
SHA-256 of the session cookie. Everything lives in the database, so every process knows every
session and a logout or a throttle holds across processes at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.routing_tables import managers
from crm_store.workspace_tables import login_failures, manager_accounts, web_sessions


@dataclass(frozen=True, slots=True)
class Account:
    """A manager who may log in to the workspace."""

    manager_id: int
    login: str
    name: str
    is_admin: bool
    password_hash: str | None
    hours: str | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """A logged-in browser: who, and the token its forms must send back."""

    account: Account
    csrf_token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


_ACCOUNT = select(
    managers.c.id, managers.c.login, managers.c.name, manager_accounts.c.is_admin,
    manager_accounts.c.password_hash, managers.c.hours,
).select_from(managers.outerjoin(manager_accounts,
                                 manager_accounts.c.manager_id == managers.c.id))


def _account(row: Any) -> Account:
    return Account(row.id, row.login, row.name, bool(row.is_admin), row.password_hash, row.hours)


async def account_by_login(conn: AsyncConnection, login: str) -> Account | None:
    """The manager with this login, with their password hash (None when never set)."""
    row = (await conn.execute(_ACCOUNT.where(managers.c.login == login))).first()
    return _account(row) if row is not None else None


async def set_account(conn: AsyncConnection, manager_id: int, now: datetime,
                      password_hash: str | None = None, is_admin: bool | None = None) -> None:
    """Change the password hash and/or the admin flag; a new password ends every session."""
    values: dict[str, object] = {"updated_at": now}
    if password_hash is not None:
        values["password_hash"] = password_hash
    if is_admin is not None:
        values["is_admin"] = is_admin
    found = await conn.execute(update(manager_accounts)
                               .where(manager_accounts.c.manager_id == manager_id).values(values))
    if found.rowcount == 0:
        await conn.execute(insert(manager_accounts).values(
            {"manager_id": manager_id, "is_admin": False, **values}))
    if password_hash is not None:
        await conn.execute(delete(web_sessions).where(web_sessions.c.manager_id == manager_id))


async def start_session(conn: AsyncConnection, manager_id: int, now: datetime,
                        lifetime: timedelta) -> str:
    """A new session for the manager; the cookie value (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    await conn.execute(insert(web_sessions).values(
        token_hash=_digest(token), manager_id=manager_id, csrf_token=secrets.token_urlsafe(32),
        created_at=now, expires_at=now + lifetime))
    await conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))
    return token


async def session_for(conn: AsyncConnection, token: str, now: datetime) -> Session | None:
    """The live session this cookie value names, or None (unknown, logged out or expired)."""
    row = (await conn.execute(
        _ACCOUNT.add_columns(web_sessions.c.csrf_token)
        .join(web_sessions, web_sessions.c.manager_id == managers.c.id)
        .where(web_sessions.c.token_hash == _digest(token), web_sessions.c.expires_at > now)
    )).first()
    return Session(_account(row), row.csrf_token) if row is not None else None


async def end_session(conn: AsyncConnection, token: str) -> None:
    """Log the session out, in every process at once."""
    await conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == _digest(token)))


async def throttled_until(conn: AsyncConnection, login: str, now: datetime) -> datetime | None:
    """Until when logins with this name are refused, if they are now."""
    until = await conn.scalar(select(login_failures.c.throttled_until)
                              .where(login_failures.c.login == login))
    return until if until is not None and until > now else None


async def record_failure(conn: AsyncConnection, login: str, now: datetime, limit: int,
                         pause: timedelta) -> datetime | None:
    """Count a wrong password; from the `limit`-th in a row on, throttle for `pause`."""
    failures = await conn.scalar(select(login_failures.c.failures)
                                 .where(login_failures.c.login == login).with_for_update())
    count = (failures or 0) + 1
    until = now + pause if count >= limit else None
    values = {"failures": count, "last_failed_at": now, "throttled_until": until}
    if failures is None:
        await conn.execute(insert(login_failures).values(login=login, **values))
    else:
        await conn.execute(update(login_failures).where(login_failures.c.login == login)
                           .values(values))
    return until


async def clear_failures(conn: AsyncConnection, login: str) -> None:
    """A right password ends the run of wrong ones."""
    await conn.execute(delete(login_failures).where(login_failures.c.login == login))
