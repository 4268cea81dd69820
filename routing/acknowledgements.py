"""Acknowledgements for form and mail customers: once per lead, in the customer's language."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store import acknowledgement_store
from crm_store.lead_events import EventScanner
from crm_store.uow import SqlUnitOfWork
from leads.errors import ChannelUnavailable, InvalidEvent
from leads.model import utcnow
from routing.replies import ReplyService
from routing.rules import guess_language

log = logging.getLogger(__name__)
Templates = Mapping[str, str]
"""Language (`ru`, `uz`, `lt`, `en`, or `default`) → template with `{name}`, `{manager}`."""


@dataclass(frozen=True)
class AckTemplates:
    """`ack` of each `[forms.<key>]`, `[[imap.mailboxes]]` entry and `[smtp]`."""

    forms: dict[str, Templates] = field(default_factory=dict)
    mailboxes: dict[str, Templates] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, raw: Mapping[str, Any]) -> AckTemplates:
        """Read every `ack` key; ValueError names the table."""
        forms = {key: _templates(table.get("ack"), f"[forms.{key}]")
                 for key, table in (raw.get("forms") or {}).items()
                 if isinstance(table, dict) and "ack" in table}
        boxes: dict[str, Templates] = {}
        for box in (raw.get("imap") or {}).get("mailboxes") or []:
            if isinstance(box, dict) and "ack" in box:
                boxes[f"{box.get('user')}@{box.get('host')}"] = _templates(
                    box["ack"], "[[imap.mailboxes]]")
        smtp = raw.get("smtp") or {}
        if isinstance(smtp, dict) and "ack" in smtp:
            boxes["smtp"] = _templates(smtp["ack"], "[smtp]")
        return cls(forms, boxes)

    def __bool__(self) -> bool:
        return bool(self.forms or self.mailboxes)

    def choose(self, lead: Mapping[str, Any], text: str) -> str | None:
        """The template for this lead in its language, or None when its source has none."""
        attribution = lead.get("attribution") or {}
        if lead.get("channel") == "webform":
            templates = self.forms.get(str(attribution.get("form", "")))
        elif lead.get("channel") == "email":
            mailbox = str(attribution.get("mailbox", ""))
            templates = self.mailboxes.get("smtp" if mailbox.startswith("smtp") else mailbox)
        else:
            return None
        if not templates:
            return None
        language = guess_language(text) or "en"
        return templates.get(language) or templates.get("default") or templates.get("en") \
            or next(iter(templates.values()))


class Acknowledger:
    """The loop `acknowledgements` (once per cluster): answers each new form or mail lead."""

    name = "acknowledgements"

    def __init__(self, engine: AsyncEngine, replies: ReplyService, templates: AckTemplates,
                 poll_seconds: float = 1.0, clock: Callable[[], datetime] = utcnow) -> None:
        self._engine = engine
        self._replies = replies
        self._templates = templates
        self._scanner = EventScanner(engine, "routing:acknowledgements")
        self._poll = poll_seconds
        self._clock = clock

    async def run(self) -> None:
        """Acknowledge until cancelled."""
        while True:
            await self.step()
            await asyncio.sleep(self._poll)

    async def step(self) -> int:
        """Acknowledge the leads made since the last step; how many were sent."""
        sent = 0
        for event in await self._scanner.scan(self._clock(), with_changes=False):
            sent += await self._acknowledge(event.data)
        await self._scanner.commit()
        return sent

    async def _acknowledge(self, lead: Mapping[str, Any]) -> int:
        option = await self._replies.can_reply(int(lead["id"]))
        name, text = await self._replies.about(int(lead["id"]))
        template = self._templates.choose(lead, text)
        if template is None or option.channel is None:
            return 0
        async with SqlUnitOfWork(self._engine) as uow:
            claimed = await acknowledgement_store.claim(uow.connection, int(lead["id"]),
                                                        self._clock())
            await uow.commit()
        if not claimed:
            return 0  # acknowledged before: at most once, even across processes
        state, detail = "sent", None
        try:
            await self._replies.reply(int(lead["id"]), render(template, name))
        except (InvalidEvent, ChannelUnavailable) as err:
            state, detail = "failed", str(err)
            log.warning("lead %s not acknowledged: %s", lead["id"], err)
        async with SqlUnitOfWork(self._engine) as uow:
            await acknowledgement_store.record(uow.connection, int(lead["id"]), state,
                                               option.channel, detail)
            await uow.commit()
        return int(state == "sent")


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def render(template: str, name: str | None) -> str:
    """`{name}` filled in (or left out); white space and a stray comma tidied."""
    text = template.format_map(_Blank(name=name or ""))
    return " ".join(text.replace(" ,", ",").replace(" !", "!").split()).replace(", !", "!")


def _templates(value: Any, where: str) -> Templates:
    if isinstance(value, str) and value.strip():
        return {"default": value}
    if isinstance(value, dict) and value and all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
    ):
        return dict(value)
    raise ValueError(f"{where} ack must be a text or a table of language = text")
