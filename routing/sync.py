"""Bring the store's managers and teams in line with the config file at start-up."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.uow import SqlUnitOfWork
from routing.config import RoutingConfig


async def apply_config(engine: AsyncEngine, config: RoutingConfig) -> None:
    """Create or update the configured managers and teams; others (from the CLI) are kept."""
    async with SqlUnitOfWork(engine) as uow:
        staff = uow.staff
        ids: dict[str, int] = {}
        for manager in config.managers:
            fields = {k: v for k, v in manager.fields.items() if k != "teams"}
            ids[manager.login] = await staff.upsert_manager(manager.login, fields)
        for team in config.teams.values():
            team_id = await staff.upsert_team(
                team.name, team.accept_minutes, ids[team.lead] if team.lead else None,
                team.contact_minutes,
            )
            joined = [m.login for m in config.managers if team.name in m.fields.get("teams", [])]
            members = dict.fromkeys([*team.members, *joined])
            await staff.set_team_members(team_id, [ids[login] for login in members])
        for manager in config.managers:
            for name in manager.fields.get("teams", []):
                if name not in config.teams:
                    team_id = await staff.upsert_team(name)
                    await staff.add_member(team_id, ids[manager.login])
        await uow.commit()
