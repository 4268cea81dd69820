"""Bans and quarantine in the store: the list, the one batched check, the kept events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store import direct
from crm_store.screening_tables import bans, quarantine
from crm_store.tables import identities, leads
from leads.bans import BanKey
from leads.event_json import event_from_json, event_to_json
from leads.model import ContactEvent

_BANNED = select(bans.c.kind, bans.c.value).where(
    tuple_(bans.c.kind, bans.c.value).in_(bindparam("keys", expanding=True))
)
_LISTED = (quarantine.c.id, quarantine.c.channel, quarantine.c.external_id,
           quarantine.c.occurred_at, quarantine.c.created_at, quarantine.c.ban_kind,
           quarantine.c.ban_value, quarantine.c.event, quarantine.c.released_at,
           quarantine.c.released_as, func.length(quarantine.c.raw).label("raw_bytes"))


async def add_ban(conn: AsyncConnection, key: BanKey, reason: str | None, now: datetime) -> int:
    """Ban `key` (kind, value); the ban's id, the existing one if it was banned already."""
    found = await conn.scalar(
        select(bans.c.id).where(bans.c.kind == key[0], bans.c.value == key[1]))
    if found is not None:
        return int(found)
    row = {"kind": key[0], "value": key[1], "reason": reason, "created_at": now}
    return int(await conn.scalar(insert(bans).values(row).returning(bans.c.id)))


async def remove_ban(conn: AsyncConnection, key: BanKey) -> bool:
    """Lift the ban; False if there was none."""
    result = await conn.execute(delete(bans).where(bans.c.kind == key[0],
                                                   bans.c.value == key[1]))
    return bool(result.rowcount)


async def remove_ban_by_id(conn: AsyncConnection, ban_id: int) -> bool:
    """Lift the ban with this id; False if there was none."""
    return bool((await conn.execute(delete(bans).where(bans.c.id == ban_id))).rowcount)


async def list_bans(conn: AsyncConnection) -> list[dict[str, Any]]:
    """Every ban, oldest first."""
    return [dict(row._mapping) for row in await conn.execute(select(bans).order_by(bans.c.id))]


async def banned(conn: AsyncConnection, keys: Sequence[BanKey]) -> set[BanKey]:
    """Which of `keys` are banned (one look-up for any number of events)."""
    if not keys:
        return set()
    rows = await direct.rows(conn, _BANNED, {"keys": list(dict.fromkeys(keys))})
    return {(row.kind, row.value) for row in rows}


async def keep_in_quarantine(
    conn: AsyncConnection, event: ContactEvent, ban: BanKey, now: datetime
) -> int:
    """Keep a banned contact's event (once per channel and id); the quarantine row's id."""
    found = await conn.scalar(select(quarantine.c.id).where(
        quarantine.c.channel == event.channel, quarantine.c.external_id == event.external_id))
    if found is not None:
        return int(found)
    row = {"channel": event.channel, "external_id": event.external_id,
           "occurred_at": event.occurred_at, "created_at": now, "ban_kind": ban[0],
           "ban_value": ban[1], "event": event_to_json(event), "raw": event.raw}
    return int(await conn.scalar(insert(quarantine).values(row).returning(quarantine.c.id)))


async def list_quarantine(
    conn: AsyncConnection, released: bool | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    """Kept events, newest first; `released` filters on whether they were let through."""
    query = select(*_LISTED).order_by(quarantine.c.id.desc()).limit(limit).offset(offset)
    if released is not None:
        query = query.where(quarantine.c.released_at.is_not(None) if released
                            else quarantine.c.released_at.is_(None))
    return [dict(row._mapping) for row in await conn.execute(query)]


async def quarantined_event(conn: AsyncConnection, quarantine_id: int) -> ContactEvent | None:
    """The kept event, rebuilt as it arrived (raw bytes included)."""
    row = (await conn.execute(select(quarantine.c.event, quarantine.c.raw)
                              .where(quarantine.c.id == quarantine_id))).first()
    return event_from_json(dict(row.event), row.raw) if row is not None else None


async def mark_released(conn: AsyncConnection, quarantine_id: int, outcome: dict[str, Any],
                        now: datetime) -> None:
    """Note that the kept event went through intake, and what it became."""
    await conn.execute(update(quarantine).where(quarantine.c.id == quarantine_id)
                       .values(released_at=now, released_as=outcome))


async def lead_identities(conn: AsyncConnection, lead_id: int) -> list[tuple[str, str]]:
    """The identities (kind, value) of the card a lead belongs to."""
    rows = await conn.execute(
        select(identities.c.kind, identities.c.value)
        .join(leads, leads.c.customer_id == identities.c.customer_id)
        .where(leads.c.id == lead_id).order_by(identities.c.id)
    )
    return [(row.kind, row.value) for row in rows]
