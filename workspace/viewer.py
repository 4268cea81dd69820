"""The logged-in manager as the access rules see them: principal, teams, the visibility check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store import visibility
from crm_store.accounts import Account
from crm_store.tokens import Principal
from workspace.keys import SESSION
from workspace.sessions import principal_of


@dataclass(frozen=True)
class Viewer:
    """Who is looking, with the teams whose queue they see."""

    account: Account
    principal: Principal
    teams: frozenset[str]

    @property
    def is_admin(self) -> bool:
        """Admins see every lead."""
        return self.principal.is_admin

    @property
    def manager_id(self) -> int:
        """The viewer's manager id."""
        return self.account.manager_id

    def may_see_lead(self, lead: Mapping[str, Any]) -> bool:
        """The API's rule for leads."""
        return visibility.may_see_lead(self.principal, lead, self.teams)

    def may_see_card(self, card: Mapping[str, Any]) -> bool:
        """The API's rule for cards."""
        return visibility.may_see_card(self.principal, card, self.teams)


async def viewer(request: web.Request, conn: AsyncConnection) -> Viewer:
    """The viewer of this request (the session guard has run)."""
    session = request[SESSION]
    principal = principal_of(session)
    return Viewer(session.account, principal, await visibility.teams_of(conn, principal))
