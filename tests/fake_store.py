"""An in-memory unit of work for intake's unit tests: the SQL store's behaviour, no database.

`FakeDatabase` keeps the rows; each `FakeUnitOfWork` is one transaction on it that is rolled
back (the rows restored) unless committed. `uow.routing` is a list the `RecordingRouter` appends
the leads it was asked to route to.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any

from leads.duplicates import MatchKey
from leads.model import ContactEvent
from leads.normalize import Identity
from leads.ports import (
    Announcement,
    Announcer,
    Assignment,
    CustomerRef,
    LeadRef,
    LeadToOpen,
    NewCard,
    NewCardIds,
    NewLead,
    PreparedEvent,
    Survey,
    TouchRef,
)
from leads.statuses import NEW, OPEN_STATUSES


@dataclass
class FakeDatabase:
    """Rows by table, as the SQL store keeps them (ids count from 1)."""

    customers: dict[int, dict[str, Any]] = field(default_factory=dict)
    identities: dict[tuple[str, str], int] = field(default_factory=dict)
    leads: dict[int, dict[str, Any]] = field(default_factory=dict)
    touches: dict[tuple[str, str], TouchRef] = field(default_factory=dict)
    ignored: set[tuple[str, str]] = field(default_factory=set)
    merges: list[tuple[int, int, str]] = field(default_factory=list)
    routed: list[NewLead] = field(default_factory=list)
    announced: list[Announcement] = field(default_factory=list)
    match_keys: dict[int, set[MatchKey]] = field(default_factory=dict)
    bans: set[tuple[str, str]] = field(default_factory=set)
    quarantine: dict[tuple[str, str], int] = field(default_factory=dict)


class FakeIntakeStore:
    """IntakeStore over a FakeDatabase; unique keys raise like the database's constraints."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def find_touch(self, channel: str, external_id: str) -> TouchRef | None:
        return self.db.touches.get((channel, external_id))

    async def record_ignored(self, event: PreparedEvent, now: datetime) -> bool:
        key = (event.event.channel, event.event.external_id)
        fresh = key not in self.db.ignored
        self.db.ignored.add(key)
        return fresh

    async def customers_by_identities(self, found: Sequence[Identity]) -> list[CustomerRef]:
        refs = []
        for identity in found:
            customer = self.db.identities.get((identity.kind, identity.value))
            if customer is not None:
                row = self.db.customers[customer]
                refs.append(CustomerRef(customer, row["created_at"], identity, row["owner"]))
        return refs

    async def lead_of_touches(self, channel: str, external_ids: Sequence[str]) -> LeadRef | None:
        found = [t for (c, e), t in self.db.touches.items()
                 if c == channel and e in external_ids and t.lead_id is not None]
        if not found:
            return None
        lead = self.db.leads[max(found, key=lambda t: t.id).lead_id or 0]
        created = self.db.customers[lead["customer_id"]]["created_at"]
        return LeadRef(lead["id"], lead["customer_id"], lead["status"], created)

    async def create_customer(self, name: str | None, now: datetime) -> int:
        customer = len(self.db.customers) + 1
        self.db.customers[customer] = {"id": customer, "name": name, "created_at": now,
                                       "owner": None, "merged_into": None}
        return customer

    async def merge_customer(self, into_id: int, from_id: int, proof: Identity,
                             event: ContactEvent, now: datetime) -> None:
        for key, customer in self.db.identities.items():
            if customer == from_id:
                self.db.identities[key] = into_id
        for lead in self.db.leads.values():
            if lead["customer_id"] == from_id:
                lead["customer_id"] = into_id
        for key, touch in self.db.touches.items():
            if touch.customer_id == from_id:
                self.db.touches[key] = TouchRef(touch.id, touch.lead_id, into_id)
        for row in self.db.customers.values():
            if row["id"] == from_id or row["merged_into"] == from_id:
                row["merged_into"] = into_id
        into = self.db.customers[into_id]
        into["owner"] = into["owner"] or self.db.customers[from_id]["owner"]
        self.db.merges.append((from_id, into_id, proof.value))

    async def add_identities(self, customer_id: int, found: Sequence[Identity],
                             now: datetime) -> None:
        for identity in found:
            key = (identity.kind, identity.value)
            if key in self.db.identities:
                raise ValueError(f"identity {key} is taken")
            self.db.identities[key] = customer_id

    async def fill_customer_name(self, customer_id: int, name: str) -> bool:
        row = self.db.customers[customer_id]
        named = row["name"] is None
        row["name"] = row["name"] or name
        return named

    async def index_cards(self, cards: Sequence[tuple[int, Sequence[MatchKey]]],
                          now: datetime) -> None:
        for customer, keys in cards:
            self.db.match_keys.setdefault(customer, set()).update(keys)

    async def banned(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        return self.db.bans.intersection(keys)

    async def quarantine(self, event: ContactEvent, ban: tuple[str, str], now: datetime) -> int:
        key = (event.channel, event.external_id)
        if key not in self.db.quarantine:
            self.db.quarantine[key] = len(self.db.quarantine) + 1
        return self.db.quarantine[key]

    async def open_lead(self, customer_id: int, since: datetime) -> LeadRef | None:
        open_leads = [lead for lead in self.db.leads.values()
                      if lead["customer_id"] == customer_id and lead["status"] in OPEN_STATUSES
                      and lead["last_touch_at"] >= since]
        if not open_leads:
            return None
        lead = max(open_leads, key=lambda row: row["last_touch_at"])
        return LeadRef(lead["id"], customer_id, lead["status"], since)

    async def create_lead(self, lead: LeadToOpen, assignment: Assignment) -> int:
        lead_id = len(self.db.leads) + 1
        self.db.leads[lead_id] = {"id": lead_id, "customer_id": lead.customer_id,
                                  "status": assignment.status, "channel": lead.event.event.channel,
                                  "last_touch_at": lead.event.event.occurred_at,
                                  "callback_due_at": lead.callback_due_at,
                                  "callback_done_at": None}
        return lead_id

    async def touch_lead(self, lead_id: int, at: datetime) -> None:
        lead = self.db.leads[lead_id]
        lead["last_touch_at"] = max(lead["last_touch_at"], at)

    async def insert_touch(self, customer_id: int, lead_id: int | None,
                           prepared: PreparedEvent, now: datetime) -> int:
        key = (prepared.event.channel, prepared.event.external_id)
        if key in self.db.touches:
            raise ValueError(f"touch {key} exists")
        touch = len(self.db.touches) + 1
        self.db.touches[key] = TouchRef(touch, lead_id, customer_id)
        return touch

    async def request_callback(self, lead_id: int, due_at: datetime) -> None:
        lead = self.db.leads[lead_id]
        due, done = lead["callback_due_at"], lead["callback_done_at"]
        if due is None or done is not None or due > due_at:
            lead["callback_due_at"], lead["callback_done_at"] = due_at, None

    async def fulfil_callbacks(self, customer_id: int, at: datetime) -> None:
        for lead in self.db.leads.values():
            if (lead["customer_id"] == customer_id and lead["callback_due_at"] is not None
                    and lead["callback_done_at"] is None):
                lead["callback_done_at"] = at

    async def existing_touches(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        return {key for key in keys if key in self.db.touches}

    async def create_customers(self, names: Sequence[str | None], now: datetime) -> list[int]:
        return [await self.create_customer(name, now) for name in names]

    async def add_identities_bulk(self, rows: Sequence[tuple[int, Sequence[Identity]]],
                                  now: datetime) -> None:
        for customer, found in rows:
            await self.add_identities(customer, found, now)

    async def create_leads(self, rows: Sequence[tuple[LeadToOpen, Assignment]]) -> list[int]:
        return [await self.create_lead(lead, assignment) for lead, assignment in rows]

    async def create_cards(self, cards: Sequence[NewCard], now: datetime) -> list[NewCardIds]:
        ids = await self.create_customers([card.name for card in cards], now)
        await self.add_identities_bulk(
            [(customer, card.identities) for customer, card in zip(ids, cards, strict=True)], now)
        await self.index_cards(
            [(customer, card.keys) for customer, card in zip(ids, cards, strict=True)], now)
        return [NewCardIds(customer) for customer in ids]

    async def open_leads(self, rows: Sequence[tuple[LeadToOpen, Assignment]],
                         now: datetime, announce: Announcer) -> list[tuple[int, int]]:
        leads = await self.create_leads(rows)
        touches = await self.insert_touches(
            [(lead.customer_id, lead_id, lead.event)
             for lead_id, (lead, _) in zip(leads, rows, strict=True)], now)
        self.db.announced.extend(announce(leads))
        return list(zip(leads, touches, strict=True))

    async def survey(self, touches: Sequence[tuple[str, str]], bans: Sequence[tuple[str, str]],
                     found: Sequence[Identity]) -> Survey:
        return Survey(await self.existing_touches(touches), await self.banned(bans),
                      await self.customers_by_identities(found))

    async def insert_touches(self, rows: Sequence[tuple[int, int | None, PreparedEvent]],
                             now: datetime) -> list[int]:
        return [await self.insert_touch(c, lead, prepared, now) for c, lead, prepared in rows]


class FakeUnitOfWork:
    """One transaction on a FakeDatabase: `async with`, then `commit()`, else rolled back."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db
        self.intake = FakeIntakeStore(db)
        self.routing: list[NewLead] = db.routed
        self._before: FakeDatabase | None = None

    async def __aenter__(self) -> FakeUnitOfWork:
        self._before = copy.deepcopy(self.db)
        return self

    async def commit(self) -> None:
        self._before = None

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._before is not None:
            self.db.__dict__.update(self._before.__dict__)
            self.routing = self.db.routed


class RecordingRouter:
    """A LeadRouter that offers every new lead to `manager` and notes it in `uow.routing`."""

    def __init__(self, manager: str | None = "Olga") -> None:
        self.manager = manager

    async def assign(self, routing: list[NewLead], leads: Sequence[LeadToOpen]
                     ) -> list[Assignment]:
        return [Assignment(NEW, manager_name=self.manager) for _ in leads]

    async def announce(self, routing: list[NewLead],
                       opened: Sequence[tuple[NewLead, Assignment]]) -> None:
        routing.extend(lead for lead, _ in opened)

    def announcements(self, opened: Sequence[tuple[NewLead, Assignment]]
                      ) -> list[Announcement]:
        return [(f"lead.offered:{lead.lead_id}", "lead.offered", {"lead_id": lead.lead_id})
                for lead, _ in opened]
