"""Live updates: outbox messages become changes told only to whom they concern."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import insert

from crm_store.accounts import Account
from crm_store.engine import create_engine
from crm_store.migrate import upgrade_if_empty
from crm_store.routing_tables import outbox
from crm_store.tokens import Principal
from leads.model import utcnow
from workspace.events import concerns
from workspace.live import Change, LiveFeed, change_of
from workspace.viewer import Viewer

AZIZ = Viewer(Account(1, "aziz", "Aziz", False, None), Principal("manager", 1),
              frozenset({"sales"}))
BOSS = Viewer(Account(3, "boss", "Boss", True, None), Principal("admin", 3), frozenset())


def test_an_offer_tells_its_manager_and_the_admin_without_personal_data() -> None:
    change = change_of("lead.assigned.2", {
        "event": "lead.assigned", "lead_id": 7, "manager": {"id": 2, "name": "Olga"},
        "lead": {"name": "Иван", "phones": ["+79161234567"]}})

    assert change == Change("lead.assigned", 7, 2, None)
    assert not concerns(change, AZIZ) and concerns(change, BOSS)
    assert "Иван" not in change.as_sse().decode() and b"7916" not in change.as_sse()


def test_a_queued_lead_tells_the_members_of_its_team_only() -> None:
    sales = change_of("lead.unassigned", {"event": "lead.unassigned", "lead_id": 8,
                                          "team": "sales"})
    support = change_of("lead.unassigned", {"event": "lead.unassigned", "lead_id": 9,
                                            "team": "support"})

    assert concerns(sales, AZIZ) and not concerns(support, AZIZ)
    assert concerns(Change("changed"), AZIZ)


def _message(lead_id: int) -> dict[str, Any]:
    return {"message_id": f"offer-{lead_id}", "routing_key": "lead.unassigned",
            "payload": {"event": "lead.unassigned", "lead_id": lead_id, "team": "sales"},
            "created_at": utcnow()}


async def test_a_message_committed_after_a_later_one_is_still_told(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    await upgrade_if_empty(engine)
    feed = LiveFeed(engine, poll_seconds=0.05)
    try:
        async with engine.connect() as slow:
            await slow.execute(insert(outbox), [_message(1)])  # the lower id, committed last
            async with engine.begin() as quick:
                await quick.execute(insert(outbox), [_message(2)])
            changes = feed.listen()
            await asyncio.sleep(0.3)  # several polls while the lower id is still open
            while_open = changes.qsize()
            await slow.commit()
        told = [await asyncio.wait_for(changes.get(), 10) for _ in range(2)]
    finally:
        await feed.close()
        await engine.dispose()

    assert while_open == 0
    assert [change.lead_id for change in told] == [1, 2]
