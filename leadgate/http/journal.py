"""The journal of refusals at the edges: each 400, 403 or 422 a sender got, with its body.

Kept so that nothing a sender tried is lost without a trace, and so `leadgate replay` can try
refused form posts again after a fix. Bounded by age and by count (`[journal]`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.webhook import RAW_BODY
from crm_store.uow import SqlUnitOfWork
from leads.model import utcnow

log = logging.getLogger(__name__)
JOURNALED = (400, 403, 422)
_CHANNELS = {"forms": "webform", "sms": "sms", "telegram": "telegram", "whatsapp": "whatsapp",
             "instagram": "instagram"}


@dataclass(frozen=True, slots=True)
class JournalSettings:
    """`[journal]`: how long and how many refusals are kept, and how much of each body."""

    keep_days: int = 14
    keep_rows: int = 10_000
    max_body_bytes: int = 262_144

    @classmethod
    def from_toml(cls, table: dict[str, Any]) -> JournalSettings:
        """The section as written; ValueError names a bad key."""
        values = {}
        for key, default in (("keep_days", 14), ("keep_rows", 10_000),
                             ("max_body_bytes", 262_144)):
            value = table.get(key, default)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"[journal] {key} must be a whole number, not {value!r}")
            values[key] = value
        return cls(**values)


def journal_refusals(engine: AsyncEngine, settings: JournalSettings) -> Middleware:
    """A middleware that journals every refused POST to a channel's webhook or form."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        if response.status in JOURNALED and request.method == "POST":
            channel = _CHANNELS.get(request.path.strip("/").split("/", 1)[0])
            if channel:
                await _keep(engine, settings, request, response, channel)
        return response

    return middleware


async def _keep(engine: AsyncEngine, settings: JournalSettings, request: web.Request,
                response: web.StreamResponse, channel: str) -> None:
    answer = _answer(response)
    row = {"channel": channel, "path": request.path[:300], "status": response.status,
           "code": str(answer.get("error", ""))[:64], "detail": str(answer.get("detail", ""))[:500],
           "content_type": request.headers.get("Content-Type", "")[:200] or None,
           "idempotency_key": request.headers.get("Idempotency-Key", "")[:200] or None,
           "raw": request.get(RAW_BODY, b"")[: settings.max_body_bytes] or None}
    try:
        async with SqlUnitOfWork(engine) as uow:
            await uow.hygiene.keep_refusal(row, settings.keep_days, settings.keep_rows, utcnow())
            await uow.commit()
    except Exception as err:  # the sender's answer must not depend on the journal
        log.warning("a refusal could not be journaled: %s", type(err).__name__)


def _answer(response: web.StreamResponse) -> dict[str, Any]:
    body = getattr(response, "body", None)
    try:
        answer = json.loads(body) if isinstance(body, bytes) else {}
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
