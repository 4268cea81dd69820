"""A manager's Telegram reply to a customer who missed us on the phone makes the callback."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from crm_store.tokens import create_token
from leads.model import ContactEvent, RawIdentity
from routing.deadlines import DeadlineDesk
from tests.conftest import FIXTURES
from tests.routing.staffing import OLGA
from tests.routing.test_telegram_manager_bot import (
    CUSTOMER_BOT,
    MANAGER_BOT,
    reply,
    sent_message,
    to_chat,
    with_bots,
)
from tests.support.leadgate_http import LeadgateClient, running_leadgate
from tests.support.telegram_api import TelegramTestServer

MISSED_AT = datetime(2026, 11, 2, 6, 20, tzinfo=UTC)  # after the customer wrote in Telegram


async def contacted(lg: LeadgateClient, lead_id: int) -> dict[str, Any]:
    for _ in range(100):
        lead = (await lg.get(f"/api/leads/{lead_id}")).body
        if lead["contacted_at"]:
            return dict(lead)
        await asyncio.sleep(0.1)
    raise AssertionError(f"lead {lead_id} was never contacted")


async def test_a_telegram_reply_fulfils_the_callback_and_contacts_the_lead(
    database_url: str,
) -> None:
    async with TelegramTestServer() as telegram, running_leadgate(
        database_url, loops=True, **with_bots(telegram)
    ) as lg:
        lg.token = await create_token(lg.store.engine, "admin")
        update = json.loads((FIXTURES / "telegram" / "contact_shared_own.json").read_text())
        posted = await lg.request("POST", "/telegram/main", json=update,
                                  headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
        notice = await telegram.wait_for_call("sendMessage", to_chat(5001), within=20,
                                              token=MANAGER_BOT)
        missed = await lg.store.intake(ContactEvent(
            channel="call", external_id="missed-1", occurred_at=MISSED_AT,
            identities=(RawIdentity("phone", "+998901234567"),),
            details={"disposition": "missed"}, callback="request"))
        due_before = (await lg.get("/api/leads?callback=due")).body["leads"]
        telegram.push_update(reply(OLGA + 5000, "Kechirasiz, hozir qo'ng'iroq qilaman",
                                   sent_message(notice)))
        await telegram.wait_for_call("sendMessage", to_chat(5123456789), within=10,
                                     token=CUSTOMER_BOT)
        lead = await contacted(lg, missed.lead_id or 0)
        due_after = (await lg.get("/api/leads?callback=due")).body["leads"]
        fired = await DeadlineDesk(lg.store.engine, timedelta(minutes=15)).sweep(
            datetime.now(UTC) + timedelta(days=1))

    assert posted.status == 200
    assert [d["id"] for d in due_before] == [missed.lead_id]
    assert lead["contacted_by"] == OLGA and lead["callback_done_at"] is not None
    assert lead["callback_due_at"] == (MISSED_AT + timedelta(minutes=15)).isoformat()
    assert due_after == []
    assert fired == 0
