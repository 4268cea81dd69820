"""Look-alike cards in the store: keys written once per card, pairs found by indexed look-up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, delete, func, or_, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store import direct
from crm_store.bulk import BulkInsert
from crm_store.duplicate_tables import duplicate_dismissals, duplicate_pairs, match_keys
from crm_store.tables import customers
from leads.duplicates import MAX_SHARED, NAME, WEIGHTS, MatchKey, score, strongest

CardKeys = tuple[int, Sequence[MatchKey]]

_SHARING = select(match_keys.c.reason, match_keys.c.key, match_keys.c.customer_id).where(
    tuple_(match_keys.c.reason, match_keys.c.key).in_(bindparam("pairs", expanding=True))
)


_INSERT_KEYS = BulkInsert(match_keys, ["reason", "key", "customer_id"], skip_conflicts=True)
_INSERT_PAIRS = BulkInsert(duplicate_pairs, ["customer_id", "other_id", "reason", "score",
                                             "created_at"], skip_conflicts=True)
_IGNORING: dict[tuple[str, str], Any] = {}


def _insert_ignoring_duplicates(connection: AsyncConnection, table: Any) -> Any:
    """`INSERT … ON CONFLICT DO NOTHING`, built once per dialect and table (hot path)."""
    key = (connection.dialect.name, table.name)
    if key not in _IGNORING:
        dialect = postgresql if key[0] == "postgresql" else sqlite
        _IGNORING[key] = dialect.insert(table).on_conflict_do_nothing()
    return _IGNORING[key]


async def index_cards(connection: AsyncConnection, cards: Sequence[CardKeys], now: datetime) -> int:
    """Store the cards' keys and the pairs they make with cards sharing one; pairs written."""
    rows = [
        {"reason": key.reason, "key": key.key, "customer_id": customer}
        for customer, keys in cards
        for key in keys
    ]
    if not rows:
        return 0
    await _INSERT_KEYS.execute(connection, rows)
    wanted = list({(row["reason"], row["key"]) for row in rows})
    holders: dict[tuple[str, str], set[int]] = {}
    for found in await direct.rows(connection, _SHARING, {"pairs": wanted}):
        holders.setdefault((found.reason, found.key), set()).add(found.customer_id)
    return await record_pairs(connection, cards, holders, now)


async def record_pairs(connection: AsyncConnection, cards: Sequence[CardKeys],
                       holders: dict[tuple[str, str], set[int]], now: datetime) -> int:
    """Write the pairs the cards make with the `holders` of their keys (themselves included)."""
    pairs = {
        (min(customer, other), max(customer, other), reason)
        for customer, keys in cards
        for reason, key in ((k.reason, k.key) for k in keys)
        for other in _evidence(holders.get((reason, key), set()))
        if other != customer
    }
    if pairs:
        await _INSERT_PAIRS.execute(connection, [
            {"customer_id": a, "other_id": b, "reason": reason, "score": WEIGHTS[reason],
             "created_at": now}
            for a, b, reason in sorted(pairs)
        ])
    return len(pairs)


async def rename_card(
    connection: AsyncConnection, customer_id: int, key: MatchKey | None, now: datetime
) -> None:
    """Replace the card's name key (after a rename) and find the pairs the new name makes."""
    await connection.execute(
        delete(match_keys).where(
            match_keys.c.customer_id == customer_id, match_keys.c.reason == NAME
        )
    )
    if key is not None:
        await index_cards(connection, [(customer_id, [key])], now)


def _evidence(holders: set[int]) -> set[int]:
    return holders if len(holders) <= MAX_SHARED else set()


def _surviving(table: Any) -> Any:
    return func.coalesce(table.c.merged_into_id, table.c.id)


_CARD_IDS = select(customers.c.id).where(
    or_(customers.c.id == bindparam("card"), customers.c.merged_into_id == bindparam("card"))
)
_MINE = duplicate_pairs.c.customer_id.in_(bindparam("ids", expanding=True))
_HOLDER = customers.alias("holder")
_LOOK_ALIKES = (
    select(_surviving(_HOLDER).label("other"), duplicate_pairs.c.reason)
    .select_from(duplicate_pairs)
    .join(_HOLDER, _HOLDER.c.id == case(
        (_MINE, duplicate_pairs.c.other_id), else_=duplicate_pairs.c.customer_id))
    .where(or_(_MINE, duplicate_pairs.c.other_id.in_(bindparam("ids", expanding=True))))
)


