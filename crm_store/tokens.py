"""API bearer tokens: only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.routing_tables import managers
from crm_store.tables import api_tokens
from leads.model import utcnow

ROLES = ("admin", "manager")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who an API call is made by."""

    role: str
    manager_id: int | None = None

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
    async with engine.begin() as conn:
        manager_id = None
        if manager_login:
            manager_id = await conn.scalar(
                select(managers.c.id).where(managers.c.login == manager_login)
            )
            if manager_id is None:
                raise ValueError(f"no manager with login {manager_login!r}")
        await conn.execute(
            insert(api_tokens).values(
                token_hash=_digest(token), role=role, manager_id=manager_id, created_at=utcnow()
            )
        )
    return token


async def authenticate(engine: AsyncEngine, token: str) -> Principal | None:
    """The principal of a valid, unrevoked token, or None."""
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(api_tokens.c.role, api_tokens.c.manager_id).where(
                    api_tokens.c.token_hash == _digest(token), api_tokens.c.revoked.is_(False)
                )
            )
        ).first()
    return Principal(row.role, row.manager_id) if row else None
