"""What intake needs from the store and from routing, as protocols (implemented elsewhere).

Intake runs inside a `UnitOfWork`: one transaction holding every store it writes through.
`uow.intake` is the card side; `uow.routing` is whatever the `LeadRouter` reads and writes
through (the teams it decides among, the lead's outbox message), opaque to intake, which only
hands it on. A new lead is routed before it is stored, so its row is written once, already
carrying its assignment; the router announces it once it has an id. The SQL
implementations are `crm_store.uow.SqlUnitOfWork` and `routing.router.RulesRouter`; tests use
fakes of both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from leads.duplicates import MatchKey
from leads.model import ContactEvent
from leads.normalize import Identity


@dataclass(frozen=True, slots=True)
class CustomerRef:
    """A customer found by one of the event's identities."""

    id: int
    created_at: datetime
    matched: Identity
    owner_manager_id: int | None = None


@dataclass(frozen=True, slots=True)
class LeadRef:
    """An open lead a touch may join."""

    id: int
    customer_id: int
    status: str
    customer_created_at: datetime


@dataclass(frozen=True, slots=True)
class TouchRef:
    """A touch already stored for an event (redelivery)."""

    id: int
    lead_id: int | None
    customer_id: int


@dataclass(frozen=True, slots=True)
class PreparedEvent:
    """An event with its identities normalized; phones that failed stay as raw text only."""

    event: ContactEvent
    identities: tuple[Identity, ...]
    name: str | None
    unusable: tuple[str, ...]
    screened: bool = False
    """Checked against the ban list already (or released from quarantine): intake lets it in."""

    def identities_json(self) -> list[dict[str, Any]]:
        """The identities as recorded on the touch, usable and not."""
        usable = [{"kind": i.kind, "value": i.value, **i.info} for i in self.identities]
        return usable + [{"kind": "phone", "raw": raw, "valid": False} for raw in self.unusable]


@dataclass(frozen=True, slots=True)
class Survey:
    """What the store knows of a group's keys, read at once: before intake writes anything."""

    stored: set[tuple[str, str]]
    """(channel, external_id) of the touches stored already."""
    banned: set[tuple[str, str]]
    """The ban keys on the ban list."""
    known: list[CustomerRef]
    """One per identity some customer already has."""


@dataclass(frozen=True, slots=True)
class NewCard:
    """A card intake is about to create for a new person: name, identities and match keys."""

    name: str | None
    identities: Sequence[Identity]
    keys: Sequence[MatchKey]


@dataclass(frozen=True, slots=True)
class NewCardIds:
    """A card `create_cards` made: its id, and the id kept for the lead it opens (or None)."""

    customer_id: int
    lead_id: int | None = None
    """Taken from the leads' sequence with the card where the store has one (PostgreSQL), so
    the lead's announcement can be written in the statement that opens it."""


@dataclass(frozen=True, slots=True)
class LeadToOpen:
    """A lead intake is about to open: whose, from which event, with which callback due."""

    customer_id: int
    owner_manager_id: int | None
    event: PreparedEvent
    callback_due_at: datetime | None = None
    lead_id: int | None = None
    """The id kept for it by `create_cards`, if any; else the store gives it one."""


Announcement = tuple[str, str, dict[str, Any]]
"""A message routing writes to the outbox: (message id, routing key, payload)."""
Announcer = Callable[[Sequence[int]], Sequence[Announcement]]
"""What to announce of leads about to be opened, given their ids in order."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where routing puts a lead before it is stored: its status, team and manager, and why."""

    status: str
    team: str | None = None
    manager_id: int | None = None
    manager_name: str | None = None
    routing: dict[str, Any] | None = None
    offer_deadline_at: datetime | None = None
    assigned_at: datetime | None = None
    note: Any = field(default=None, compare=False)
    """The router's own record of the decision, handed back to it in `announce`."""