async def possible_duplicates(
    connection: AsyncConnection, customer_id: int
) -> list[dict[str, Any]]:
    """The cards that look like this one, strongest first, without dismissed ones."""
    ids = [row.id for row in await connection.execute(_CARD_IDS, {"card": customer_id})]
    reasons: dict[int, list[str]] = {}
    for row in await connection.execute(_LOOK_ALIKES, {"ids": ids}):
        if row.other != customer_id:
            reasons.setdefault(int(row.other), []).append(row.reason)
    dismissed = await _dismissed(connection, customer_id, list(reasons))
    return _ranked({(customer_id, o): r for o, r in reasons.items() if o not in dismissed})


async def _dismissed(connection: AsyncConnection, customer_id: int, others: list[int]) -> set[int]:
    if not others:
        return set()
    rows = await connection.execute(
        select(duplicate_dismissals.c.customer_id, duplicate_dismissals.c.other_id).where(
            or_(
                (duplicate_dismissals.c.customer_id == customer_id)
                & duplicate_dismissals.c.other_id.in_(others),
                (duplicate_dismissals.c.other_id == customer_id)
                & duplicate_dismissals.c.customer_id.in_(others),
            )
        )
    )
    return {row.other_id if row.customer_id == customer_id else row.customer_id for row in rows}


def _ranked(found: dict[tuple[int, int], list[str]]) -> list[dict[str, Any]]:
    entries = [
        {"customer_id": other, "reason": strongest(reasons), "score": score(reasons),
         "reasons": sorted(set(reasons))}
        for (_, other), reasons in found.items()
    ]
    return sorted(entries, key=lambda entry: (-entry["score"], entry["customer_id"]))


async def duplicate_list(
    connection: AsyncConnection, limit: int, offset: int
) -> list[dict[str, Any]]:
    """Every suggested pair of live cards not dismissed, newest first, one page."""
    one, two = customers.alias("one"), customers.alias("two")
    a, b = _surviving(one), _surviving(two)
    low = case((a < b, a), else_=b).label("low")
    high = case((a < b, b), else_=a).label("high")
    pairs = (
        select(low, high, duplicate_pairs.c.reason, duplicate_pairs.c.created_at)
        .select_from(duplicate_pairs)
        .join(one, one.c.id == duplicate_pairs.c.customer_id)
        .join(two, two.c.id == duplicate_pairs.c.other_id)
        .where(a != b)
        .subquery()
    )
    grouped = (
        select(pairs.c.low, pairs.c.high, func.max(pairs.c.created_at).label("newest"))
        .select_from(pairs)
        .outerjoin(duplicate_dismissals, (duplicate_dismissals.c.customer_id == pairs.c.low)
                   & (duplicate_dismissals.c.other_id == pairs.c.high))
        .where(duplicate_dismissals.c.customer_id.is_(None))
        .group_by(pairs.c.low, pairs.c.high)
        .order_by(func.max(pairs.c.created_at).desc(), pairs.c.low, pairs.c.high)
        .limit(limit).offset(offset)
        .subquery()
    )
    rows = await connection.execute(
        select(grouped.c.low, grouped.c.high, pairs.c.reason)
        .join(pairs, (pairs.c.low == grouped.c.low) & (pairs.c.high == grouped.c.high))
        .order_by(grouped.c.newest.desc(), grouped.c.low, grouped.c.high)
    )
    found: dict[tuple[int, int], list[str]] = {}
    for row in rows:
        found.setdefault((int(row.low), int(row.high)), []).append(row.reason)
    return [
        {"customer_id": low, "other_id": high, "reason": strongest(reasons),
         "score": score(reasons), "reasons": sorted(set(reasons))}
        for (low, high), reasons in found.items()
    ]


async def dismiss(connection: AsyncConnection, customer_id: int, other_id: int,
                  now: datetime) -> None:
    """Never suggest these two cards as one person again."""
    low, high = sorted((customer_id, other_id))
    await connection.execute(
        _insert_ignoring_duplicates(connection, duplicate_dismissals),
        {"customer_id": low, "other_id": high, "dismissed_at": now},
    )
