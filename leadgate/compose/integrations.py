"""The integrations' loops (webhook sender, CRM exporters): each must run once per cluster."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.crm.amocrm import AmoCrm
from integrations.crm.bitrix24 import Bitrix24
from integrations.crm.exporter import Connector, CrmExporter
from integrations.crm.http import PacedClient
from integrations.crm.settings import CrmSettings, crm_from_toml
from integrations.webhooks.sender import WebhookSender
from integrations.webhooks.settings import webhooks_from_toml
from leadgate.settings import Settings
from leadgate.supervisor import Loop
from leads.errors import ConfigError


def build_integrations(settings: Settings, engine: AsyncEngine) -> list[Loop]:
    """A supervised loop per configured integration, named for /healthz and singletons."""
    try:
        webhooks = webhooks_from_toml(settings.raw.get("webhooks"))
        crms = crm_from_toml(settings.raw.get("crm"))
    except ValueError as err:
        raise ConfigError(str(err)) from err
    loops: list[Loop] = []
    if webhooks:
        sender = WebhookSender(engine, webhooks)
        loops.append(Loop(sender.name, sender.run))
    for crm in crms:
        exporter = CrmExporter(engine, crm, connector(crm))
        loops.append(Loop(exporter.name, exporter.run))
    return loops


def connector(settings: CrmSettings) -> Connector:
    """The API client of one CRM, paced to its documented request rate."""
    client = PacedClient(settings.requests_per_second, settings.timeout_seconds)
    return Bitrix24(settings, client) if settings.crm == "bitrix24" else AmoCrm(settings, client)
