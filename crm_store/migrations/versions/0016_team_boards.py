"""team boards: lock the teams, then read their members, in one round trip (PostgreSQL)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 13:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Routing took the teams' locks in one statement and read their members in the next: a single
# statement could not do both, because in READ COMMITTED its snapshot is taken before it waits
# for a lock, so it would miss the assignments of the transaction it waited for. A VOLATILE
# function takes a fresh snapshot for each statement it runs: the members' read, after the
# locks, sees everything the last holder committed. The locks are taken in team id order, on
# the teams named and on every team sharing a member with them (crm_store/team_locks.py).
# Columns are cast to the declared types, so a wider column later still fits. The names are
# read through a subquery, their number unknown to the planner, so the function's statements
# keep their generic plans instead of being planned again at every call (crm_store.bulk.unsized).
_FUNCTION = """
CREATE FUNCTION leadgate_team_boards(names varchar[], space integer)
RETURNS TABLE (
    team_id bigint, team_name text, accept_minutes double precision, lead_manager_id bigint,
    contact_minutes double precision, id bigint, login text, name text, email text,
    telegram_chat_id bigint, extension text, available boolean, hours text, capacity integer,
    languages jsonb, regions jsonb, last_assigned_at timestamptz, load integer
) LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
    PERFORM pg_advisory_xact_lock(space, CAST(t.id AS integer)) FROM (
        SELECT b.team_id AS id FROM teams n
        JOIN team_members a ON a.team_id = n.id
        JOIN team_members b ON b.manager_id = a.manager_id
        WHERE n.name = ANY(CAST((SELECT names) AS varchar[]))
        UNION
        SELECT teams.id FROM teams WHERE teams.name = ANY(CAST((SELECT names) AS varchar[]))
        ORDER BY id OFFSET 0
    ) AS t;
    RETURN QUERY
    SELECT CAST(t.id AS bigint), CAST(t.name AS text), CAST(t.accept_minutes AS double precision),
           CAST(t.lead_manager_id AS bigint), CAST(t.contact_minutes AS double precision),
           CAST(m.id AS bigint), CAST(m.login AS text), CAST(m.name AS text),
           CAST(m.email AS text), CAST(m.telegram_chat_id AS bigint),
           CAST(m.extension AS text), m.available, CAST(m.hours AS text),
           CAST(m.capacity AS integer), CAST(m.languages AS jsonb), CAST(m.regions AS jsonb),
           (SELECT max(leads.assigned_at) FROM leads WHERE leads.manager_id = m.id),
           CAST(coalesce((SELECT manager_loads.load FROM manager_loads
                          WHERE manager_loads.manager_id = m.id), 0) AS integer)
    FROM teams t
    LEFT JOIN team_members tm ON tm.team_id = t.id
    LEFT JOIN managers m ON m.id = tm.manager_id
    WHERE t.name = ANY(CAST((SELECT names) AS varchar[]))
    ORDER BY t.id, m.id;
END $$
"""


def upgrade() -> None:
    """Apply this revision."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION leadgate_team_boards(varchar[], integer)")
