"""Finished calls reach intake with the manager who answered, even after a failed look-up."""

from __future__ import annotations

import asyncio
from pathlib import Path

from channels.telephony.delivery import CallDelivery
from channels.telephony.spool import CallSpool
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


async def test_calls_waiting_for_the_store_survive_a_restart_in_the_spool(tmp_path: Path) -> None:
    spool = CallSpool(tmp_path / "calls.jsonl")
    down = RecordingSink()
    down.failing = True
    before = CallDelivery(down, 0.01, 0.05, spool=spool)
    for extension in ("201", "202"):
        before.put(answered_by(extension))
    task = asyncio.create_task(before.run())
    await asyncio.sleep(0.1)  # tried, refused by the store, kept
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    sink = RecordingSink()
    after = CallDelivery(sink, 0.01, 0.05, spool=spool)
    task = asyncio.create_task(after.run())
    try:
        await wait_for(lambda: len(sink.events) == 2)
        await wait_for(lambda: spool.load() == [])
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert [e.external_id for e in sink.events] == ["call-201", "call-202"]
    assert sink.events[0].details == {"answered_by": "201"}
