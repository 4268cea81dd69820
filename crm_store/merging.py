"""Merging two cards into one, recording everything it moves, and undoing it exactly.

A merge moves the other card's identities, leads and touches onto the surviving card, gives it
the other's owner and name where it had none, and folds the open leads into one: the oldest
keeps its history and the others' touches move onto it; the others close as `merged`. All of
that is written into the merge's `moved` record, which `undo_merge` plays backwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.columns import UtcDateTime, in_commit_order
from crm_store.tables import customers, identities, leads, merges, touches
from leads.errors import MergeRefused
from leads.statuses import MERGED, OPEN_STATUSES

# The state of a lead that is in someone's hands: carried to the kept lead when it was not.
_HANDLING = ("status", "manager_id", "team", "routing", "assigned_at", "accepted_at",
             "offer_deadline_at")
_LEAD_STATE = (*_HANDLING, "closed_at", "last_touch_at", "callback_due_at", "callback_done_at")
_STAMPS = {"closed_at", "offer_deadline_at", "last_touch_at", "callback_due_at",
           "callback_done_at", "assigned_at", "accepted_at"}
_PROGRESS = {status: rank for rank, status in enumerate(OPEN_STATUSES)}


async def _ids(conn: AsyncConnection, column: Any, *where: Any) -> list[int]:
    return [int(row[0]) for row in await conn.execute(select(column).where(*where))]


async def merge_cards(
    conn: AsyncConnection, into_id: int, from_id: int, why: dict[str, Any], now: datetime
) -> int:
    """Move card `from_id` onto `into_id`; `why` names the proof; the merge's id."""
    into = (await conn.execute(select(customers).where(customers.c.id == into_id))).one()
    other = (await conn.execute(select(customers).where(customers.c.id == from_id))).one()
    moved: dict[str, Any] = {
        "identities": await _ids(conn, identities.c.id, identities.c.customer_id == from_id),
        "leads": await _ids(conn, leads.c.id, leads.c.customer_id == from_id),
        "touches": await _ids(conn, touches.c.id, touches.c.customer_id == from_id),
        "cards": await _ids(conn, customers.c.id, customers.c.merged_into_id == from_id),
    }
    for table in (identities, leads, touches):
        await conn.execute(
            update(table).where(table.c.customer_id == from_id).values(customer_id=into_id)
        )
    await conn.execute(
        update(customers)
        .where(customers.c.id.in_([from_id, *moved["cards"]]))
        .values(merged_into_id=into_id)
    )
    taken = {}
    if into.owner_manager_id is None and other.owner_manager_id is not None:
        taken["owner_manager_id"] = other.owner_manager_id
    if into.name is None and other.name is not None:
        taken["name"] = other.name
    if taken:
        await conn.execute(update(customers).where(customers.c.id == into_id).values(taken))
    moved["card"] = {key: into._mapping[key] for key in taken}
    moved["fold"] = await _fold_open_leads(conn, into_id, now)
    result = await conn.execute(
        merges.insert().returning(merges.c.id),
        {"from_customer_id": from_id, "into_customer_id": into_id, "merged_at": now,
         "identity_kind": why.get("kind", "manual"), "identity_value": why.get("value", ""),
         "touch_channel": why.get("channel", ""), "touch_external_id": why.get("external_id", ""),
         "moved": moved},
    )
    return int(result.scalar_one())


async def _fold_open_leads(conn: AsyncConnection, customer_id: int, now: datetime
                           ) -> list[dict[str, Any]]:
    """Fold every open lead of the card into the oldest; what each fold changed.

    The oldest lead keeps its history; if another lead was further along (offered to or
    accepted by a manager), the kept lead takes over that manager and state.
    """
    open_leads = (await conn.execute(
        select(leads).where(leads.c.customer_id == customer_id,
                            leads.c.status.in_(OPEN_STATUSES))
        .order_by(leads.c.created_at, leads.c.id)
    )).all()
    if len(open_leads) < 2:
        return []
    kept, folds = open_leads[0], []
    kept_before = _state(kept)
    latest = max(lead.last_touch_at for lead in open_leads)
    pending = kept.callback_due_at is not None and kept.callback_done_at is None
    changes: dict[str, Any] = {"last_touch_at": latest}
    for lead in open_leads[1:]:
        moved_touches = await _ids(conn, touches.c.id, touches.c.lead_id == lead.id)
        await conn.execute(update(touches).where(touches.c.lead_id == lead.id)
                           .values(lead_id=kept.id))
        if not pending and lead.callback_due_at is not None and lead.callback_done_at is None:
            changes |= {"callback_due_at": lead.callback_due_at, "callback_done_at": None}
            pending = True
        await conn.execute(update(leads).where(leads.c.id == lead.id).values(
            status=MERGED, closed_at=now, offer_deadline_at=None,
            closed_txid=in_commit_order(conn.dialect, leads.c.closed_txid)))
        folds.append({"lead": lead.id, "into_lead": kept.id, "touches": moved_touches,
                      "before": _state(lead),
                      "decision": "open leads of one person fold into the oldest"})
    furthest = max(open_leads[1:], key=lambda lead: _PROGRESS[lead.status])
    if _PROGRESS[furthest.status] > _PROGRESS[kept.status]:
        changes |= {key: furthest._mapping[key] for key in _HANDLING}
    await conn.execute(update(leads).where(leads.c.id == kept.id).values(changes))
    folds.append({"lead": kept.id, "kept": True, "before": kept_before})
    return folds


