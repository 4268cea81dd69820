"""Managers and teams in the store: written by the config sync and the CLI, read by routing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.routing_tables import managers, team_members, teams
from leads.model import utcnow

MANAGER_COLUMNS = (
    "name", "email", "telegram_chat_id", "extension", "capacity", "hours", "languages",
    "regions", "available",
)


class SqlStaffStore:
    """Managers and teams on one connection, inside the caller's transaction (or a read)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def upsert_manager(self, login: str, fields: Mapping[str, Any]) -> int:
        """Create the manager or update the given fields; the manager's id."""
        conn = self.connection
        values = {k: v for k, v in fields.items() if k in MANAGER_COLUMNS}
        existing = await conn.scalar(select(managers.c.id).where(managers.c.login == login))
        if existing is not None:
            if values:
                await conn.execute(update(managers).where(managers.c.id == existing).values(values))
            return int(existing)
        defaults = {"name": login, "capacity": 20, "languages": [], "regions": [],
                    "available": True}
        row = {**defaults, **values, "login": login, "created_at": utcnow()}
        return int(await conn.scalar(insert(managers).values(row).returning(managers.c.id)))

    async def manager_id(self, login: str) -> int | None:
        """The id of the manager with this login."""
        found = await self.connection.scalar(
            select(managers.c.id).where(managers.c.login == login))
        return int(found) if found is not None else None

    async def upsert_team(self, name: str, accept_minutes: float | None = None,
                          lead_manager_id: int | None = None,
                          contact_minutes: float | None = None) -> int:
        """Create the team or update its accept and contact times and lead; the team's id."""
        conn = self.connection
        existing = await conn.scalar(select(teams.c.id).where(teams.c.name == name))
        values: dict[str, Any] = {}
        if accept_minutes is not None:
            values["accept_minutes"] = accept_minutes
        if lead_manager_id is not None:
            values["lead_manager_id"] = lead_manager_id
        if accept_minutes is not None:
            values["contact_minutes"] = contact_minutes  # the file decides: unset means none
        if existing is not None:
            if values:
                await conn.execute(update(teams).where(teams.c.id == existing).values(values))
            return int(existing)
        row = {"accept_minutes": 5.0, **values, "name": name}
        return int(await conn.scalar(insert(teams).values(row).returning(teams.c.id)))

    async def set_team_members(self, team_id: int, member_ids: Sequence[int]) -> None:
        """Make exactly these managers the team's members."""
        await self.connection.execute(
            delete(team_members).where(team_members.c.team_id == team_id))
        if member_ids:
            await self.connection.execute(
                insert(team_members), [{"team_id": team_id, "manager_id": m} for m in member_ids]
            )

    async def add_member(self, team_id: int, manager: int) -> None:
        """Add the manager to the team unless already a member."""
        found = await self.connection.scalar(select(team_members.c.team_id).where(
            team_members.c.team_id == team_id, team_members.c.manager_id == manager))
        if found is None:
            await self.connection.execute(
                insert(team_members).values(team_id=team_id, manager_id=manager))

    async def join_teams(self, manager: int, names: Sequence[str]) -> None:
        """Make the manager a member of exactly these teams (created if new)."""
        await self.connection.execute(
            delete(team_members).where(team_members.c.manager_id == manager))
        for name in names:
            await self.add_member(await self.upsert_team(name), manager)

    async def list_managers(self) -> list[dict[str, Any]]:
        """Every manager with their teams, by login."""
        rows = await self.connection.execute(select(managers).order_by(managers.c.login))
        memberships = await self.connection.execute(
            select(team_members.c.manager_id, teams.c.name)
            .join(teams, teams.c.id == team_members.c.team_id).order_by(teams.c.name)
        )
        by_manager: dict[int, list[str]] = {}
        for member, team in memberships:
            by_manager.setdefault(member, []).append(team)
        return [{**row._asdict(), "teams": by_manager.get(row.id, [])} for row in rows]

    async def manager_ids(self) -> list[int]:
        """Every manager's id."""
        return list(await self.connection.scalars(select(managers.c.id)))

    async def managers_by_login(self, logins: Sequence[str]) -> list[Any]:
        """The managers with these logins (id, login, name, email, telegram_chat_id), by login."""
        rows = await self.connection.execute(
            select(managers.c.id, managers.c.login, managers.c.name, managers.c.email,
                   managers.c.telegram_chat_id)
            .where(managers.c.login.in_(list(logins))).order_by(managers.c.login))
        return list(rows)

    async def manager_by_telegram(self, chat_id: int) -> Any | None:
        """The manager whose Telegram chat this is (their private chat id is their user id)."""
        return (await self.connection.execute(
            select(managers.c.id, managers.c.login, managers.c.name)
            .where(managers.c.telegram_chat_id == chat_id)
        )).first()
