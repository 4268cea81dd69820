"""A banned contact's events go to quarantine on every channel, unseen by the sender, and back."""

from __future__ import annotations

from datetime import timedelta

from crm_store.tokens import create_token
from leads.model import ContactEvent, RawIdentity, utcnow
from tests.store_counts import row_counts
from tests.support.leadgate_http import LeadgateClient, running_leadgate

SMS = {"generic": {"token": "sms-token"}}
BANNED = "+998 90 123 45 67"


def missed_call(linkedid: str) -> ContactEvent:
    """A missed call as the Asterisk channel hands it to intake."""
    return ContactEvent(
        "call", linkedid, utcnow() - timedelta(minutes=1),
        (RawIdentity("phone", "998901234567"),), name="Spammer",
        attribution={"did": "74951234567"}, details={"disposition": "missed"},
        callback="request",
    )


async def _three_contacts(leadgate: LeadgateClient) -> None:
    form = await leadgate.post_form("contact", {"name": "Spammer", "phone": "90 123 45 67",
                                                "message": "buy now"})
    sms = await leadgate.request(
        "POST", "/sms/generic", json={"id": "s-1", "from": "+998901234567", "to": "1234",
                                      "text": "buy now"},
        headers={"Authorization": "Bearer sms-token"})
    call = await leadgate.core.sink(missed_call("1700000000.1"))
    assert (form.status, sms.status) == (201, 200), (form.text, sms.text)
    assert form.body["lead_id"] is None and call.lead_id is None and call.quarantined


async def test_a_banned_phones_form_sms_and_call_are_quarantined_then_released_into_one_lead(
    database_url: str,
) -> None:
    async with running_leadgate(database_url, sms=SMS) as leadgate:
        leadgate.token = await create_token(leadgate.core.engine, "admin")
        banned = await leadgate.request("POST", "/api/bans", json={
            "kind": "phone", "value": BANNED, "reason": "harasses the team"})
        await _three_contacts(leadgate)
        counts = await row_counts(leadgate.core.engine)
        kept = await leadgate.get("/api/quarantine")
        outbox = await leadgate.get("/metrics")
        released = [
            await leadgate.request("POST", f"/api/quarantine/{entry['id']}/release")
            for entry in reversed(kept.body["quarantine"])
        ]
        again = await leadgate.request(
            "POST", f"/api/quarantine/{kept.body['quarantine'][0]['id']}/release")
        after = await leadgate.get("/api/quarantine?released=true")
        redelivered = await leadgate.core.sink(missed_call("1700000000.1"))

    assert banned.status == 201 and banned.body["value"] == "+998901234567"
    assert counts["customers"] == counts["leads"] == counts["touches"] == 0
    assert "leadgate_outbox_unsent 0" in outbox.text
    entries = kept.body["quarantine"]
    assert sorted(e["channel"] for e in entries) == ["call", "sms", "webform"]
    assert all(e["ban_kind"] == "phone" for e in entries)
    assert all(e["raw_bytes"] for e in entries if e["channel"] != "call")
    assert all(r.status == 200 for r in released), [r.text for r in released]
    assert len({r.body["lead_id"] for r in released}) == 1
    assert len({r.body["touch_id"] for r in released}) == 3
    assert again.body["deduplicated"] is True
    assert len(after.body["quarantine"]) == 3
    assert redelivered.deduplicated and redelivered.lead_id == released[0].body["lead_id"]


async def test_bans_on_a_domain_and_an_ip_stop_forms_and_are_lifted(database_url: str) -> None:
    async with running_leadgate(database_url) as leadgate:
        leadgate.token = await create_token(leadgate.core.engine, "admin")
        domain = await leadgate.request("POST", "/api/bans",
                                        json={"kind": "domain", "value": "@Spam.Example"})
        by_domain = await leadgate.post_form("contact", {"email": "x@spam.example"})
        ip = await leadgate.request("POST", "/api/bans", json={"kind": "ip", "value": "127.0.0.1"})
        by_ip = await leadgate.post_form("contact", {"email": "someone@fine.example"})
        lifted = await leadgate.request("DELETE", f"/api/bans/{ip.body['id']}")
        after = await leadgate.post_form("contact", {"email": "someone@fine.example"})
        listed = await leadgate.get("/api/bans")
        bad = await leadgate.request("POST", "/api/bans", json={"kind": "phone", "value": "12"})

    assert (domain.status, ip.status, lifted.status) == (201, 201, 200)
    assert by_domain.status == by_ip.status == 201
    assert by_domain.body["lead_id"] is None and by_ip.body["lead_id"] is None
    assert after.body["lead_id"] is not None
    assert [(b["kind"], b["value"]) for b in listed.body["bans"]] == [("domain", "spam.example")]
    assert bad.status == 422


async def test_spam_on_a_lead_offers_to_ban_its_contacts_and_bans_them_on_request(
    database_url: str,
) -> None:
    async with running_leadgate(database_url) as leadgate:
        leadgate.token = await create_token(leadgate.core.engine, "admin")
        first = await leadgate.post_form("contact", {"phone": "90 555 44 33",
                                                     "email": "bot@spam.example"})
        offered = await leadgate.request("POST", f"/api/leads/{first.body['lead_id']}/close",
                                         json={"status": "spam"})
        second = await leadgate.post_form("contact", {"phone": "90 555 44 33"})
        lead = second.body["lead_id"]
        banned = await leadgate.request("POST", f"/api/leads/{lead}/close",
                                        json={"status": "spam", "ban": True})
        third = await leadgate.post_form("contact", {"email": "bot@spam.example"})

    offer = [(b["kind"], b["value"]) for b in offered.body["ban_offer"]]
    assert offer == [("phone", "+998905554433"), ("email", "bot@spam.example")]
    assert "banned" not in offered.body and second.body["lead_id"] is not None
    assert [(b["kind"], b["value"]) for b in banned.body["banned"]] == offer
    assert third.body["lead_id"] is None