@dataclass(frozen=True, slots=True)
class NewLead:
    """What routing is told about a lead intake just opened."""

    lead_id: int
    customer_id: int
    owner_manager_id: int | None
    event: PreparedEvent


class IntakeStore(Protocol):
    """The reads and writes of one intake transaction."""

    async def find_touch(self, channel: str, external_id: str) -> TouchRef | None: ...

    async def record_ignored(self, event: PreparedEvent, now: datetime) -> bool: ...

    async def customers_by_identities(
        self, identities: Sequence[Identity]
    ) -> list[CustomerRef]: ...

    async def lead_of_touches(
        self, channel: str, external_ids: Sequence[str]
    ) -> LeadRef | None: ...

    async def create_customer(self, name: str | None, now: datetime) -> int: ...

    async def merge_customer(
        self, into_id: int, from_id: int, proof: Identity, event: ContactEvent, now: datetime
    ) -> None: ...

    async def add_identities(
        self, customer_id: int, identities: Sequence[Identity], now: datetime
    ) -> None: ...

    async def fill_customer_name(self, customer_id: int, name: str) -> bool: ...

    async def index_cards(
        self, cards: Sequence[tuple[int, Sequence[MatchKey]]], now: datetime
    ) -> None: ...

    async def open_lead(self, customer_id: int, since: datetime) -> LeadRef | None: ...

    async def create_lead(self, lead: LeadToOpen, assignment: Assignment) -> int: ...

    async def touch_lead(self, lead_id: int, at: datetime) -> None: ...

    async def insert_touch(
        self, customer_id: int, lead_id: int | None, prepared: PreparedEvent, now: datetime
    ) -> int: ...

    async def request_callback(
        self, lead_id: int, requested_at: datetime, due_at: datetime
    ) -> None: ...

    async def existing_touches(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]: ...

    async def survey(
        self, touches: Sequence[tuple[str, str]], bans: Sequence[tuple[str, str]],
        found: Sequence[Identity],
    ) -> Survey: ...

    async def create_cards(self, cards: Sequence[NewCard], now: datetime
                           ) -> list[NewCardIds]: ...

    async def open_leads(
        self, rows: Sequence[tuple[LeadToOpen, Assignment]], now: datetime, announce: Announcer
    ) -> list[tuple[int, int]]: ...

    async def fulfil_callbacks(self, customer_id: int, at: datetime) -> None: ...

    async def mark_contacted(self, lead_id: int, at: datetime, manager_id: int | None) -> None: ...

    async def banned(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]: ...

    async def quarantine(
        self, event: ContactEvent, ban: tuple[str, str], now: datetime
    ) -> int: ...


RoutingT_co = TypeVar("RoutingT_co", covariant=True)
RoutingT_contra = TypeVar("RoutingT_contra", contravariant=True)


class UnitOfWork(Protocol[RoutingT_co]):
    """One transaction and the stores written through it; nothing is kept unless committed."""

    @property
    def intake(self) -> IntakeStore:
        """Customers, identities, leads and touches."""
        ...

    @property
    def routing(self) -> RoutingT_co:
        """What the lead router writes through (assignments and the outbox)."""
        ...

    async def commit(self) -> None:
        """Make the transaction's writes durable."""
        ...


class LeadRouter(Protocol[RoutingT_contra]):
    """Routes new leads in intake: decides before they are stored, announces once they are."""

    async def assign(
        self, routing: RoutingT_contra, leads: Sequence[LeadToOpen]
    ) -> list[Assignment]:
        """Where each lead about to open goes, in order (may read and lock; writes nothing)."""
        ...

    async def announce(
        self, routing: RoutingT_contra, opened: Sequence[tuple[NewLead, Assignment]]
    ) -> None:
        """Write what routing says about leads now stored with the assignment it gave them."""
        ...

    def announcements(self, opened: Sequence[tuple[NewLead, Assignment]]
                      ) -> list[Announcement]:
        """What `announce` writes for these leads (pure), for the store to write it with them."""
        ...
