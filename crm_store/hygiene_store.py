"""The card-hygiene writes of one unit of work: bans, quarantine releases, merges, dismissals.

Reached as `uow.hygiene`, so the API and the CLI write them in a transaction they commit, like
every other write; the statements themselves live in `screening`, `merging`, `duplicates` and
`journal`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store import cards, duplicates, journal, merging, screening
from leads.bans import BanKey


class SqlHygieneStore:
    """Ban, release, merge and dismiss writes on one transaction's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add_ban(self, key: BanKey, reason: str | None, now: datetime) -> int:
        """Ban `key`; the ban's id (the existing one when it was banned already)."""
        return await screening.add_ban(self.connection, key, reason, now)

    async def remove_ban(self, key: BanKey) -> bool:
        """Lift the ban on `key`; False if there was none."""
        return await screening.remove_ban(self.connection, key)

    async def remove_ban_by_id(self, ban_id: int) -> bool:
        """Lift the ban with this id; False if there was none."""
        return await screening.remove_ban_by_id(self.connection, ban_id)

    async def mark_released(self, quarantine_id: int, outcome: dict[str, Any],
                            now: datetime) -> None:
        """Note that a quarantined event went through intake, and what it became."""
        await screening.mark_released(self.connection, quarantine_id, outcome, now)

    async def merge_by_hand(self, into_id: int, from_id: int, by: str, now: datetime) -> int:
        """Merge card `from_id` into `into_id`; LookupError or MergeRefused says why not."""
        return await merging.merge_by_hand(self.connection, into_id, from_id, by, now)

    async def undo_merge(self, merge_id: int, now: datetime) -> dict[str, int]:
        """Put both cards of a merge back; LookupError or MergeRefused says why not."""
        return await merging.undo_merge(self.connection, merge_id, now)

    async def surviving_customer_id(self, customer_id: int) -> int | None:
        """The card a customer lives on now (after merges); None when there is no such one."""
        return await cards.surviving_customer_id(self.connection, customer_id)

    async def dismiss_duplicate(self, customer_id: int, other_id: int, now: datetime) -> None:
        """Never suggest these two cards as one person again."""
        await duplicates.dismiss(self.connection, customer_id, other_id, now)

    async def keep_refusal(self, row: dict[str, Any], keep_days: int, keep_rows: int,
                           now: datetime) -> int:
        """Journal one refused request, within the journal's bounds."""
        return await journal.keep_refusal(self.connection, row, keep_days, keep_rows, now)
