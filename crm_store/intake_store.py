"""The intake transaction's reads and writes, as SQLAlchemy Core statements on one connection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store import direct, duplicates, merging, outbox, screening
from crm_store import intake_statements as sql
from crm_store import opening_statements as opening
from crm_store.bulk import BulkInsert, columns_of, is_postgres
from leads.duplicates import MatchKey
from leads.model import ContactEvent
from leads.normalize import Identity
from leads.ports import (
    Announcer,
    Assignment,
    CustomerRef,
    LeadRef,
    LeadToOpen,
    NewCard,
    NewCardIds,
    PreparedEvent,
    Survey,
    TouchRef,
)


class SqlIntakeStore:
    """IntakeStore on one connection inside the caller's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def find_touch(self, channel: str, external_id: str) -> TouchRef | None:
        """The touch already stored for (channel, external_id), if any."""
        params = {"channel": channel, "external_id": external_id}
        row = await direct.first(self.connection, sql.FIND_TOUCH, params)
        return TouchRef(row.id, row.lead_id, row.customer_id) if row else None

    async def record_ignored(self, event: PreparedEvent, now: datetime) -> bool:
        """Record a known non-lead once; False if it was recorded before."""
        source = event.event
        key = {"channel": source.channel, "external_id": source.external_id}
        if await direct.scalar(self.connection, sql.IGNORED, key) is not None:
            return False
        await self.connection.execute(sql.INSERT_IGNORED, {
            **key, "reason": (source.ignored or "")[:200], "occurred_at": source.occurred_at,
            "created_at": now, "details": sql.details(source), "raw": source.raw,
        })
        return True

    async def customers_by_identities(self, found: Sequence[Identity]) -> list[CustomerRef]:
        """One row per identity of `found` that some customer already has."""
        if not found:
            return []
        wanted = {(i.kind, i.value): i for i in found}
        rows = await sql.CUSTOMERS_BY_IDENTITIES.execute(self.connection, list(wanted))
        return [
            CustomerRef(row.id, row.created_at, wanted[(row.kind, row.value)], row.owner_manager_id)
            for row in rows
        ]

    async def lead_of_touches(self, channel: str, external_ids: Sequence[str]) -> LeadRef | None:
        """The lead of the most recent stored touch among `external_ids` (a mail thread)."""
        params = {"channel": channel, "external_ids": list(external_ids)}
        row = await direct.first(self.connection, sql.LEAD_OF_TOUCHES, params)
        return LeadRef(row.id, row.customer_id, row.status, row.created_at) if row else None

    async def create_customer(self, name: str | None, now: datetime) -> int:
        """A new, empty customer card."""
        return (await self.create_customers([name], now))[0]

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
        await self.add_identities_bulk([(customer_id, found)], now)

    async def add_identities_bulk(
        self, rows: Sequence[tuple[int, Sequence[Identity]]], now: datetime
    ) -> None:
        """Identities of several new customers in one statement."""
        await sql.INSERT_IDENTITIES.execute(self.connection, [
            {"customer_id": customer, "kind": i.kind, "value": i.value, "info": i.info,
             "created_at": now}
            for customer, found in rows
            for i in found
        ])

    async def fill_customer_name(self, customer_id: int, name: str) -> bool:
        """Give a nameless card the name this touch brought; False if it had one."""
        params = {"customer_id": customer_id, "new_name": name}
        return bool(await direct.rowcount(self.connection, sql.FILL_NAME, params))

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
        row = await direct.first(self.connection, sql.OPEN_LEAD, params)
        return LeadRef(row.id, row.customer_id, row.status, since) if row else None

    async def create_lead(self, lead: LeadToOpen, assignment: Assignment) -> int:
        """Open a new lead, placed as routing decided."""
        return (await self.create_leads([(lead, assignment)]))[0]

    async def touch_lead(self, lead_id: int, at: datetime) -> None:
        """Note a new touch on the lead."""
        await direct.rowcount(self.connection, sql.TOUCH_LEAD, {"lead_id": lead_id, "at": at})

    async def insert_touch(
        self, customer_id: int, lead_id: int | None, prepared: PreparedEvent, now: datetime
    ) -> int:
        """The touch itself, with its raw payload; unique on (channel, external_id)."""
        return (await self.insert_touches([(customer_id, lead_id, prepared)], now))[0]

    async def existing_touches(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (channel, external_id) pairs are stored already."""
        if not keys:
            return set()
        rows = await sql.EXISTING_TOUCHES.execute(self.connection, keys)
        return {(row.channel, row.external_id) for row in rows}

    async def survey(
        self, touches: Sequence[tuple[str, str]], bans: Sequence[tuple[str, str]],
        found: Sequence[Identity],
    ) -> Survey:
        """Stored touches, ban hits and known cards among these keys (one round trip)."""
        if not is_postgres(self.connection):
            return Survey(await self.existing_touches(touches), await self.banned(bans),
                          await self.customers_by_identities(found))
        wanted = {(i.kind, i.value): i for i in found}
        rows = await direct.rows(self.connection, sql.SURVEY,
                                 sql.survey_params(touches, bans, list(wanted)))
        return sql.survey_of(rows, wanted)

    async def create_customers(self, names: Sequence[str | None], now: datetime) -> list[int]:
        """New cards, one per name, ids in the same order."""
        rows = [{"created_at": now, "name": name} for name in names]
        return await self._ids(sql.INSERT_CUSTOMERS, rows)

    async def create_cards(self, cards: Sequence[NewCard], now: datetime) -> list[NewCardIds]:
        """New cards with their identities and match keys (and the pairs these make), ids in
        the same order; on PostgreSQL one statement, and one more only if pairs were found.
        On PostgreSQL each card also comes with the id its lead will have (`open_leads`)."""
        if not is_postgres(self.connection):
            ids = await self.create_customers([card.name for card in cards], now)
            await self.add_identities_bulk(
                [(customer, card.identities) for customer, card in zip(ids, cards, strict=True)],
                now)
            await self.index_cards(
                [(customer, card.keys) for customer, card in zip(ids, cards, strict=True)], now)
            return [NewCardIds(customer) for customer in ids]
        rows = await direct.rows(self.connection, opening.CREATE_CARDS,
                                 opening.cards_params(cards, now, self.connection))
        made, holders = opening.cards_of(rows, cards)
        await duplicates.record_pairs(
            self.connection,
            [(card_ids.customer_id, card.keys) for card_ids, card in zip(made, cards, strict=True)],
            holders, now)
        return made

    async def open_leads(self, rows: Sequence[tuple[LeadToOpen, Assignment]], now: datetime,
                         announce: Announcer) -> list[tuple[int, int]]:
        """New leads, each placed as routing decided, with the touch of the event opening it
        and what `announce` says of them: (lead id, touch id) in the same order. On PostgreSQL
        one statement (two if a lead's id was not kept with its card)."""
        if not is_postgres(self.connection):
            leads = await self.create_leads(rows)
            touches = await self.insert_touches(
                [(lead.customer_id, lead_id, lead.event)
                 for lead_id, (lead, _) in zip(leads, rows, strict=True)], now)
            await outbox.SqlOutbox(self.connection).add(announce(leads), now)
            return list(zip(leads, touches, strict=True))
        if not rows:
            return []
        ids = await self._lead_ids([lead for lead, _ in rows])
        params = {
            **columns_of([opening.opening_row(lead, lead_id, assignment, now)
                          for lead_id, (lead, assignment) in zip(ids, rows, strict=True)],
                         opening.OPENING_COLUMNS, opening.OPENING_JSON, self.connection),
            **{f"message_{name}": column for name, column in columns_of(
                outbox.rows_of(announce(ids), now), outbox.COLUMNS, opening.MESSAGE_JSON,
                self.connection).items()},
        }
        return [(row.lead_id, row.touch_id)
                for row in await direct.rows(self.connection, opening.OPEN_LEADS, params)]

    async def _lead_ids(self, leads: Sequence[LeadToOpen]) -> list[int]:
        """The leads' ids: kept with their cards, else taken from the sequence now."""
        missing = sum(lead.lead_id is None for lead in leads)
        taken = iter(sorted(row.id for row in await direct.rows(
            self.connection, opening.LEAD_IDS, {"count": missing})) if missing else [])
        return [next(taken) if lead.lead_id is None else lead.lead_id for lead in leads]

    async def create_leads(self, rows: Sequence[tuple[LeadToOpen, Assignment]]) -> list[int]:
        """New leads, each placed as routing decided, ids in the same order."""
        return await self._ids(sql.INSERT_LEADS, [sql.lead_row(lead, assignment)
                                                  for lead, assignment in rows])

    async def insert_touches(
        self, rows: Sequence[tuple[int, int | None, PreparedEvent]], now: datetime
    ) -> list[int]:
        """Touches in bulk, ids in the same order."""
        return await self._ids(sql.INSERT_TOUCHES, [sql.touch_row(customer, lead, prepared, now)
                                                    for customer, lead, prepared in rows])

    async def _ids(self, statement: BulkInsert, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        if not rows:
            return []
        ids = [row[0] for row in await statement.execute(self.connection, rows)]
        # One sequence fed in array order: ascending ids are the rows' order (see crm_store.bulk).
        return sorted(ids) if is_postgres(self.connection) else ids

    async def request_callback(
        self, lead_id: int, requested_at: datetime, due_at: datetime
    ) -> None:
        """Ask for a callback on the lead unless one is already due earlier."""
        await direct.rowcount(self.connection, sql.REQUEST_CALLBACK, {
            "lead_id": lead_id, "requested_at": requested_at, "due_at": due_at})

    async def fulfil_callbacks(self, customer_id: int, at: datetime) -> None:
        """Close every callback of the customer asked before `at`: we reached them."""
        await direct.rowcount(self.connection, sql.FULFIL_CALLBACKS,
                              {"customer": customer_id, "at": at})

    async def mark_contacted(self, lead_id: int, at: datetime, manager_id: int | None) -> None:
        """The first time a manager reached the customer after the lead opened (and who)."""
        await direct.rowcount(self.connection, sql.MARK_CONTACTED, {
            "lead_id": lead_id, "at": at, "acting": manager_id})
