"""The intake transaction's reads and writes, as SQLAlchemy Core statements on one connection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, case, func, insert, literal, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store import duplicates, merging, screening
from crm_store.columns import Id
from crm_store.tables import customers, identities, ignored_events, leads, touches
from leads.duplicates import MatchKey
from leads.model import ContactEvent
from leads.normalize import Identity
from leads.ports import CustomerRef, LeadRef, PreparedEvent, TouchRef
from leads.statuses import NEW, OPEN_STATUSES

# The hot path's statements are built once: constructing a statement costs more CPU than
# sending it (DESIGN.md §8, "no per-event work that can be done once").
_FIND_TOUCH = select(touches.c.id, touches.c.lead_id, touches.c.customer_id).where(
    touches.c.channel == bindparam("channel"), touches.c.external_id == bindparam("external_id")
)
_CUSTOMERS_BY_IDENTITIES = (
    select(
        identities.c.kind,
        identities.c.value,
        customers.c.id,
        customers.c.created_at,
        customers.c.owner_manager_id,
    )
    .join(customers, customers.c.id == identities.c.customer_id)
    .where(tuple_(identities.c.kind, identities.c.value).in_(bindparam("pairs", expanding=True)))
)
_INSERT_CUSTOMER = insert(customers).returning(customers.c.id)
_INSERT_CUSTOMERS = insert(customers).returning(customers.c.id, sort_by_parameter_order=True)
_EXISTING_TOUCHES = select(touches.c.channel, touches.c.external_id).where(
    tuple_(touches.c.channel, touches.c.external_id).in_(bindparam("keys", expanding=True))
)
_INSERT_IDENTITY = insert(identities)
_OPEN_LEAD = (
    select(leads.c.id, leads.c.customer_id, leads.c.status)
    .where(
        leads.c.customer_id == bindparam("customer_id"),
        leads.c.status.in_(OPEN_STATUSES),
        leads.c.last_touch_at >= bindparam("since"),
    )
    .order_by(leads.c.last_touch_at.desc())
    .limit(1)
)
_INSERT_LEAD = insert(leads).returning(leads.c.id)
_INSERT_LEADS = insert(leads).returning(leads.c.id, sort_by_parameter_order=True)
_TOUCH_LEAD = (
    update(leads)
    .where(leads.c.id == bindparam("lead_id"), leads.c.last_touch_at < bindparam("at"))
    .values(last_touch_at=bindparam("at"))
)
_INSERT_TOUCH = insert(touches).returning(touches.c.id)
_INSERT_TOUCHES = insert(touches).returning(touches.c.id, sort_by_parameter_order=True)
_FILL_NAME = (
    update(customers)
    .where(customers.c.id == bindparam("customer_id"), customers.c.name.is_(None))
    .values(name=bindparam("new_name"))
)


class SqlIntakeStore:
    """IntakeStore on one connection inside the caller's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def find_touch(self, channel: str, external_id: str) -> TouchRef | None:
        """The touch already stored for (channel, external_id), if any."""
        params = {"channel": channel, "external_id": external_id}
        row = (await self.connection.execute(_FIND_TOUCH, params)).first()
        return TouchRef(row.id, row.lead_id, row.customer_id) if row else None

    async def record_ignored(self, event: PreparedEvent, now: datetime) -> bool:
        """Record a known non-lead once; False if it was recorded before."""
        source = event.event
        seen = await self.connection.scalar(
            select(ignored_events.c.id).where(
                ignored_events.c.channel == source.channel,
                ignored_events.c.external_id == source.external_id,
            )
        )
        if seen is not None:
            return False
        await self.connection.execute(
            insert(ignored_events).values(
                channel=source.channel,
                external_id=source.external_id,
                reason=(source.ignored or "")[:200],
                occurred_at=source.occurred_at,
                created_at=now,
                details=_details(source),
                raw=source.raw,
            )
        )
        return True

    async def customers_by_identities(self, found: Sequence[Identity]) -> list[CustomerRef]:
        """One row per identity of `found` that some customer already has."""
        if not found:
            return []
        wanted = {(i.kind, i.value): i for i in found}
        rows = await self.connection.execute(_CUSTOMERS_BY_IDENTITIES, {"pairs": list(wanted)})
        return [
            CustomerRef(row.id, row.created_at, wanted[(row.kind, row.value)], row.owner_manager_id)
            for row in rows
        ]

    async def lead_of_touches(self, channel: str, external_ids: Sequence[str]) -> LeadRef | None:
        """The lead of the most recent stored touch among `external_ids` (a mail thread)."""
        row = (
            await self.connection.execute(
                select(leads.c.id, leads.c.customer_id, leads.c.status, customers.c.created_at)
                .join(touches, touches.c.lead_id == leads.c.id)
                .join(customers, customers.c.id == leads.c.customer_id)
                .where(touches.c.channel == channel, touches.c.external_id.in_(list(external_ids)))
                .order_by(touches.c.id.desc())
                .limit(1)
            )
        ).first()
        return LeadRef(row.id, row.customer_id, row.status, row.created_at) if row else None

    async def create_customer(self, name: str | None, now: datetime) -> int:
        """A new, empty customer card."""
        result = await self.connection.execute(_INSERT_CUSTOMER, {"created_at": now, "name": name})
        return int(result.scalar_one())

    async def merge_customer(
        self, into_id: int, from_id: int, proof: Identity, event: ContactEvent, now: datetime
    ) -> None:
        """Move everything of `from_id` onto `into_id` and record why and what moved."""
        why = {"kind": proof.kind, "value": proof.value, "channel": event.channel,
               "external_id": event.external_id}
        await merging.merge_cards(self.connection, into_id, from_id, why, now)

    async def add_identities(
        self, customer_id: int, found: Sequence[Identity], now: datetime
    ) -> None:
        """Attach identities no customer has yet; a concurrent claim fails the transaction."""
        if found:
            await self.connection.execute(
                _INSERT_IDENTITY,
                [
                    {
                        "customer_id": customer_id,
                        "kind": i.kind,
                        "value": i.value,
                        "info": i.info,
                        "created_at": now,
                    }
                    for i in found
                ],
            )

    async def add_identities_bulk(
        self, rows: Sequence[tuple[int, Sequence[Identity]]], now: datetime
    ) -> None:
        """Identities of several new customers in one statement."""
        params = [
            {
                "customer_id": customer,
                "kind": i.kind,
                "value": i.value,
                "info": i.info,
                "created_at": now,
            }
            for customer, found in rows
            for i in found
        ]
        if params:
            await self.connection.execute(_INSERT_IDENTITY, params)

    async def fill_customer_name(self, customer_id: int, name: str) -> bool:
        """Give a nameless card the name this touch brought; False if it had one."""
        params = {"customer_id": customer_id, "new_name": name}
        return bool((await self.connection.execute(_FILL_NAME, params)).rowcount)

    async def banned(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (kind, value) keys are on the ban list."""
        return await screening.banned(self.connection, keys)

    async def quarantine(self, event: ContactEvent, ban: tuple[str, str], now: datetime) -> int:
        """Keep a banned contact's event aside; the quarantine entry's id."""
        return await screening.keep_in_quarantine(self.connection, event, ban, now)

    async def index_cards(
        self, cards: Sequence[tuple[int, Sequence[MatchKey]]], now: datetime
    ) -> None:
        """Keep the cards' match keys and the look-alike pairs they make."""
        await duplicates.index_cards(self.connection, cards, now)

    async def open_lead(self, customer_id: int, since: datetime) -> LeadRef | None:
        """The customer's most recent open lead touched since `since`."""
        params = {"customer_id": customer_id, "since": since}
        row = (await self.connection.execute(_OPEN_LEAD, params)).first()
        return LeadRef(row.id, row.customer_id, row.status, since) if row else None

    async def create_lead(self, customer_id: int, event: ContactEvent, now: datetime) -> int:
        """Open a new lead for the customer from this event."""
        result = await self.connection.execute(_INSERT_LEAD, _lead_row(customer_id, event, now))
        return int(result.scalar_one())

    async def touch_lead(self, lead_id: int, at: datetime) -> None:
        """Note a new touch on the lead."""
        await self.connection.execute(_TOUCH_LEAD, {"lead_id": lead_id, "at": at})

    async def insert_touch(
        self, customer_id: int, lead_id: int | None, prepared: PreparedEvent, now: datetime
    ) -> int:
        """The touch itself, with its raw payload; unique on (channel, external_id)."""
        row = _touch_row(customer_id, lead_id, prepared, now)
        return int((await self.connection.execute(_INSERT_TOUCH, row)).scalar_one())

    async def existing_touches(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (channel, external_id) pairs are stored already."""
        if not keys:
            return set()
        rows = await self.connection.execute(_EXISTING_TOUCHES, {"keys": list(keys)})
        return {(row.channel, row.external_id) for row in rows}

    async def create_customers(self, names: Sequence[str | None], now: datetime) -> list[int]:
        """New cards, one per name, ids in the same order."""
        rows = [{"created_at": now, "name": name} for name in names]
        return list((await self.connection.execute(_INSERT_CUSTOMERS, rows)).scalars())

    async def create_leads(
        self, rows: Sequence[tuple[int, ContactEvent]], now: datetime
    ) -> list[int]:
        """New leads, one per (customer, first event), ids in the same order."""
        params = [_lead_row(customer_id, event, now) for customer_id, event in rows]
        return list((await self.connection.execute(_INSERT_LEADS, params)).scalars())

    async def insert_touches(
        self, rows: Sequence[tuple[int, int | None, PreparedEvent]], now: datetime
    ) -> list[int]:
        """Touches in bulk, ids in the same order."""
        params = [_touch_row(customer, lead, prepared, now) for customer, lead, prepared in rows]
        return list((await self.connection.execute(_INSERT_TOUCHES, params)).scalars())

    async def request_callback(
        self, lead_id: int, requested_at: datetime, due_at: datetime
    ) -> None:
        """Ask for a callback on the lead unless one is already due earlier."""
        pending = and_(leads.c.callback_due_at.is_not(None), leads.c.callback_done_at.is_(None))
        await self.connection.execute(
            update(leads)
            .where(
                leads.c.id == lead_id,
                or_(~pending, leads.c.callback_due_at > due_at),
            )
            .values(
                callback_due_at=due_at,
                callback_done_at=None,
                # A callback still pending keeps the missed call that opened it; a new one
                # starts its own reminders.
                callback_requested_at=case(
                    (pending, func.coalesce(leads.c.callback_requested_at, requested_at)),
                    else_=requested_at,
                ),
                callback_reminded_at=case((pending, leads.c.callback_reminded_at), else_=None),
                callback_escalated_at=case((pending, leads.c.callback_escalated_at), else_=None),
            )
        )

    async def fulfil_callbacks(self, customer_id: int, at: datetime) -> None:
        """Close every callback of the customer asked before `at`: we reached them."""
        requested = leads.c.callback_requested_at
        await self.connection.execute(
            update(leads)
            .where(
                and_(
                    leads.c.customer_id == customer_id,
                    leads.c.callback_due_at.is_not(None),
                    leads.c.callback_done_at.is_(None),
                    or_(requested.is_(None), requested <= at),
                )
            )
            .values(callback_done_at=at)
        )

    async def mark_contacted(self, lead_id: int, at: datetime, manager_id: int | None) -> None:
        """The first time a manager reached the customer after the lead opened (and who)."""
        await self.connection.execute(
            update(leads)
            .where(leads.c.id == lead_id, leads.c.contacted_at.is_(None),
                   leads.c.created_at <= at)
            .values(contacted_at=at,
                    contacted_by=func.coalesce(literal(manager_id, Id), leads.c.manager_id))
        )


def _details(event: ContactEvent) -> dict[str, object]:
    return dict(event.details)


def _lead_row(customer_id: int, event: ContactEvent, now: datetime) -> dict[str, object]:
    return {
        "customer_id": customer_id,
        "status": NEW,
        "channel": event.channel,
        "attribution": dict(event.attribution),
        "created_at": now,
        "last_touch_at": now,
    }


def _touch_row(
    customer_id: int, lead_id: int | None, prepared: PreparedEvent, now: datetime
) -> dict[str, object]:
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
        "details": _details(event),
        "identities": prepared.identities_json(),
        "raw_ref": event.raw_ref,
        "raw": event.raw,
    }
