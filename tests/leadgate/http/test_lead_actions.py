"""Acting on leads over HTTP: accept, pass, close, with clear errors and manager tokens."""

from __future__ import annotations

from crm_store.tokens import create_token
from tests.routing.staffing import AZIZ, FLOOR, IRA, TIMUR
from tests.support.leadgate_http import running_leadgate


async def test_the_offered_manager_accepts_passes_and_closes_with_their_own_token(
    database_url: str,
) -> None:
    async with running_leadgate(database_url, **FLOOR) as lg:
        first = (await lg.post_form("contact", {"phone": "+998901110001",
                                                "utm_source": "instagram"})).body["lead_id"]
        second = (await lg.post_form("contact", {"phone": "+998901110002",
                                                 "utm_source": "instagram"})).body["lead_id"]
        lg.token = await create_token(lg.store.engine, "manager", "ira")
        accepted = await lg.request("POST", f"/api/leads/{first}/accept")
        not_hers = await lg.request("POST", f"/api/leads/{second}/accept")
        closed = await lg.request("POST", f"/api/leads/{first}/close", json={"status": "won"})
        lg.token = await create_token(lg.store.engine, "manager", "timur")
        passed = await lg.request("POST", f"/api/leads/{second}/pass")

    assert (accepted.status, accepted.body["manager_id"]) == (200, IRA)
    # A lead offered to someone else answers like one that does not exist (no probing of ids).
    assert (not_hers.status, not_hers.body["error"]) == (404, "not_found")
    assert closed.body == {"lead_id": first, "status": "won"}
    assert passed.status == 200 and passed.body["manager_id"] == IRA


async def test_an_admin_hands_a_waiting_lead_to_a_named_manager(database_url: str) -> None:
    floor = {**FLOOR, "managers": {k: {**v, "available": False}
                                   for k, v in FLOOR["managers"].items()}}
    async with running_leadgate(database_url, **floor) as lg:
        lg.token = await create_token(lg.store.engine, "admin")
        lead = (await lg.post_form("contact", {"phone": "+998901110001"})).body["lead_id"]
        waiting = (await lg.get(f"/api/leads/{lead}")).body
        nameless = await lg.request("POST", f"/api/leads/{lead}/accept")
        taken = await lg.request("POST", f"/api/leads/{lead}/accept", json={"manager_id": AZIZ})

    assert waiting["status"] == "new" and waiting["manager_id"] is None
    assert waiting["routing"]["decision"]["reason"].startswith("no member can take it")
    assert nameless.status == 409 and "name the manager" in nameless.body["detail"]
    assert taken.status == 200 and taken.body["manager_id"] == AZIZ


async def test_wrong_lead_actions_get_clear_json_errors(database_url: str) -> None:
    async with running_leadgate(database_url, **FLOOR) as lg:
        lg.token = await create_token(lg.store.engine, "admin")
        lead = (await lg.post_form("contact", {"phone": "+998901110001"})).body["lead_id"]
        answers = {
            "missing": await lg.request("POST", "/api/leads/999/accept"),
            "bad status": await lg.request("POST", f"/api/leads/{lead}/close",
                                           json={"status": "maybe"}),
            "not json": await lg.request("POST", f"/api/leads/{lead}/close", data=b"{oops",
                                         headers={"Content-Type": "application/json"}),
            "bad manager": await lg.request("POST", f"/api/leads/{lead}/accept",
                                            json={"manager_id": "olga"}),
        }
        await lg.request("POST", f"/api/leads/{lead}/close", json={"status": "spam"})
        answers["closed"] = await lg.request("POST", f"/api/leads/{lead}/accept")
        lg.token = None
        answers["no token"] = await lg.request("POST", f"/api/leads/{lead}/accept")

    statuses = {name: (a.status, a.body["error"]) for name, a in answers.items()}
    assert statuses == {
        "missing": (404, "not_found"), "bad status": (422, "invalid"),
        "not json": (400, "malformed"), "bad manager": (422, "invalid"),
        "closed": (409, "conflict"), "no token": (401, "unauthorized"),
    }


async def test_the_card_belongs_to_the_manager_who_accepted_its_lead_not_to_the_one_offered_it(
    database_url: str,
) -> None:
    async with running_leadgate(database_url, **FLOOR) as lg:
        posted = (await lg.post_form("contact", {"phone": "+998901110003",
                                                 "utm_source": "instagram"})).body
        lg.token = await create_token(lg.store.engine, "admin")
        offered = (await lg.get(f"/api/leads/{posted['lead_id']}")).body
        before = (await lg.get(f"/api/customers/{posted['customer_id']}")).body
        lg.token = await create_token(lg.store.engine, "manager", "ira")
        await lg.request("POST", f"/api/leads/{posted['lead_id']}/pass")
        lg.token = await create_token(lg.store.engine, "manager", "timur")
        accepted = await lg.request("POST", f"/api/leads/{posted['lead_id']}/accept")
        lg.token = await create_token(lg.store.engine, "admin")
        after = (await lg.get(f"/api/customers/{posted['customer_id']}")).body

    assert offered["manager_id"] == IRA
    assert before["owner_manager_id"] is None  # an offer makes no owner
    assert (accepted.status, accepted.body["manager_id"]) == (200, TIMUR)
    assert after["owner_manager_id"] == TIMUR
