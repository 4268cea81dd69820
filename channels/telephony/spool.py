"""Calls not yet stored, kept in a file so that a restart while the store is down loses none."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from leads.model import ContactEvent, RawIdentity

log = logging.getLogger(__name__)


class CallSpool:
    """A JSON-lines file holding the undelivered call events, rewritten whole on each change."""

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)

    def load(self) -> list[ContactEvent]:
        """The events left by the last run (a damaged line is skipped and counted in the log)."""
        try:
            lines = self._path.read_text("utf-8").splitlines()
        except FileNotFoundError:
            return []
        events, damaged = [], 0
        for line in lines:
            try:
                events.append(_decode(json.loads(line)))
            except (ValueError, KeyError, TypeError):
                damaged += 1
        if damaged:
            log.error("Call spool %s: %d damaged entries skipped", self._path, damaged)
        return events

    def save(self, events: Iterable[ContactEvent]) -> None:
        """Replace the file's content with `events`, atomically."""
        temporary = self._path.with_name(self._path.name + ".tmp")
        with temporary.open("w", encoding="utf-8") as out:
            for event in events:
                out.write(json.dumps(_encode(event), ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self._path)


def _encode(event: ContactEvent) -> dict[str, Any]:
    return {
        "external_id": event.external_id, "occurred_at": event.occurred_at.isoformat(),
        "identities": [[i.kind, i.value] for i in event.identities], "name": event.name,
        "attribution": dict(event.attribution), "details": dict(event.details),
        "region": event.region, "direction": event.direction, "callback": event.callback,
    }  # fmt: skip


def _decode(data: dict[str, Any]) -> ContactEvent:
    return ContactEvent(
        channel="call",
        external_id=str(data["external_id"]),
        occurred_at=datetime.fromisoformat(data["occurred_at"]),
        identities=tuple(RawIdentity(kind, str(value)) for kind, value in data["identities"]),
        name=data.get("name"),
        attribution=dict(data.get("attribution") or {}),
        details=dict(data.get("details") or {}),
        region=data.get("region"),
        direction=data.get("direction", "inbound"),
        callback=data.get("callback"),
    )
