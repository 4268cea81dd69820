"""API bearer tokens: only their SHA-256 is stored; listed without it, revoked at once.

Every request looks its token up (one indexed read), so a revoked token is refused by every
process from the next request on. When it was last used is written at most once a minute per
token and process, so a busy integration does not turn each read into a write.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.routing_tables import managers
from crm_store.tables import api_tokens
from crm_store.uow import SqlUnitOfWork
from leads.model import utcnow

ROLES = ("admin", "manager", "dialplan")
"""admin: everything; manager: their own leads and cards; dialplan: only the owner look-up."""
_LAST_USED_EVERY = 60.0


@dataclass(frozen=True, slots=True)
class Principal:
    """Who an API call is made by."""

    role: str
    manager_id: int | None = None
    token_id: int | None = None

    @property
    def is_admin(self) -> bool:
        """Admins see everything; managers see their own leads."""
        return self.role == "admin"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def create_token(engine: AsyncEngine, role: str, manager_login: str | None = None) -> str:
    """Create a token for `role` (a manager token needs the manager's login); return it once."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "manager" and not manager_login:
        raise ValueError("a manager token needs --manager LOGIN")
    token = "lg_" + secrets.token_urlsafe(32)
    async with SqlUnitOfWork(engine) as uow:
        manager_id = None
        if manager_login:
            manager_id = await uow.staff.manager_id(manager_login)
            if manager_id is None:
                raise ValueError(f"no manager with login {manager_login!r}")
        await uow.connection.execute(
            insert(api_tokens).values(
                token_hash=_digest(token), role=role, manager_id=manager_id, created_at=utcnow()
            )
        )
        await uow.commit()
    return token


_AUTHENTICATE = select(api_tokens.c.id, api_tokens.c.role, api_tokens.c.manager_id).where(
    api_tokens.c.token_hash == bindparam("token_hash"), api_tokens.c.revoked.is_(False)
)
_last_written: dict[str, float] = {}


async def authenticate(engine: AsyncEngine, token: str) -> Principal | None:
    """The principal of a valid, unrevoked token, or None."""
    digest = _digest(token)
    async with engine.connect() as conn:
        row = (await conn.execute(_AUTHENTICATE, {"token_hash": digest})).first()
    if row is None:
        return None
    if time.monotonic() - _last_written.get(digest, -_LAST_USED_EVERY) >= _LAST_USED_EVERY:
        if len(_last_written) > 10_000:
            _last_written.clear()
        _last_written[digest] = time.monotonic()
        await _mark_used(engine, row.id, digest)
    return Principal(row.role, row.manager_id, row.id)


async def _mark_used(engine: AsyncEngine, token_id: int, digest: str) -> None:
    try:
        async with SqlUnitOfWork(engine) as uow:
            await uow.connection.execute(update(api_tokens).where(api_tokens.c.id == token_id)
                                         .values(last_used_at=utcnow()))
            await uow.commit()
    except SQLAlchemyError:  # bookkeeping only: a busy database must not refuse the request
        _last_written.pop(digest, None)


async def list_tokens(engine: AsyncEngine) -> list[dict[str, Any]]:
    """Every token without its secret: id, role, manager, created, last used, revoked."""
    query = (
        select(api_tokens.c.id, api_tokens.c.role, managers.c.login.label("manager"),
               api_tokens.c.created_at, api_tokens.c.last_used_at, api_tokens.c.revoked_at)
        .select_from(api_tokens.outerjoin(managers, managers.c.id == api_tokens.c.manager_id))
        .order_by(api_tokens.c.id)
    )
    async with engine.connect() as conn:
        return [dict(row._mapping) for row in await conn.execute(query)]


async def revoke_token(engine: AsyncEngine, token_id: int) -> bool:
    """Revoke a token by id; False when no unrevoked token has that id."""
    async with SqlUnitOfWork(engine) as uow:
        result = await uow.connection.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token_id, api_tokens.c.revoked.is_(False))
            .values(revoked=True, revoked_at=utcnow())
        )
        await uow.commit()
    return bool(result.rowcount)
