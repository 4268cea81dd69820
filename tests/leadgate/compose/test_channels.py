"""Channels enabled in the config are served by the one HTTP app."""

from __future__ import annotations

from tests.support.leadgate_http import running_leadgate


async def test_sms_section_in_the_config_serves_the_generic_sms_webhook(database_url: str) -> None:
    async with running_leadgate(database_url, sms={"generic": {"token": "t0ken"}}) as leadgate:
        body = {"id": "m-1", "from": "+998901234567", "to": "+998712000000", "text": "Salom"}
        refused = await leadgate.request("POST", "/sms/generic", json=body)
        accepted = await leadgate.request(
            "POST", "/sms/generic", json=body, headers={"Authorization": "Bearer t0ken"}
        )

    assert refused.status == 403
    assert accepted.status == 200, accepted.text
