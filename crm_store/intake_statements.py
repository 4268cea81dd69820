"""The intake transaction's statements, built once, and the rows its inserts take.

Constructing a statement costs more CPU than sending it (DESIGN.md §8, "no per-event work that
can be done once"): every statement of the hot path is built here at import. Rows of a commit
group go in one statement per table (`crm_store.bulk`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    String,
    and_,
    bindparam,
    case,
    column,
    func,
    insert,
    or_,
    select,
    text,
    tuple_,
    update,
)

from crm_store.bulk import BulkInsert
from crm_store.pair_lookup import PairLookup, by_pairs, pair_arrays
from crm_store.tables import customers, identities, ignored_events, leads, touches
from leads.model import ContactEvent
from leads.normalize import Identity
from leads.ports import Assignment, CustomerRef, LeadToOpen, PreparedEvent, Survey
from leads.statuses import OPEN_STATUSES

FIND_TOUCH = select(touches.c.id, touches.c.lead_id, touches.c.customer_id).where(
    touches.c.channel == bindparam("channel"), touches.c.external_id == bindparam("external_id")
)
IGNORED = select(ignored_events.c.id).where(
    ignored_events.c.channel == bindparam("channel"),
    ignored_events.c.external_id == bindparam("external_id"),
)
INSERT_IGNORED = insert(ignored_events)
_IDENTITY = ("SELECT customers.id, customers.created_at, customers.owner_manager_id "
             "FROM identities JOIN customers ON customers.id = identities.customer_id "
             "WHERE identities.kind = wanted.a AND identities.value = wanted.b")
_TOUCH = "SELECT touches.id FROM touches " \
    "WHERE touches.channel = wanted.a AND touches.external_id = wanted.b"
_BAN = "SELECT bans.id FROM bans WHERE bans.kind = wanted.a AND bans.value = wanted.b"
CUSTOMERS_BY_IDENTITIES = PairLookup(
    "wanted.a AS kind, wanted.b AS value, found.id, found.created_at, found.owner_manager_id",
    _IDENTITY,
    select(identities.c.kind, identities.c.value, customers.c.id, customers.c.created_at,
           customers.c.owner_manager_id)
    .join(customers, customers.c.id == identities.c.customer_id)
    .where(tuple_(identities.c.kind, identities.c.value).in_(bindparam("pairs", expanding=True))),
)
EXISTING_TOUCHES = PairLookup(
    "wanted.a AS channel, wanted.b AS external_id",
    _TOUCH,
    select(touches.c.channel, touches.c.external_id).where(
        tuple_(touches.c.channel, touches.c.external_id).in_(bindparam("pairs", expanding=True))
    ),
)
# A group's three look-ups in one round trip (PostgreSQL): its touches stored already, the ban
# list's hits and the cards its identities belong to.
SURVEY = text(
    "SELECT 'touch' AS what, wanted.a, wanted.b, CAST(NULL AS bigint) AS id, "
    "CAST(NULL AS timestamptz) AS created_at, CAST(NULL AS bigint) AS owner_manager_id "
    f"FROM {by_pairs('touches', _TOUCH)} "
    f"UNION ALL SELECT 'ban', wanted.a, wanted.b, NULL, NULL, NULL FROM {by_pairs('bans', _BAN)} "
    "UNION ALL SELECT 'identity', wanted.a, wanted.b, found.id, found.created_at, "
    f"found.owner_manager_id FROM {by_pairs('identities', _IDENTITY)}"
).columns(column("what", String), column("a", String), column("b", String), customers.c.id,
          customers.c.created_at, customers.c.owner_manager_id)
LEAD_OF_TOUCHES = (
    select(leads.c.id, leads.c.customer_id, leads.c.status, customers.c.created_at)
    .join(touches, touches.c.lead_id == leads.c.id)
    .join(customers, customers.c.id == leads.c.customer_id)
    .where(touches.c.channel == bindparam("channel"),
           touches.c.external_id.in_(bindparam("external_ids", expanding=True)))
    .order_by(touches.c.id.desc())
    .limit(1)
)
OPEN_LEAD = (
    select(leads.c.id, leads.c.customer_id, leads.c.status)
    .where(
        leads.c.customer_id == bindparam("customer_id"),
        leads.c.status.in_(OPEN_STATUSES),
        leads.c.last_touch_at >= bindparam("since"),
    )
    .order_by(leads.c.last_touch_at.desc())
    .limit(1)
)
TOUCH_LEAD = (
    update(leads)
    .where(leads.c.id == bindparam("lead_id"), leads.c.last_touch_at < bindparam("at"))
    .values(last_touch_at=bindparam("at"))
)
FILL_NAME = (
    update(customers)
    .where(customers.c.id == bindparam("customer_id"), customers.c.name.is_(None))
    .values(name=bindparam("new_name"))
)

INSERT_CUSTOMERS = BulkInsert(customers, ["created_at", "name"], returning="id")
INSERT_IDENTITIES = BulkInsert(identities, ["customer_id", "kind", "value", "info", "created_at"])
# A lead is stored once, already routed (its assignment and any callback asked for): writing
# the row and its indexes a second time was the largest cost PostgreSQL had per lead.
_LEAD_COLUMNS = ["customer_id", "status", "channel", "attribution", "created_at", "last_touch_at",
                 "manager_id", "team", "routing", "offer_deadline_at", "assigned_at",
                 "callback_due_at", "callback_requested_at"]
INSERT_LEADS = BulkInsert(leads, _LEAD_COLUMNS, returning="id")
_TOUCH_COLUMNS = ["customer_id", "lead_id", "channel", "external_id", "direction", "occurred_at",
                  "created_at", "name", "subject", "text", "attribution", "details", "identities",
                  "raw_ref", "raw"]
INSERT_TOUCHES = BulkInsert(touches, _TOUCH_COLUMNS, returning="id")

_PENDING = and_(leads.c.callback_due_at.is_not(None), leads.c.callback_done_at.is_(None))
REQUEST_CALLBACK = (
    update(leads)
    .where(leads.c.id == bindparam("lead_id"),
           or_(~_PENDING, leads.c.callback_due_at > bindparam("due_at")))
    .values(
        callback_due_at=bindparam("due_at"),
        callback_done_at=None,
        # A callback still pending keeps the missed call that opened it; a new one starts its
        # own reminders.
        callback_requested_at=case(
            (_PENDING, func.coalesce(leads.c.callback_requested_at, bindparam("requested_at"))),
            else_=bindparam("requested_at"),
        ),
        callback_reminded_at=case((_PENDING, leads.c.callback_reminded_at), else_=None),
        callback_escalated_at=case((_PENDING, leads.c.callback_escalated_at), else_=None),
    )
)
FULFIL_CALLBACKS = (
    update(leads)
    .where(leads.c.customer_id == bindparam("customer"), leads.c.callback_due_at.is_not(None),
           leads.c.callback_done_at.is_(None),
           or_(leads.c.callback_requested_at.is_(None),
               leads.c.callback_requested_at <= bindparam("at")))
    .values(callback_done_at=bindparam("at"))
)
MARK_CONTACTED = (
    update(leads)
    .where(leads.c.id == bindparam("lead_id"), leads.c.contacted_at.is_(None),
           leads.c.created_at <= bindparam("at"))
    .values(contacted_at=bindparam("at"),
            contacted_by=func.coalesce(bindparam("acting", type_=leads.c.contacted_by.type),
                                       leads.c.manager_id))
)


def survey_params(touches: Sequence[tuple[str, str]], bans: Sequence[tuple[str, str]],
                  found: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """The parameters of SURVEY."""
    return {**pair_arrays("touches", touches), **pair_arrays("bans", bans),
            **pair_arrays("identities", found)}


def survey_of(rows: Iterable[Any], wanted: Mapping[tuple[str, str], Identity]) -> Survey:
    """SURVEY's rows as intake reads them."""
    stored, banned, known = set(), set(), []
    for row in rows:
        if row.what == "touch":
            stored.add((row.a, row.b))
        elif row.what == "ban":
            banned.add((row.a, row.b))
        else:
            known.append(CustomerRef(row.id, row.created_at, wanted[(row.a, row.b)],
                                     row.owner_manager_id))
    return Survey(stored, banned, known)


