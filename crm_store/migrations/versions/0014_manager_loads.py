"""manager loads: each manager's working leads counted as state, kept by triggers on leads

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Routing counted every member's assigned and accepted leads for every commit group: the read
# grew with the store. The count is now kept beside the leads, by the database itself, so every
# writer (intake, the desks, merges, the CLI, a hand-run UPDATE) keeps it true in the same
# transaction. WORKING is leads.statuses.WORKING_STATUSES as of this revision.
_WORKING = "('assigned', 'accepted')"

_BACKFILL = f"""
INSERT INTO manager_loads (manager_id, load)
SELECT manager_id, count(*) FROM leads
WHERE manager_id IS NOT NULL AND status IN {_WORKING}
GROUP BY manager_id
"""

# PostgreSQL: one call per statement (a commit group's assignments are one UPDATE), the changed
# counters locked in manager id order so two writers never wait on each other in a circle.
_PG_FUNCTION = f"""
CREATE FUNCTION manager_loads_follow_leads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO manager_loads AS m (manager_id, load)
    SELECT manager_id, count(*) FROM new_leads
    WHERE manager_id IS NOT NULL AND status IN {_WORKING}
    GROUP BY manager_id ORDER BY manager_id
    ON CONFLICT (manager_id) DO UPDATE SET load = m.load + excluded.load;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO manager_loads AS m (manager_id, load)
    SELECT manager_id, sum(delta) FROM (
      SELECT manager_id, 1 AS delta FROM new_leads
      WHERE manager_id IS NOT NULL AND status IN {_WORKING}
      UNION ALL
      SELECT manager_id, -1 FROM old_leads
      WHERE manager_id IS NOT NULL AND status IN {_WORKING}
    ) AS changes
    GROUP BY manager_id HAVING sum(delta) <> 0 ORDER BY manager_id
    ON CONFLICT (manager_id) DO UPDATE SET load = m.load + excluded.load;
  ELSE
    UPDATE manager_loads AS m SET load = m.load - gone.n
    FROM (SELECT manager_id, count(*) AS n FROM old_leads
          WHERE manager_id IS NOT NULL AND status IN {_WORKING}
          GROUP BY manager_id) AS gone
    WHERE m.manager_id = gone.manager_id;
  END IF;
  RETURN NULL;
END $$
"""
_PG_TRIGGERS = [
    "CREATE TRIGGER manager_loads_insert AFTER INSERT ON leads REFERENCING NEW TABLE AS "
    "new_leads FOR EACH STATEMENT EXECUTE FUNCTION manager_loads_follow_leads()",
    "CREATE TRIGGER manager_loads_update AFTER UPDATE ON leads REFERENCING OLD TABLE AS "
    "old_leads NEW TABLE AS new_leads FOR EACH STATEMENT EXECUTE FUNCTION "
    "manager_loads_follow_leads()",
    "CREATE TRIGGER manager_loads_delete AFTER DELETE ON leads REFERENCING OLD TABLE AS "
    "old_leads FOR EACH STATEMENT EXECUTE FUNCTION manager_loads_follow_leads()",
]

# SQLite has row triggers only (and one writer at a time: no lock order to keep).
_ADD = ("INSERT INTO manager_loads (manager_id, load) VALUES (NEW.manager_id, 1) "
        "ON CONFLICT (manager_id) DO UPDATE SET load = load + 1")
_TAKE = "UPDATE manager_loads SET load = load - 1 WHERE manager_id = OLD.manager_id"
_COUNTED_NEW = f"NEW.manager_id IS NOT NULL AND NEW.status IN {_WORKING}"
_COUNTED_OLD = f"OLD.manager_id IS NOT NULL AND OLD.status IN {_WORKING}"
_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER manager_loads_insert AFTER INSERT ON leads WHEN {_COUNTED_NEW} "
    f"BEGIN {_ADD}; END",
    f"CREATE TRIGGER manager_loads_update_old AFTER UPDATE OF status, manager_id ON leads "
    f"WHEN {_COUNTED_OLD} BEGIN {_TAKE}; END",
    f"CREATE TRIGGER manager_loads_update_new AFTER UPDATE OF status, manager_id ON leads "
    f"WHEN {_COUNTED_NEW} BEGIN {_ADD}; END",
    f"CREATE TRIGGER manager_loads_delete AFTER DELETE ON leads WHEN {_COUNTED_OLD} "
    f"BEGIN {_TAKE}; END",
]
_TRIGGER_NAMES = ["manager_loads_insert", "manager_loads_update", "manager_loads_update_old",
                  "manager_loads_update_new", "manager_loads_delete"]


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "manager_loads",
        sa.Column("manager_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=False, nullable=False),
        sa.Column("load", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("manager_id", name=op.f("pk_manager_loads")),
    )
    op.execute(_BACKFILL)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for statement in _PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    """Revert this revision."""
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in _TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON leads" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION manager_loads_follow_leads()")
    op.drop_table("manager_loads")