def _state(lead: Row[Any]) -> dict[str, Any]:
    return {key: _stamp(lead._mapping[key]) for key in _LEAD_STATE}


def _stamp(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _unstamp(key: str, value: Any) -> Any:
    if key in _STAMPS and value is not None:
        return UtcDateTime().process_result_value(value, None)  # type: ignore[arg-type]
    return value


async def undo_merge(conn: AsyncConnection, merge_id: int, now: datetime) -> dict[str, int]:
    """Put both cards back as they were before merge `merge_id`; MergeRefused says why not."""
    merge = (await conn.execute(select(merges).where(merges.c.id == merge_id))).first()
    if merge is None:
        raise LookupError(f"there is no merge {merge_id}")
    if merge.undone_at is not None:
        raise MergeRefused(f"merge {merge_id} is undone already")
    if not merge.moved:
        raise MergeRefused(f"merge {merge_id} was made before merges recorded what they moved")
    later = await _later_merge(conn, merge)
    if later is not None:
        raise MergeRefused(
            f"merge {later} was made on top of this one: undo merge {later} first")
    into_id, from_id, moved = merge.into_customer_id, merge.from_customer_id, merge.moved
    for fold in moved["fold"]:
        await _unfold(conn, fold)
    for table in (identities, leads, touches):
        await conn.execute(update(table).where(table.c.id.in_(moved[table.name]))
                           .values(customer_id=from_id))
    await conn.execute(update(touches).where(touches.c.lead_id.in_(moved["leads"]))
                       .values(customer_id=from_id))
    await conn.execute(update(customers).where(customers.c.id == from_id)
                       .values(merged_into_id=None))
    if moved["cards"]:
        await conn.execute(update(customers).where(customers.c.id.in_(moved["cards"]))
                           .values(merged_into_id=from_id))
    if moved["card"]:
        await conn.execute(update(customers).where(customers.c.id == into_id)
                           .values(moved["card"]))
    await conn.execute(update(merges).where(merges.c.id == merge_id).values(undone_at=now))
    return {"merge_id": merge_id, "customer_id": into_id, "restored_id": from_id}


async def _unfold(conn: AsyncConnection, fold: dict[str, Any]) -> None:
    before = {key: _unstamp(key, value) for key, value in fold["before"].items()}
    await conn.execute(update(leads).where(leads.c.id == fold["lead"]).values(before))
    if not fold.get("kept"):
        await conn.execute(update(touches).where(touches.c.id.in_(fold["touches"]))
                           .values(lead_id=fold["lead"]))


async def _later_merge(conn: AsyncConnection, merge: Row[Any]) -> int | None:
    cards: Sequence[int] = (merge.into_customer_id, merge.from_customer_id)
    return await conn.scalar(
        select(merges.c.id).where(
            merges.c.id > merge.id, merges.c.undone_at.is_(None),
            merges.c.into_customer_id.in_(cards) | merges.c.from_customer_id.in_(cards),
        ).order_by(merges.c.id.desc()).limit(1)
    )


async def merge_by_hand(
    conn: AsyncConnection, into_id: int, from_id: int, by: str, now: datetime
) -> int:
    """Merge card `from_id` into `into_id` on a person's word; the merge's id."""
    if into_id == from_id:
        raise MergeRefused("a card cannot be merged into itself")
    found = {
        row.id: row.merged_into_id
        for row in await conn.execute(
            select(customers.c.id, customers.c.merged_into_id)
            .where(customers.c.id.in_([into_id, from_id]))
            .with_for_update()
        )
    }
    for card in (into_id, from_id):
        if card not in found:
            raise LookupError(f"there is no customer {card}")
        if found[card] is not None:
            raise MergeRefused(f"customer {card} was merged into {found[card]} already")
    return await merge_cards(conn, into_id, from_id, {"kind": "manual", "value": by}, now)
