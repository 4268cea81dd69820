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
from crm_store.bulk import unsized
from crm_store.routing_tables import teams

_TEAM_LOCK_SPACE = 0x4C47  # "LG": keeps these keys apart from other users of advisory locks
_LOCK_TEAMS = text("""
SELECT pg_advisory_xact_lock(CAST(:space AS integer), CAST(t.id AS integer)) FROM (
    SELECT b.team_id AS id FROM team_members a JOIN team_members b ON b.manager_id = a.manager_id
    WHERE a.team_id = ANY(CAST(:teams AS bigint[]))
    UNION SELECT unnest(CAST(:teams AS bigint[]))
    ORDER BY id OFFSET 0
) AS t
""")
# The teams named, read in the statement that takes their locks (one round trip, not two). The
# names' array is `unsized`: else each execution was planned again (see crm_store.bulk.unsized).
_NAMES = f"CAST({unsized('CAST(:names AS varchar[])')} AS varchar[])"
_TEAMS_LOCKED = text(f"""
WITH named AS (SELECT id FROM teams WHERE name = ANY({_NAMES})),
locked AS (
    SELECT count(pg_advisory_xact_lock(CAST(:space AS integer), CAST(t.id AS integer))) FROM (
        SELECT b.team_id AS id FROM team_members a
        JOIN team_members b ON b.manager_id = a.manager_id
        WHERE a.team_id IN (SELECT id FROM named)
        UNION SELECT id FROM named
        ORDER BY id OFFSET 0
    ) AS t
)
SELECT teams.id, teams.name, teams.accept_minutes, teams.lead_manager_id, teams.contact_minutes
FROM teams CROSS JOIN locked WHERE teams.name = ANY({_NAMES})
""")
_TEAMS = select(teams.c.id, teams.c.name, teams.c.accept_minutes, teams.c.lead_manager_id,
                teams.c.contact_minutes).where(teams.c.name.in_(bindparam("names", expanding=True)))


async def serialize(connection: AsyncConnection, team_ids: Sequence[int]) -> None:
    """Hold the locks of these teams (and of teams sharing a member) until the transaction ends."""
    if team_ids and connection.dialect.name == "postgresql":
        await connection.execute(
            _LOCK_TEAMS, {"space": _TEAM_LOCK_SPACE, "teams": sorted(set(team_ids))})


async def lock_teams(connection: AsyncConnection, names: Sequence[str]) -> list[Any]:
    """The rows of the teams called `names`, read in the statement that takes their locks."""
    if not names:
        return []
    if connection.dialect.name != "postgresql":
        return await read_teams(connection, names)
    return await direct.rows(
        connection, _TEAMS_LOCKED, {"names": sorted(set(names)), "space": _TEAM_LOCK_SPACE})


async def read_teams(connection: AsyncConnection, names: Sequence[str]) -> list[Any]:
    """The rows of the teams called `names`, no lock taken."""
    return list(await connection.execute(_TEAMS, {"names": sorted(set(names))}))
