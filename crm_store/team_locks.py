"""Per-team serialization of manager choice: transaction-level advisory locks (PostgreSQL).

A lock per team, taken in team id order, on the teams named and on every team sharing a member
with them: two transactions choosing among the same managers wait for each other, so each sees
the other's assignments and no capacity is exceeded. SQLite needs none: its writers take turns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store import direct
from crm_store.routing_tables import teams

_TEAM_LOCK_SPACE = 0x4C47  # "LG": keeps these keys apart from other users of advisory locks
# The teams named with their members (load included), read after their locks are taken, in one
# round trip: migration 0016's function, whose members' read has a snapshot of its own.
_LOCKED_BOARDS = text("SELECT * FROM leadgate_team_boards(CAST(:names AS varchar[]), "
                      "CAST(:space AS integer))")
_TEAMS = select(teams.c.id, teams.c.name, teams.c.accept_minutes, teams.c.lead_manager_id,
                teams.c.contact_minutes).where(teams.c.name.in_(bindparam("names", expanding=True)))


async def lock_boards(connection: AsyncConnection, names: Sequence[str]) -> list[Any]:
    """Lock the teams called `names` (as the module says), then read them with their members.

    One row per member (`team_id`, `team_name`, the team's settings, then the manager's columns
    with `load` and `last_assigned_at`), a team without members once with the manager's columns
    null; in team then manager id order. PostgreSQL only.
    """
    if not names:
        return []
    return await direct.rows(
        connection, _LOCKED_BOARDS, {"names": sorted(set(names)), "space": _TEAM_LOCK_SPACE})


async def read_teams(connection: AsyncConnection, names: Sequence[str]) -> list[Any]:
    """The rows of the teams called `names`, no lock taken."""
    return list(await connection.execute(_TEAMS, {"names": sorted(set(names))}))
