"""What happened to leads since a cursor: new leads, routing messages, accepts and closes.

New leads and outbox rows are read in commit order: by (`txid`, `id`), and on PostgreSQL only
those written by transactions that have finished. Ids come from a sequence shared by several
writers that commit in any order; a reader following ids alone would step over a row whose
transaction commits just after it looked, and never see it. Accepts and closes are read the
same way, by the position their change recorded (`accepted_txid`, `closed_txid`): a time stamp
taken before the commit would let a reader step over them alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.columns import in_commit_order, is_changed
from crm_store.routing_tables import outbox
from crm_store.tables import leads

Position = tuple[int, int]
"""Where a reader stands in a table: the (`txid`, `id`) of the last row it took."""

CHANGES = ("accepted", "closed")
"""The changes of a lead read in commit order, each by its `<change>_txid` column."""
# A lead whose change is not made yet sits at (0, its id): a read of changes starts past them.
_UNCHANGED: Position = (0, 2**63 - 1)

_LEAD = (leads.c.id, leads.c.customer_id, leads.c.status, leads.c.channel, leads.c.attribution,
         leads.c.created_at, leads.c.manager_id, leads.c.team, leads.c.accepted_at,
         leads.c.closed_at)
_MESSAGE = (outbox.c.id, outbox.c.message_id, outbox.c.routing_key, outbox.c.payload)


def _plain(row: Any, *leaving_out: str) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v)
            for k, v in row._mapping.items() if k not in leaving_out}


# Transactions of this database still open: their 32-bit xids made whole against the next
# xid (each is less than 2**31 behind it), and the oldest of them is the horizon. Another
# database's long transaction (on a shared server) must not hold our readers back.
_HORIZON = text("""
WITH next AS (SELECT (pg_snapshot_xmax(pg_current_snapshot())::text)::bigint AS xid),
open AS (
  SELECT backend_xid AS xid FROM pg_stat_activity
  WHERE datname = current_database() AND backend_xid IS NOT NULL
  UNION ALL
  SELECT transaction FROM pg_prepared_xacts WHERE database = current_database()
)
SELECT next.xid - coalesce(max((next.xid - open.xid::text::bigint) % 4294967296), 0)
FROM next LEFT JOIN open ON true GROUP BY next.xid
""")


async def horizon(conn: AsyncConnection) -> int | None:
    """PostgreSQL: the oldest transaction id that may still write; every one below has finished.

    Read in a statement of its own before the rows: a transaction open when it is read stays
    beyond it, and one that finished before is seen by the later statements. Read it once per
    transaction: PostgreSQL keeps the list of sessions it read for the rest of the transaction,
    so a second read could miss a transaction begun in between. SQLite has one writer at a
    time, committing in id order: None, no horizon is needed.
    """
    if conn.dialect.name != "postgresql":
        return None
    return int(await conn.scalar(_HORIZON) or 0)


async def _after(conn: AsyncConnection, table: Table, columns: tuple[Any, ...],
                 after: Position, below: int | None, limit: int, order: str = "txid"
                 ) -> list[tuple[Position, dict[str, Any]]]:
    """Rows past `after` in commit order (the `order` column, then the id), of transactions
    below the horizon `below`."""
    txid = table.c[order]
    finished = tuple_(txid, table.c.id) > tuple_(*after)
    if order != "txid":  # a change's position: read through the index of changed leads
        finished = finished & is_changed(txid)
    if below is not None:
        finished = finished & (txid < below)
    rows = await conn.execute(select(txid.label("position"), *columns).where(finished)
                              .order_by(txid, table.c.id).limit(limit))
    return [((row.position, row.id), _plain(row, "position")) for row in rows]


async def new_leads(conn: AsyncConnection, after: Position, below: int | None,
                    limit: int = 500) -> list[tuple[Position, dict[str, Any]]]:
    """Leads committed after position `after`, in commit order, each with its position."""
    return await _after(conn, leads, _LEAD, after, below, limit)


async def outbox_messages(conn: AsyncConnection, after: Position, below: int | None,
                          limit: int = 500) -> list[tuple[Position, dict[str, Any]]]:
    """Routing messages committed after position `after`, sent or not, in commit order."""
    return await _after(conn, outbox, _MESSAGE, after, below, limit)


async def leads_changed(conn: AsyncConnection, change: str, after: Position, below: int | None,
                        limit: int = 500) -> list[tuple[Position, dict[str, Any]]]:
    """Leads whose `change` ("accepted" or "closed") committed after position `after`, in
    commit order, each with its position."""
    return await _after(conn, leads, _LEAD, max(after, _UNCHANGED), below, limit,
                        f"{change}_txid")


async def _first_change(conn: AsyncConnection, change: str, since: datetime, below: int | None
                        ) -> Position:
    txid, stamp = leads.c[f"{change}_txid"], leads.c[f"{change}_at"]
    recent = (stamp >= since) & is_changed(txid)
    if below is not None:
        recent = recent & (txid < below)
    oldest = await conn.scalar(select(func.min(txid)).where(recent))
    if oldest is not None:
        return int(oldest), 0
    if below is not None:
        return below, 0
    return int(await conn.scalar(select(in_commit_order(conn.dialect, txid))) or 0), 0


async def first_positions(conn: AsyncConnection, since: datetime) -> dict[str, Position]:
    """Where a first read starts, by what it reads ("lead", "outbox", "accepted", "closed"):
    just before the first row made (or change made) at `since` or later, or at the end when
    there is none."""
    below = await horizon(conn)
    return {"lead": await _first_position(conn, leads, since, below),
            "outbox": await _first_position(conn, outbox, since, below),
            **{change: await _first_change(conn, change, since, below) for change in CHANGES}}


async def end_of_outbox(conn: AsyncConnection, below: int | None) -> Position:
    """The outbox's position at the horizon `below`: a read from it takes what commits later."""
    if below is None:
        return 0, int(await conn.scalar(select(func.max(outbox.c.id))) or 0)
    return below, 0


async def _first_position(conn: AsyncConnection, table: Table, since: datetime,
                          below: int | None) -> Position:
    recent = table.c.created_at >= since
    if below is None:  # SQLite: every txid is 0, the id is the order; one statement decides
        first = select(func.min(table.c.id)).where(recent).scalar_subquery()
        last = select(func.max(table.c.id)).scalar_subquery()
        return 0, int(await conn.scalar(select(func.coalesce(first - 1, last, 0))) or 0)
    # Never past the horizon: a transaction still open may be writing a recent row.
    oldest = await conn.scalar(select(func.min(table.c.txid)).where(recent, table.c.txid < below))
    return min(int(oldest), below) if oldest is not None else below, 0

