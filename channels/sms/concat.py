"""Long SMS arrive in parts (Vonage `concat-*`): hold them durably until the message is whole."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from channels.base import CursorStore
from channels.sms.parse import InboundSms

Deliver = Callable[[InboundSms], Awaitable[Any]]


class ConcatAssembler:
    """Keeps the parts of each long message in the CursorStore, so a restart loses none.

    The state of one message (`sms:<provider>:concat:<sender>:<ref>`) is its parts by number,
    and after delivery the message ids it consumed: a redelivered part is then a duplicate,
    while a later message reusing the (small, recycled) reference starts afresh.
    """

    def __init__(self, cursors: CursorStore) -> None:
        self._cursors = cursors
        # One lock for all: parts are rare, and load-then-save must not interleave.
        self._lock = asyncio.Lock()

    async def add(self, sms: InboundSms, deliver: Deliver) -> str:
        """Store one part; deliver the whole message once all parts are in.

        Answers "held", "delivered" or "duplicate". If `deliver` raises, the parts stay
        stored and the provider's retry of any part completes the message again.
        """
        assert sms.part is not None
        key = f"sms:{sms.provider}:concat:{sms.sender}:{sms.part.ref}"
        async with self._lock:
            return await self._add(key, sms, deliver)

    async def _add(self, key: str, sms: InboundSms, deliver: Deliver) -> str:
        assert sms.part is not None
        state = await self._cursors.load(key) or {}
        if sms.message_id in state.get("delivered_ids", []):
            return "duplicate"
        parts: dict[str, Any] = dict(state.get("parts", {}))
        at = sms.received_at.isoformat() if sms.received_at else None
        parts[str(sms.part.number)] = {"id": sms.message_id, "text": sms.text, "at": at}
        await self._cursors.save(key, {"total": sms.part.total, "parts": parts})
        if len(parts) < sms.part.total:
            return "held"
        await deliver(_whole(sms, parts))
        ids = [parts[str(n)]["id"] for n in range(1, sms.part.total + 1)]
        await self._cursors.save(key, {"total": sms.part.total, "delivered_ids": ids})
        return "delivered"


def _whole(last: InboundSms, parts: dict[str, Any]) -> InboundSms:
    total = last.part.total if last.part else len(parts)
    ordered = [parts[str(n)] for n in range(1, total + 1)]
    return replace(
        last,
        # The first part's id names the whole message, whatever order the parts came in.
        message_id=ordered[0]["id"],
        received_at=datetime.fromisoformat(ordered[0]["at"]) if ordered[0]["at"] else None,
        text="".join(part["text"] for part in ordered),
        part=None,
        details={**last.details, "parts": total, "part_ids": [p["id"] for p in ordered]},
    )
