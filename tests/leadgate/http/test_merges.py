"""Cards merged by hand or by intake can be undone exactly; merging folds open leads into one."""

from __future__ import annotations

from typing import Any

from crm_store.staff import SqlStaffStore
from crm_store.tokens import create_token
from tests.support.leadgate_http import LeadgateClient, running_leadgate


async def _post(leadgate: LeadgateClient, fields: dict[str, Any]) -> dict[str, Any]:
    posted = await leadgate.post_form("contact", fields)
    assert posted.status == 201, posted.text
    return dict(posted.body)


async def _card(leadgate: LeadgateClient, customer_id: int) -> dict[str, Any]:
    answer = await leadgate.get(f"/api/customers/{customer_id}")
    assert answer.status == 200, answer.text
    return dict(answer.body)


async def _accepted_by(leadgate: LeadgateClient, lead_id: int, login: str) -> None:
    async with leadgate.store.engine.begin() as conn:
        manager = await SqlStaffStore(conn).upsert_manager(login, {"name": login.title()})
    accepted = await leadgate.request("POST", f"/api/leads/{lead_id}/accept",
                                      json={"manager_id": manager})
    assert accepted.status == 200, accepted.text


async def _two_people(leadgate: LeadgateClient) -> tuple[dict[str, Any], dict[str, Any]]:
    leadgate.token = await create_token(leadgate.store.engine, "admin")
    one = await _post(leadgate, {"name": "Ольга Смирнова", "phone": "90 123 45 67",
                                 "message": "price?"})
    await _post(leadgate, {"phone": "90 123 45 67", "email": "olga@work.uz"})
    other = await _post(leadgate, {"name": "Olga Smirnova", "email": "olga.s@gmail.com",
                                   "message": "call me"})
    await _post(leadgate, {"email": "olga.s@gmail.com", "message": "still waiting"})
    await _accepted_by(leadgate, other["lead_id"], "aziz")
    return one, other


async def test_undo_of_a_manual_merge_restores_both_cards_exactly(database_url: str) -> None:
    async with running_leadgate(database_url) as leadgate:
        one, other = await _two_people(leadgate)
        before = [await _card(leadgate, one["customer_id"]),
                  await _card(leadgate, other["customer_id"])]
        merged = await leadgate.request("POST", f"/api/customers/{one['customer_id']}/merge",
                                        json={"from": other["customer_id"]})
        survivor = await _card(leadgate, other["customer_id"])
        undone = await leadgate.request("POST", f"/api/merges/{merged.body['merge_id']}/undo")
        after = [await _card(leadgate, one["customer_id"]),
                 await _card(leadgate, other["customer_id"])]
        again = await leadgate.request("POST", f"/api/merges/{merged.body['merge_id']}/undo")

    assert merged.status == 200 and undone.status == 200, (merged.text, undone.text)
    assert survivor["id"] == one["customer_id"] and len(survivor["identities"]) == 3
    assert survivor["owner_manager_id"] == before[1]["owner_manager_id"]
    assert after == before
    assert again.status == 409


async def test_a_merge_folds_two_open_leads_into_the_older_one_in_the_same_hands(
    database_url: str,
) -> None:
    async with running_leadgate(database_url) as leadgate:
        one, other = await _two_people(leadgate)
        merged = await leadgate.request("POST", f"/api/customers/{one['customer_id']}/merge",
                                        json={"from": other["customer_id"]})
        card = await _card(leadgate, one["customer_id"])
        later = await _post(leadgate, {"email": "olga.s@gmail.com", "message": "hello?"})

    leads = {lead["id"]: lead for lead in card["leads"]}
    assert merged.status == 200
    assert leads[one["lead_id"]]["status"] == "accepted"
    assert leads[one["lead_id"]]["manager_id"] == leads[other["lead_id"]]["manager_id"]
    assert leads[other["lead_id"]]["status"] == "merged"
    assert {t["lead_id"] for t in card["timeline"]} == {one["lead_id"]}
    assert len(card["timeline"]) == 4
    [record] = card["merges"]
    [fold, _kept] = record["moved"]["fold"]
    assert (fold["lead"], fold["into_lead"]) == (other["lead_id"], one["lead_id"])
    assert fold["decision"]
    assert later["lead_id"] == one["lead_id"]


async def test_undo_of_an_automatic_merge_gives_the_other_card_back(database_url: str) -> None:
    async with running_leadgate(database_url) as leadgate:
        one, other = await _two_people(leadgate)
        before = await _card(leadgate, other["customer_id"])
        proof = await _post(leadgate, {"phone": "90 123 45 67", "email": "olga.s@gmail.com"})
        merged = await _card(leadgate, proof["customer_id"])
        undone = await leadgate.request("POST", f"/api/merges/{merged['merges'][0]['id']}/undo")
        after = await _card(leadgate, other["customer_id"])
        survivor = await _card(leadgate, one["customer_id"])

    assert proof["customer_id"] == one["customer_id"]
    assert merged["merges"][0]["identity_kind"] in ("phone", "email")
    assert undone.status == 200, undone.text
    assert after == before
    assert proof["touch_id"] in {t["id"] for t in survivor["timeline"]}
    assert survivor["merges"] == []


async def test_undo_is_refused_while_a_later_merge_builds_on_it(database_url: str) -> None:
    async with running_leadgate(database_url) as leadgate:
        one, other = await _two_people(leadgate)
        third = await _post(leadgate, {"name": "O. Smirnova", "phone": "+998 93 000 00 01"})
        into = one["customer_id"]
        first = await leadgate.request("POST", f"/api/customers/{into}/merge",
                                       json={"from": other["customer_id"]})
        second = await leadgate.request("POST", f"/api/customers/{into}/merge",
                                        json={"from": third["customer_id"]})
        refused = await leadgate.request("POST", f"/api/merges/{first.body['merge_id']}/undo")
        undo_second = await leadgate.request(
            "POST", f"/api/merges/{second.body['merge_id']}/undo")
        undo_first = await leadgate.request("POST", f"/api/merges/{first.body['merge_id']}/undo")

    assert refused.status == 409 and str(second.body["merge_id"]) in refused.body["detail"]
    assert (undo_second.status, undo_first.status) == (200, 200)


async def test_merges_that_cannot_be_made_are_refused_with_a_reason(database_url: str) -> None:
    async with running_leadgate(database_url) as leadgate:
        one, other = await _two_people(leadgate)
        into, other_id = one["customer_id"], other["customer_id"]
        itself = await leadgate.request("POST", f"/api/customers/{into}/merge",
                                        json={"from": into})
        unknown = await leadgate.request("POST", f"/api/customers/{into}/merge",
                                         json={"from": 999})
        no_body = await leadgate.request("POST", f"/api/customers/{into}/merge", json={})
        await leadgate.request("POST", f"/api/customers/{into}/merge", json={"from": other_id})
        twice = await leadgate.request("POST", f"/api/customers/{into}/merge",
                                       json={"from": other_id})
        no_merge = await leadgate.request("POST", "/api/merges/999/undo")
        leadgate.token = await create_token(leadgate.store.engine, "manager", "aziz")
        manager = await leadgate.request("POST", f"/api/customers/{into}/merge",
                                         json={"from": other_id})

    assert (itself.status, unknown.status, no_body.status) == (409, 404, 422)
    assert twice.status == 409 and "merged" in twice.body["detail"]
    assert no_merge.status == 404 and manager.status == 403
