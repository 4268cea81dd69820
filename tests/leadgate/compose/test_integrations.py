"""`leadgate run` runs the integrations' loops: webhooks reach receivers, leads reach the CRM."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from leadgate.compose.integrations import build_integrations
from leadgate.settings import ConfigError
from tests.conftest import make_settings
from tests.support.leadgate_http import running_leadgate
from tests.support.receiver import Receiver


async def test_a_new_lead_is_posted_to_the_configured_webhook(database_url: str) -> None:
    async with Receiver() as receiver:
        webhooks = [{"url": receiver.url, "secret": "secret-for-tests",
                     "events": ["lead.created"]}]
        async with running_leadgate(database_url, loops=("webhooks",),
                                    webhooks=webhooks) as leadgate:
            posted = await leadgate.post_form("contact", {"phone": "+998 90 123 45 67"})
            [request] = await receiver.wait_for(1)
            health = (await leadgate.get("/healthz")).body

    assert json.loads(request.body)["data"]["id"] == posted.body["lead_id"]
    assert "webhooks" in health["loops"]  # supervised, so it shows on /healthz


def test_a_bad_webhooks_entry_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="webhooks"):
        settings = make_settings("sqlite://", webhooks=[{"url": "x"}])
        build_integrations(settings, None)  # type: ignore[arg-type]


async def test_the_crm_id_of_a_new_lead_is_shown_by_the_api(database_url: str) -> None:
    from crm_store.tokens import create_token
    from tests.support.crm_servers import Bitrix24Server

    async with Bitrix24Server() as bitrix:
        crm = {"bitrix24": {"webhook_url": bitrix.webhook_url}}
        async with running_leadgate(database_url, loops=("crm:bitrix24",), crm=crm) as leadgate:
            leadgate.token = await create_token(leadgate.store.engine, "admin")
            posted = await leadgate.post_form("contact", {"phone": "+998 90 123 45 67"})
            lead = await _until_exported(leadgate, posted.body["lead_id"])
            card = (await leadgate.get(f"/api/customers/{posted.body['customer_id']}")).body

    assert lead["crm"] == [{"crm": "bitrix24", "lead_id": posted.body["lead_id"],
                            "state": "done", "crm_lead_id": "501", "crm_contact_id": None}]
    assert card["crm"] == lead["crm"]


async def _until_exported(leadgate: Any, lead_id: int) -> dict[str, Any]:
    for _ in range(100):
        lead: dict[str, Any] = (await leadgate.get(f"/api/leads/{lead_id}")).body
        if lead["crm"] and lead["crm"][0]["state"] == "done":
            return lead
        await asyncio.sleep(0.1)
    raise AssertionError("the lead never reached the CRM")
