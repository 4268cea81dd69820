"""The integrations' loops (webhook sender, CRM exporters): each must run once per cluster."""

from __future__ import annotations

from channels.base import Channel
from integrations.webhooks.sender import WebhookSender
from integrations.webhooks.settings import webhooks_from_toml
from leadgate.bootstrap import Core
from leadgate.routing_wiring import Loop
from leadgate.settings import Settings
from leads.errors import ConfigError


def build_integrations(settings: Settings, core: Core) -> list[Channel]:
    """A supervised loop per configured integration, named for /healthz and singletons."""
    try:
        webhooks = webhooks_from_toml(settings.raw.get("webhooks"))
    except ValueError as err:
        raise ConfigError(str(err)) from err
    loops: list[Channel] = []
    if webhooks:
        sender = WebhookSender(core.engine, webhooks)
        loops.append(Loop(sender.name, sender.run))
    return loops
