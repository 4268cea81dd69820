"""Finished calls reach intake with the manager who answered, even after a failed look-up."""

from __future__ import annotations

import asyncio

from channels.telephony.delivery import CallDelivery
from leads.model import ContactEvent, utcnow
from tests.channels.telephony.conftest import wait_for
from tests.fakes import RecordingSink


def answered_by(extension: str | None) -> ContactEvent:
    return ContactEvent(channel="call", external_id=f"call-{extension}", occurred_at=utcnow(),
                        details={"answered_by": extension})


async def test_the_answering_extensions_manager_is_added_and_a_failed_lookup_is_retried() -> None:
    sink, asked = RecordingSink(), []

    async def manager_of(extension: str) -> int | None:
        asked.append(extension)
        if len(asked) == 1:
            raise ConnectionRefusedError("the database is restarting")
        return {"201": 7}.get(extension)

    delivery = CallDelivery(sink, 0.01, 0.05, manager_of=manager_of)
    for extension in ("201", "299", None):
        delivery.put(answered_by(extension))
    task = asyncio.create_task(delivery.run())
    try:
        await wait_for(lambda: len(sink.events) == 3)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    managers = {e.external_id: e.details.get("manager_id", "absent") for e in sink.events}
    assert managers == {"call-201": 7, "call-299": None, "call-None": "absent"}
    assert sorted(asked) == ["201", "201", "299"]
