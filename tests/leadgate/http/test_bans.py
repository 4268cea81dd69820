"""A banned contact's events go to quarantine on every channel, unseen by the sender, and back."""

from __future__ import annotations

import asyncio
from typing import Any

from crm_store.tokens import create_token
from tests.channels.telephony.ami_server import AmiTestServer, load_trace
from tests.channels.telephony.conftest import (
    ASTERISK_SECTION,
    ami_server_fixture,  # noqa: F401 - a fixture
)
from tests.store_counts import row_counts
from tests.support.leadgate_http import LeadgateClient, running_leadgate

SMS = {"generic": {"token": "sms-token"}}
BANNED = "8 916 123-45-67"  # the caller of the captured AMI traces, written the Russian way


async def _kept(leadgate: LeadgateClient, count: int) -> list[dict[str, Any]]:
    """The quarantine once it holds `count` entries (the AMI channel is asynchronous)."""
    for _ in range(200):
        kept = await leadgate.get("/api/quarantine")
        if len(kept.body["quarantine"]) >= count:
            return list(kept.body["quarantine"])
        await asyncio.sleep(0.05)
    raise AssertionError(f"the quarantine never held {count} entries")


async def test_a_banned_phones_form_sms_and_call_are_quarantined_then_released_into_one_lead(
    database_url: str, ami_server: AmiTestServer
) -> None:
    pbx = {"asterisk": {**ASTERISK_SECTION, "port": ami_server.port}}
    async with running_leadgate(database_url, loops=("telephony",), sms=SMS, **pbx) as leadgate:
        leadgate.token = await create_token(leadgate.store.engine, "admin")
        banned = await leadgate.request("POST", "/api/bans", json={
            "kind": "phone", "value": BANNED, "region": "RU", "reason": "harasses the team"})
        form = await leadgate.post_form("price", {"name": "Spammer", "phone": BANNED,
                                                  "message": "buy now"})
        sms = await leadgate.request(
            "POST", "/sms/generic", json={"id": "s-1", "from": "+79161234567", "to": "1234",
                                          "text": "buy now"},
            headers={"Authorization": "Bearer sms-token"})
        await ami_server.logged_in()
        await ami_server.replay(load_trace("abandoned_while_ringing"), speed=50)
        kept = await _kept(leadgate, 3)
        counts = await row_counts(leadgate.store.engine)
        outbox = await leadgate.get("/metrics")
        released = [
            await leadgate.request("POST", f"/api/quarantine/{entry['id']}/release")
            for entry in reversed(kept)
        ]
        again = await leadgate.request("POST", f"/api/quarantine/{kept[0]['id']}/release")
        after = await leadgate.get("/api/quarantine?released=true")
        card = await leadgate.get(f"/api/customers/{released[0].body['customer_id']}")

    assert banned.status == 201 and banned.body["value"] == "+79161234567"
    assert (form.status, sms.status) == (201, 200) and form.body["lead_id"]  # looks stored
    assert counts["customers"] == counts["leads"] == counts["touches"] == 0
    assert "leadgate_outbox_unsent 0" in outbox.text
    assert sorted(e["channel"] for e in kept) == ["call", "sms", "webform"]
    assert all(e["ban_kind"] == "phone" for e in kept)
    assert all(e["raw_bytes"] for e in kept if e["channel"] != "call")
    assert all(r.status == 200 for r in released), [r.text for r in released]
    assert len({r.body["lead_id"] for r in released}) == 1
    assert len({r.body["touch_id"] for r in released}) == 3
    assert again.body["deduplicated"] is True
    assert len(after.body["quarantine"]) == 3
    [lead] = card.body["leads"]
    assert lead["callback_due_at"] is not None  # the missed call asks for a callback


async def test_bans_on_a_domain_and_an_ip_stop_forms_and_are_lifted(database_url: str) -> None:
    async with running_leadgate(database_url) as leadgate:
        leadgate.token = await create_token(leadgate.store.engine, "admin")
        domain = await leadgate.request("POST", "/api/bans",
                                        json={"kind": "domain", "value": "@Spam.Example"})
        by_domain = await leadgate.post_form("contact", {"email": "x@spam.example"})
        ip = await leadgate.request("POST", "/api/bans", json={"kind": "ip", "value": "127.0.0.1"})
        by_ip = await leadgate.post_form("contact", {"email": "someone@fine.example"})
        kept_count = len((await leadgate.get("/api/quarantine")).body["quarantine"])
        leads_count = (await row_counts(leadgate.store.engine))["leads"]
        lifted = await leadgate.request("DELETE", f"/api/bans/{ip.body['id']}")
        after = await leadgate.post_form("contact", {"email": "someone@fine.example"})
        listed = await leadgate.get("/api/bans")
        bad = await leadgate.request("POST", "/api/bans", json={"kind": "phone", "value": "12"})

    assert (domain.status, ip.status, lifted.status) == (201, 201, 200)
    assert by_domain.status == by_ip.status == 201
    assert by_domain.body["lead_id"] and by_ip.body["lead_id"]  # answered as if stored
    assert kept_count == 2 and leads_count == 0
    assert after.body["lead_id"] is not None
    assert [(b["kind"], b["value"]) for b in listed.body["bans"]] == [("domain", "spam.example")]
    assert bad.status == 422


async def test_spam_on_a_lead_offers_to_ban_its_contacts_and_bans_them_on_request(
    database_url: str,
) -> None:
    async with running_leadgate(database_url) as leadgate:
        leadgate.token = await create_token(leadgate.store.engine, "admin")
        first = await leadgate.post_form("contact", {"phone": "90 555 44 33",
                                                     "email": "bot@spam.example"})
        offered = await leadgate.request("POST", f"/api/leads/{first.body['lead_id']}/close",
                                         json={"status": "spam"})
        second = await leadgate.post_form("contact", {"phone": "90 555 44 33"})
        lead = second.body["lead_id"]
        banned = await leadgate.request("POST", f"/api/leads/{lead}/close",
                                        json={"status": "spam", "ban": True})
        third = await leadgate.post_form("contact", {"email": "bot@spam.example"})
        kept = (await leadgate.get("/api/quarantine")).body["quarantine"]

    offer = [(b["kind"], b["value"]) for b in offered.body["ban_offer"]]
    assert offer == [("phone", "+998905554433"), ("email", "bot@spam.example")]
    assert "banned" not in offered.body and second.body["lead_id"] is not None
    assert [(b["kind"], b["value"]) for b in banned.body["banned"]] == offer
    assert third.status == 201 and [k["channel"] for k in kept] == ["webform"]
