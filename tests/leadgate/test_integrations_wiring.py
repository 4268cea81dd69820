"""`leadgate run` with `[[webhooks]]` runs the sender loop: a form post reaches the receiver."""

from __future__ import annotations

import json

import pytest

from leadgate.integrations_wiring import build_integrations
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
    assert "webhooks" in health["channels"]  # supervised, so it shows on /healthz


def test_a_bad_webhooks_entry_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="webhooks"):
        settings = make_settings("sqlite://", webhooks=[{"url": "x"}])
        build_integrations(settings, None)  # type: ignore[arg-type]
