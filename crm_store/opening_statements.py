"""A commit group's new people in two statements (PostgreSQL): their cards, then their leads.

Each is a data-modifying CTE writing several tables in one round trip, where one statement per
table cost a round trip each. Every new row takes its id from its table's sequence in a CTE
that also numbers it (`WITH ORDINALITY`): the rows of the other tables find their parent by that
number and the ids come back paired with it, so nothing rests on the order PostgreSQL inserts
in. The cards statement also takes each card's lead id from the leads' sequence, so routing can
write the leads' announcements before they exist and the leads statement writes them to the
outbox with the leads. Foreign keys are checked, and the statement-level triggers on leads
(manager loads) fire, once at the end of the statement, as for a single insert. Unique
conflicts fail the statement as they failed the insert they were in (the group is then retried
one event at a time).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, TextClause, text
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store import intake_statements as sql
from crm_store import outbox as outbox_rows
from crm_store.bulk import json_columns, json_dumps, pg_array, unsized
from crm_store.duplicate_tables import match_keys
from crm_store.pair_lookup import by_pairs
from crm_store.routing_tables import outbox
from crm_store.tables import customers, identities, leads, touches
from leads.duplicates import MAX_SHARED
from leads.ports import Assignment, LeadToOpen, NewCard, NewCardIds


def _numbered(name: str, table: Table, columns: Sequence[str]) -> str:
    """`unnest` of the arrays `:<name>_card` (the number of the row's card) and `:<name>_<c>`,
    each row numbered `i` in array order."""
    arrays = ", ".join(unsized(array) for array in [
        f"CAST(:{name}_card AS bigint[])",
        *(pg_array(table, column, f"{name}_{column}") for column in columns)])
    return f"unnest({arrays}) WITH ORDINALITY AS {name}(card, {', '.join(columns)}, i)"


IDENTITY_COLUMNS = ["kind", "value", "info", "created_at"]
KEY_COLUMNS = ["reason", "key"]
_HOLDERS = ("SELECT match_keys.customer_id FROM match_keys "
            "WHERE match_keys.reason = wanted.a AND match_keys.key = wanted.b")

# New cards with their identities and match keys; the answer is each card's id (and the id
# kept for its lead) by its number, then the cards that held one of `holders` before (enough
# of them to tell evidence).
CREATE_CARDS = text(f"""
WITH card AS (
    SELECT nextval('customers_id_seq') AS id, nextval('leads_id_seq') AS lead_id, v.n,
           v.created_at, v.name
    FROM unnest({unsized(pg_array(customers, "created_at", "card_created_at"))},
                {unsized(pg_array(customers, "name", "card_name"))})
         WITH ORDINALITY AS v(created_at, name, n)
), customer AS (
    INSERT INTO customers (id, created_at, name) SELECT id, created_at, name FROM card
), identity AS (
    INSERT INTO identities (customer_id, kind, value, info, created_at)
    SELECT card.id, identity.kind, identity.value, identity.info, identity.created_at
    FROM {_numbered("identity", identities, IDENTITY_COLUMNS)} JOIN card ON card.n = identity.card
    ORDER BY identity.i
), match_key AS (
    INSERT INTO match_keys (reason, key, customer_id)
    SELECT match_key.reason, match_key.key, card.id
    FROM {_numbered("match_key", match_keys, KEY_COLUMNS)} JOIN card ON card.n = match_key.card
    ON CONFLICT DO NOTHING
)
SELECT card.n, card.id, card.lead_id, CAST(NULL AS varchar) AS reason,
       CAST(NULL AS varchar) AS key
FROM card
UNION ALL
SELECT NULL, found.customer_id, NULL, wanted.a, wanted.b
FROM {by_pairs("holders", _HOLDERS, MAX_SHARED + 1)}
""")



def cards_params(cards: Sequence[NewCard], now: datetime, connection: AsyncConnection
                 ) -> dict[str, list[Any]]:
    """The parameters of CREATE_CARDS (cards are numbered from 1, as `WITH ORDINALITY` does)."""
    dumps = json_dumps(connection)
    found = [(n, i) for n, card in enumerate(cards, 1) for i in card.identities]
    keys = [(n, k) for n, card in enumerate(cards, 1) for k in card.keys]
    wanted = list(dict.fromkeys((k.reason, k.key) for _, k in keys))
    return {
        "card_created_at": [now] * len(cards), "card_name": [card.name for card in cards],
        "identity_card": [n for n, _ in found], "identity_kind": [i.kind for _, i in found],
        "identity_value": [i.value for _, i in found],
        "identity_info": [dumps(i.info) for _, i in found],
        "identity_created_at": [now] * len(found),
        "match_key_card": [n for n, _ in keys], "match_key_reason": [k.reason for _, k in keys],
        "match_key_key": [k.key for _, k in keys],
        "holders_a": [reason for reason, _ in wanted], "holders_b": [key for _, key in wanted],
    }


def cards_of(rows: Sequence[Any], cards: Sequence[NewCard]
             ) -> tuple[list[NewCardIds], dict[tuple[str, str], set[int]]]:
    """CREATE_CARDS' answer: the cards' ids (and their leads') in order, and every holder of
    their keys (the new cards among them)."""
    ids = [NewCardIds(0)] * len(cards)
    holders: dict[tuple[str, str], set[int]] = {}
    for row in rows:
        if row.reason is None:
            ids[row.n - 1] = NewCardIds(row.id, row.lead_id)
        else:
            holders.setdefault((row.reason, row.key), set()).add(row.id)
    for made, card in zip(ids, cards, strict=True):
        for key in card.keys:
            holders.setdefault((key.reason, key.key), set()).add(made.customer_id)
    return ids, holders


_SHARED = ["lead_id", "customer_id", "channel", "attribution", "occurred_at"]
_LEAD_ONLY = ["status", "manager_id", "team", "routing", "offer_deadline_at", "assigned_at",
              "callback_due_at", "callback_requested_at"]
_TOUCH_ONLY = ["external_id", "direction", "created_at", "name", "subject", "text", "details",
               "identities", "raw_ref", "raw"]
OPENING_COLUMNS = [*_SHARED, *_LEAD_ONLY, *_TOUCH_ONLY]
OPENING_JSON = json_columns(touches, ["attribution", "details", "identities"]) | json_columns(
    leads, ["routing"])
_LEAD_COLUMNS = ["customer_id", "channel", "attribution", *_LEAD_ONLY]
_TOUCH_COLUMNS = [name for name in [*_SHARED, *_TOUCH_ONLY] if name != "lead_id"]
_OPENING_ARRAYS = ", ".join(
    unsized(pg_array(leads if name in _LEAD_ONLY else touches, name)) for name in OPENING_COLUMNS)
MESSAGE_JSON = json_columns(outbox, outbox_rows.COLUMNS)
_MESSAGE_ARRAYS = ", ".join(
    unsized(pg_array(outbox, name, f"message_{name}")) for name in outbox_rows.COLUMNS)
_MESSAGE_COLUMNS = ", ".join(outbox_rows.COLUMNS)

# New leads (their ids kept by CREATE_CARDS), each with the touch that opened it, and their
# announcements; the answer is the leads' and touches' ids in the rows' order. The outbox rows
# go in array order (ORDER BY), so their ids keep the order routing wrote them in.
OPEN_LEADS: TextClause = text(f"""
WITH opened AS (
    SELECT nextval('touches_id_seq') AS touch_id, v.*
    FROM unnest({_OPENING_ARRAYS}) WITH ORDINALITY AS v({", ".join(OPENING_COLUMNS)}, n)
), lead AS (
    INSERT INTO leads (id, created_at, last_touch_at, {", ".join(_LEAD_COLUMNS)})
    SELECT lead_id, occurred_at, occurred_at, {", ".join(_LEAD_COLUMNS)} FROM opened
), touch AS (
    INSERT INTO touches (id, lead_id, {", ".join(_TOUCH_COLUMNS)})
    SELECT touch_id, lead_id, {", ".join(_TOUCH_COLUMNS)} FROM opened
), message AS (
    INSERT INTO outbox ({_MESSAGE_COLUMNS})
    SELECT {_MESSAGE_COLUMNS}
    FROM unnest({_MESSAGE_ARRAYS}) WITH ORDINALITY AS m({_MESSAGE_COLUMNS}, n)
    ORDER BY m.n
)
SELECT lead_id, touch_id FROM opened ORDER BY n
""")
# Ids for leads whose card was not made in this transaction (CREATE_CARDS keeps the others').
LEAD_IDS = text("SELECT nextval('leads_id_seq') AS id FROM generate_series(1, :count)")


def opening_row(lead: LeadToOpen, lead_id: int, assignment: Assignment, now: datetime
                ) -> dict[str, Any]:
    """One row of OPEN_LEADS: the lead as placed and the touch of the event that opens it."""
    # The touch's own fields win where the two share a name: its `created_at` is the time it
    # was stored, while the lead's is the event's time (OPEN_LEADS gives the lead `occurred_at`).
    return {**sql.lead_row(lead, assignment),
            **sql.touch_row(lead.customer_id, lead_id, lead.event, now)}

