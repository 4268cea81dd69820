"""CRM exports: one row per (CRM, lead), claimed before the CRM is called, its ids after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.integration_tables import crm_exports as exports
from crm_store.tables import customers, identities, leads, touches


@dataclass(frozen=True, slots=True)
class Export:
    """A lead owed to a CRM; `attempts` counts claims, so >1 means a call may have landed."""

    id: int
    crm: str
    lead_id: int
    attempts: int


async def enqueue(conn: AsyncConnection, crm: str, lead_rows: Sequence[dict[str, Any]],
                  now: datetime) -> None:
    """Owe each lead to the CRM once (queueing it again is a no-op)."""
    if not lead_rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    await conn.execute(dialect.insert(exports).on_conflict_do_nothing(), [
        {"crm": crm, "lead_id": row["id"], "customer_id": row["customer_id"],
         "state": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now,
         "updated_at": now} for row in lead_rows
    ])


async def claim_due(conn: AsyncConnection, crm: str, now: datetime, lease: timedelta,
                    limit: int = 20) -> list[Export]:
    """Claim due exports (and ones whose claimer died mid-call) for this process."""
    due = or_(
        and_(exports.c.state == "pending", exports.c.next_attempt_at <= now),
        and_(exports.c.state == "sending", exports.c.claimed_at <= now - lease),
    )
    rows = (await conn.execute(select(exports.c.id).where(exports.c.crm == crm, due)
                               .order_by(exports.c.next_attempt_at, exports.c.id)
                               .limit(limit))).all()
    claimed: list[Export] = []
    for row in rows:
        # Compare-and-set: of two processes claiming one row, one updates it, one gets 0 rows.
        result = await conn.execute(
            update(exports).where(exports.c.id == row.id, due)
            .values(state="sending", claimed_at=now, attempts=exports.c.attempts + 1,
                    updated_at=now)
            .returning(exports.c.id, exports.c.crm, exports.c.lead_id, exports.c.attempts)
        )
        found = result.first()
        if found is not None:
            claimed.append(Export(*found))
    return claimed


async def finish(conn: AsyncConnection, export_id: int, now: datetime,
                 crm_lead_id: str, crm_contact_id: str | None) -> None:
    """The CRM holds the lead: keep its ids."""
    await conn.execute(update(exports).where(exports.c.id == export_id).values(
        state="done", crm_lead_id=crm_lead_id, crm_contact_id=crm_contact_id,
        last_error=None, updated_at=now))


async def postpone(conn: AsyncConnection, export_id: int, now: datetime, error: str,
                   retry_at: datetime | None) -> None:
    """Not created this time: try again at `retry_at`, or give up (None)."""
    values: dict[str, Any] = {"last_error": error[:300], "updated_at": now}
    values |= {"state": "pending", "next_attempt_at": retry_at} if retry_at else {"state": "failed"}
    await conn.execute(update(exports).where(exports.c.id == export_id).values(values))


async def lead_for_export(conn: AsyncConnection, lead_id: int) -> dict[str, Any] | None:
    """The lead as a CRM gets it: name, phones, e-mails, first text, channel, attribution."""
    lead = (await conn.execute(
        select(leads.c.id, leads.c.customer_id, leads.c.channel, leads.c.attribution,
               leads.c.created_at, customers.c.name)
        .join(customers, customers.c.id == leads.c.customer_id).where(leads.c.id == lead_id)
    )).first()
    if lead is None:
        return None
    held = (await conn.execute(select(identities.c.kind, identities.c.value)
                               .where(identities.c.customer_id == lead.customer_id)
                               .order_by(identities.c.id))).all()
    first = (await conn.execute(select(touches.c.subject, touches.c.text)
                                .where(touches.c.lead_id == lead_id)
                                .order_by(touches.c.id).limit(1))).first()
    text = " ".join(p for p in (first.subject, first.text) if p) if first is not None else ""
    return {"lead_id": lead.id, "customer_id": lead.customer_id, "name": lead.name or "",
            "channel": lead.channel, "attribution": dict(lead.attribution or {}),
            "created_at": lead.created_at.isoformat(), "text": text[:2000],
            "phones": [v for k, v in held if k == "phone"],
            "emails": [v for k, v in held if k == "email"]}


async def crm_ids(conn: AsyncConnection, lead_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The CRM records made for these leads: CRM name, lead, state, the CRM's ids."""
    if not lead_ids:
        return []
    rows = await conn.execute(
        select(exports.c.crm, exports.c.lead_id, exports.c.state, exports.c.crm_lead_id,
               exports.c.crm_contact_id)
        .where(exports.c.lead_id.in_(list(lead_ids))).order_by(exports.c.id)
    )
    return [dict(row._mapping) for row in rows]
