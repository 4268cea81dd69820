"""The read API answers only to valid tokens, and a manager sees only their own leads."""

from __future__ import annotations

from sqlalchemy import insert, update

from crm_store.routing_tables import managers
from crm_store.tables import leads
from crm_store.tokens import create_token
from leads.model import utcnow
from tests.support.leadgate_http import LeadgateClient, running_leadgate


async def _add_manager(leadgate: LeadgateClient, login: str) -> int:
    async with leadgate.store.engine.begin() as conn:
        result = await conn.execute(
            insert(managers)
            .values(login=login, name=login.title(), created_at=utcnow())
            .returning(managers.c.id)
        )
        return int(result.scalar_one())


async def test_api_without_a_valid_token_is_401(database_url: str) -> None:
    async with running_leadgate(database_url) as leadgate:
        missing = await leadgate.get("/api/leads")
        wrong = await leadgate.get("/api/leads", headers={"Authorization": "Bearer nope"})

    assert (missing.status, wrong.status) == (401, 401)
    assert missing.body["error"] == "unauthorized"


async def test_customer_is_found_by_phone_in_any_written_form(database_url: str) -> None:
    async with running_leadgate(database_url) as leadgate:
        posted = await leadgate.post_form("price", {"phone": "8 912 345 67 89"})
        leadgate.token = await create_token(leadgate.store.engine, "admin")
        found = await leadgate.get("/api/customers", params={"phone": "+7 (912) 345-67-89"})
        by_email = await leadgate.get("/api/customers", params={"email": "nobody@example.ru"})
        bad = await leadgate.get("/api/customers", params={"phone": "123"})

    assert found.status == 200 and found.body["id"] == posted.body["customer_id"]
    assert by_email.status == 404
    assert bad.status == 400 and bad.body["error"] == "malformed"


async def test_manager_token_sees_own_leads_only(database_url: str) -> None:
    async with running_leadgate(database_url) as leadgate:
        aziz = await _add_manager(leadgate, "aziz")
        await _add_manager(leadgate, "olga")
        mine = await leadgate.post_form("contact", {"phone": "+998901111111"})
        other = await leadgate.post_form("contact", {"phone": "+998902222222"})
        async with leadgate.store.engine.begin() as conn:
            await conn.execute(
                update(leads).where(leads.c.id == mine.body["lead_id"]).values(manager_id=aziz)
            )
        leadgate.token = await create_token(leadgate.store.engine, "manager", "aziz")
        listed = await leadgate.get("/api/leads")
        own = await leadgate.get(f"/api/leads/{mine.body['lead_id']}")
        foreign = await leadgate.get(f"/api/leads/{other.body['lead_id']}")
        foreign_card = await leadgate.get(f"/api/customers/{other.body['customer_id']}")

    assert [lead["id"] for lead in listed.body["leads"]] == [mine.body["lead_id"]]
    assert own.status == 200 and len(own.body["touches"]) == 1
    assert (foreign.status, foreign_card.status) == (404, 404)


async def test_leads_are_filtered_by_channel_and_status(database_url: str) -> None:
    async with running_leadgate(database_url) as leadgate:
        await leadgate.post_form("contact", {"phone": "+998901111111"})
        leadgate.token = await create_token(leadgate.store.engine, "admin")
        webform = await leadgate.get("/api/leads", params={"channel": "webform", "status": "new"})
        calls = await leadgate.get("/api/leads", params={"channel": "call"})
        bad = await leadgate.get("/api/leads", params={"limit": "many"})

    assert len(webform.body["leads"]) == 1 and calls.body["leads"] == []
    assert bad.status == 400


async def test_healthz_reports_the_database_and_unknown_paths_are_json_404(
    database_url: str,
) -> None:
    async with running_leadgate(database_url) as leadgate:
        health = await leadgate.get("/healthz")
        missing = await leadgate.get("/nowhere")

    assert health.status == 200 and health.body["database"] == "ok"
    assert missing.status == 404 and missing.body["error"] == "not_found"