def details(event: ContactEvent) -> dict[str, object]:
    """The event's details as stored (a plain dict)."""
    return dict(event.details)


def lead_row(lead: LeadToOpen, assignment: Assignment) -> dict[str, Any]:
    """A new lead opened by `lead.event` (at its time), placed as routing decided."""
    event = lead.event.event
    return {
        "customer_id": lead.customer_id,
        "status": assignment.status,
        "channel": event.channel,
        "attribution": dict(event.attribution),
        "created_at": event.occurred_at,
        "last_touch_at": event.occurred_at,
        "manager_id": assignment.manager_id,
        "team": assignment.team,
        "routing": assignment.routing,
        "offer_deadline_at": assignment.offer_deadline_at,
        "assigned_at": assignment.assigned_at,
        "callback_due_at": lead.callback_due_at,
        "callback_requested_at": event.occurred_at if lead.callback_due_at else None,
    }


def touch_row(
    customer_id: int, lead_id: int | None, prepared: PreparedEvent, now: datetime
) -> dict[str, Any]:
    """The touch of one event, with its raw payload."""
    event = prepared.event
    return {
        "customer_id": customer_id,
        "lead_id": lead_id,
        "channel": event.channel,
        "external_id": event.external_id,
        "direction": event.direction,
        "occurred_at": event.occurred_at,
        "created_at": now,
        "name": prepared.name,
        "subject": event.subject,
        "text": event.text,
        "attribution": dict(event.attribution),
        "details": details(event),
        "identities": prepared.identities_json(),
        "raw_ref": event.raw_ref,
        "raw": event.raw,
    }
