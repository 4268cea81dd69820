"""A manager's reply to an SMS customer goes out through that provider's own send API."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest

from channels.sms.parse import InboundSms, to_event
from channels.sms.signatures import vonage_valid
from crm_store.tokens import create_token
from tests.support.leadgate_http import LeadgateClient, running_leadgate
from tests.support.sms_providers import SentRequest, SmsProvidersServer

CUSTOMER, OURS = "998901234567", "998712000000"


@pytest.fixture
async def providers() -> AsyncIterator[SmsProvidersServer]:
    async with SmsProvidersServer() as server:
        yield server


@pytest.fixture
async def leadgate(database_url: str, providers: SmsProvidersServer
                   ) -> AsyncIterator[LeadgateClient]:
    """Every provider configured to send through the local provider server."""
    base = providers.base_url
    sms = {
        "twilio": {"auth_token": "tw-token", "account_sid": "AC0123", "api_base": base},
        "plivo": {"auth_token": "pl-token", "auth_id": "MA0123", "api_base": base},
        "vonage": {"signature_secret": "vn-sig", "api_key": "vn-key", "api_base": base},
        "infobip": {"secret": "ib", "api_key": "ib-key", "base_url": base, "from": "Leadgate"},
        "generic": {"token": "gen"},
        "outbound": {"url": f"{base}/gateway/send", "token": "out-token", "from": f"+{OURS}"},
    }
    async with running_leadgate(database_url, sms=sms,
                                public_url="https://leads.example.uz") as client:
        client.token = await create_token(client.store.engine, "admin")
        yield client


async def answered(leadgate: LeadgateClient, provider: str, text: str) -> tuple[Any, int]:
    sms = InboundSms(provider, f"{provider}-in-1", CUSTOMER, OURS, "Salom, narxi qancha?")
    stored = await leadgate.store.intake(to_event(sms, "UZ"))
    assert stored.lead_id is not None
    answer = await leadgate.request("POST", f"/api/leads/{stored.lead_id}/reply",
                                    json={"text": text})
    assert answer.status == 201, answer.body
    touches = (await leadgate.get(f"/api/leads/{stored.lead_id}")).body["touches"]
    assert (touches[-1]["channel"], touches[-1]["direction"], touches[-1]["text"]) == (
        "sms", "outbound", text)
    return answer.body, stored.lead_id


def basic(request: SentRequest) -> tuple[str, str]:
    scheme, token = request.headers["Authorization"].split(" ", 1)
    assert scheme == "Basic"
    user, password = base64.b64decode(token).decode().split(":", 1)
    return user, password


async def test_twilio_sends_from_the_number_the_customer_wrote_to(
    leadgate: LeadgateClient, providers: SmsProvidersServer
) -> None:
    body, _ = await answered(leadgate, "twilio", "Narxi 120 000 so'm")

    [sent] = providers.requests
    assert sent.path == "/2010-04-01/Accounts/AC0123/Messages.json"
    assert basic(sent) == ("AC0123", "tw-token")
    assert sent.form == {"To": f"+{CUSTOMER}", "From": f"+{OURS}", "Body": "Narxi 120 000 so'm"}
    assert body["external_id"].startswith("twilio:SM")


async def test_plivo_sends_json_with_its_auth_id(
    leadgate: LeadgateClient, providers: SmsProvidersServer
) -> None:
    await answered(leadgate, "plivo", "Rahmat!")

    [sent] = providers.requests
    assert sent.path == "/v1/Account/MA0123/Message/"
    assert basic(sent) == ("MA0123", "pl-token")
    assert sent.json == {"src": OURS, "dst": CUSTOMER, "text": "Rahmat!"}


async def test_vonage_requests_are_signed_with_the_signature_secret(
    leadgate: LeadgateClient, providers: SmsProvidersServer
) -> None:
    await answered(leadgate, "vonage", "Спасибо!")

    [sent] = providers.requests
    assert sent.path == "/sms/json"
    assert sent.form["api_key"] == "vn-key" and "api_secret" not in sent.form
    assert (sent.form["to"], sent.form["from"], sent.form["type"]) == (CUSTOMER, OURS, "unicode")
    assert vonage_valid("vn-sig", sent.form)


async def test_infobip_sends_with_its_api_key_from_the_configured_sender(
    leadgate: LeadgateClient, providers: SmsProvidersServer
) -> None:
    await answered(leadgate, "infobip", "Thanks!")

    [sent] = providers.requests
    assert sent.path == "/sms/2/text/advanced"
    assert sent.headers["Authorization"] == "App ib-key"
    assert sent.json == {"messages": [{"from": "Leadgate", "destinations": [{"to": CUSTOMER}],
                                       "text": "Thanks!"}]}


async def test_the_generic_gateway_gets_its_documented_send_call(
    leadgate: LeadgateClient, providers: SmsProvidersServer
) -> None:
    body, _ = await answered(leadgate, "generic", "Ok")

    [sent] = providers.requests
    assert sent.path == "/gateway/send"
    assert sent.headers["Authorization"] == "Bearer out-token"
    assert sent.json == {"to": f"+{CUSTOMER}", "from": f"+{OURS}", "text": "Ok"}
    assert body["external_id"] == "generic:gateway-1"
