"""`leadgate replay`: kept events fed through intake again, idempotently.

Two sources from `--since` on: the stored touches (each rebuilt as the event it was; intake
finds it stored and changes nothing), then the journal's refused form posts, read again from
their raw body with today's parser (after a fix they may become leads). A refused post without
an id of its own gets `journal-<id>` as its submission id, so replaying it twice stores it once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from channels.webforms.parse import Submission, canonical_fields, decode_body, is_spam, to_event
from channels.webforms.settings import WebFormsSettings
from crm_store import journal
from crm_store.intake_store import SqlIntakeStore
from leadgate.compose.store import Store
from leads.errors import InvalidEvent, LeadgateError
from leads.intake import prepare
from leads.model import ContactEvent, RawIdentity

_OWN_IDS = ("tranid", "submission_id", "idempotency_key")


@dataclass
class Summary:
    """What a replay did with each event it read."""

    read: int = 0
    stored: int = 0
    unchanged: int = 0
    refused: int = 0
    quarantined: int = 0
    skipped: int = 0
    refusals: dict[str, int] = field(default_factory=dict)

    def line(self, dry_run: bool) -> str:
        """One line for a person."""
        verb = "would store" if dry_run else "stored"
        return (f"read {self.read}: {verb} {self.stored}, unchanged {self.unchanged}, "
                f"refused {self.refused}, quarantined {self.quarantined}, "
                f"skipped {self.skipped}")


async def replay(store: Store, forms: WebFormsSettings, since: datetime, channel: str | None,
                 dry_run: bool, step: Callable[[int, int], None]) -> Summary:
    """Feed kept events from `since` through intake (or only check them with `dry_run`)."""
    summary = Summary()
    async with store.engine.connect() as conn:
        refused = await journal.refusals_since(conn, since, channel)
        touches = [row async for row in journal.touches_since(conn, since, channel)]
    total = len(touches) + len(refused)
    for row in touches:
        await _feed(store, _touch_event(row), dry_run, summary)
        step(summary.read, total)
    for row in refused:
        try:
            event = _form_event(row, forms, store.policy.default_region)
        except LeadgateError:  # still unreadable with today's parser
            summary.read += 1
            summary.refused += 1
        else:
            if event is None:
                summary.read += 1
                summary.skipped += 1
            else:
                await _feed(store, event, dry_run, summary)
        step(summary.read, total)
    return summary


async def _feed(store: Store, event: ContactEvent, dry_run: bool, summary: Summary) -> None:
    summary.read += 1
    try:
        if dry_run:
            prepare(event, store.policy)
            async with store.engine.connect() as conn:
                found = await SqlIntakeStore(conn).find_touch(event.channel, event.external_id)
            if found:
                summary.unchanged += 1
            else:
                summary.stored += 1
            return
        result = await store.intake(event)
    except InvalidEvent as err:
        summary.refused += 1
        summary.refusals[err.code] = summary.refusals.get(err.code, 0) + 1
        return
    if result.quarantined:
        summary.quarantined += 1
    elif result.deduplicated:
        summary.unchanged += 1
    else:
        summary.stored += 1


def _touch_event(row: dict[str, Any]) -> ContactEvent:
    identities = tuple(
        RawIdentity(item["kind"], item.get("value") or item.get("raw") or "")
        for item in row["identities"] or ()
    )
    return ContactEvent(
        channel=row["channel"], external_id=row["external_id"], occurred_at=row["occurred_at"],
        identities=identities, name=row["name"], subject=row["subject"], text=row["text"],
        attribution=row["attribution"] or {}, details=row["details"] or {},
        raw_ref=row["raw_ref"], raw=row["raw"], direction=row["direction"],
    )


def _form_event(row: dict[str, Any], forms: WebFormsSettings, region: str | None
                ) -> ContactEvent | None:
    """The event a refused form post makes with today's parser; None if it is no form post."""
    form = forms.forms.get(row["path"].removeprefix("/forms/"))
    if row["channel"] != "webform" or form is None or not row["raw"]:
        return None
    fields = decode_body(row["content_type"] or "", row["raw"])
    own_id = any(canonical_fields(fields).get(key, "").strip() for key in _OWN_IDS)
    key = row["idempotency_key"] or (None if own_id else f"journal-{row['id']}")
    submission = Submission(fields=fields, body=row["raw"], idempotency_key=key)
    event = to_event(submission, form, row["created_at"], region)
    if is_spam(fields, form):
        return None
    return event
