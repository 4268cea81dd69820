"""A manager acts only on leads offered to them, their own, or waiting in a team of theirs."""

from __future__ import annotations

from crm_store.tokens import create_token
from tests.routing.staffing import FLOOR, OLGA
from tests.support.leadgate_http import LeadgateClient, running_leadgate

AWAY = {**FLOOR, "managers": {login: {**fields, "available": False}
                              for login, fields in FLOOR["managers"].items()}}


async def as_manager(lg: LeadgateClient, login: str) -> None:
    lg.token = await create_token(lg.store.engine, "manager", login)


async def test_a_team_queue_lead_is_taken_only_by_a_member_of_that_team(database_url: str) -> None:
    async with running_leadgate(database_url, **AWAY) as lg:
        insta = (await lg.post_form("contact", {"phone": "+998901113001",
                                                "utm_source": "instagram"})).body["lead_id"]
        sales = (await lg.post_form("contact", {"phone": "+998901113002"})).body["lead_id"]
        await as_manager(lg, "ira")
        other_team = await lg.request("POST", f"/api/leads/{sales}/accept")
        own_team = await lg.request("POST", f"/api/leads/{insta}/accept")
        nobody_has = await lg.request("POST", "/api/leads/999999/accept")
        await as_manager(lg, "olga")
        sales_member = await lg.request("POST", f"/api/leads/{sales}/accept")

    assert (own_team.status, sales_member.status) == (200, 200)
    assert (other_team.status, other_team.body["error"]) == (404, "not_found")
    assert other_team.body["detail"] == nobody_has.body["detail"].replace("999999", str(sales))


async def test_another_managers_lead_cannot_be_read_passed_or_closed(database_url: str) -> None:
    async with running_leadgate(database_url, **AWAY) as lg:
        lead = (await lg.post_form("contact", {"phone": "+998901113003"})).body["lead_id"]
        await as_manager(lg, "olga")
        await lg.request("POST", f"/api/leads/{lead}/accept")
        await as_manager(lg, "timur")
        answers = [await lg.get(f"/api/leads/{lead}"),
                   await lg.request("POST", f"/api/leads/{lead}/pass"),
                   await lg.request("POST", f"/api/leads/{lead}/close", json={"status": "won"})]

    assert [(a.status, a.body["error"]) for a in answers] == [(404, "not_found")] * 3


async def test_an_admin_hands_any_lead_to_anyone(database_url: str) -> None:
    async with running_leadgate(database_url, **AWAY) as lg:
        lead = (await lg.post_form("contact", {"phone": "+998901113004",
                                               "utm_source": "instagram"})).body["lead_id"]
        lg.token = await create_token(lg.store.engine, "admin")
        handed = await lg.request("POST", f"/api/leads/{lead}/accept", json={"manager_id": OLGA})

    assert (handed.status, handed.body["manager_id"]) == (200, OLGA)
