"""The one aiohttp application: forms and webhooks, the API, the workspace, health and metrics.

Each handler module reads only the app keys of what it uses (the engine, the desk, the reply
service...); nothing hands a handler the whole service.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.base import WebhookChannel
from crm_store.intake_writer import IntakeWriter
from crm_store.outbox import OutboxSignal
from crm_store.singleton_locks import SingletonLocks
from leadgate.health import Health
from leadgate.http import (
    bans,
    customers,
    duplicates,
    lead_actions,
    merges,
    openapi,
    recordings,
    replies,
    reports,
    status,
    telephony,
)
from leadgate.http.journal import JournalSettings, journal_refusals
from leadgate.http.keys import DEFAULT_REGION, ENGINE
from leadgate.http.middleware import bearer_auth, json_errors
from leadgate.http.noise import quiet_unreadable_requests
from leadgate.metrics import Metrics
from leadgate.settings import Settings
from leads.errors import ConfigError
from routing.desk import LeadDesk
from routing.replies import ReplyService


def build_app(
    settings: Settings,
    *,
    engine: AsyncEngine,
    intake: IntakeWriter,
    desk: LeadDesk,
    outbox: OutboxSignal,
    health: Health,
    metrics: Metrics,
    locks: SingletonLocks | None,
    webhooks: Iterable[WebhookChannel] = (),
    extra_routes: Iterable[web.AbstractRouteDef] = (),
    originator: telephony.Originator | None = None,
    reply_service: ReplyService | None = None,
    workspace: web.Application | None = None,
) -> web.Application:
    """The HTTP app serving `webhooks` (each counted by `metrics`), the API and `extra_routes`."""
    quiet_unreadable_requests()
    app = web.Application(
        middlewares=[json_errors, bearer_auth(engine), bans.admin_only,
                     journal_refusals(engine, _journal_settings(settings))],
        client_max_size=4 * 1024**2,
    )
    app[ENGINE] = engine
    app[DEFAULT_REGION] = settings.default_region
    app[bans.INTAKE] = intake
    app[lead_actions.DESK] = desk
    app[lead_actions.OUTBOX] = outbox
    app[recordings.ASTERISK] = settings.section("asterisk")
    app[reports.TIMEZONE] = settings.timezone
    app[status.HEALTH] = health
    app[status.METRICS] = metrics
    app[status.LOCKS] = locks
    if originator is not None:
        app[telephony.ORIGINATOR] = originator
    if reply_service is not None:
        app[replies.REPLIES] = reply_service
    for channel in webhooks:
        app.add_routes(channel.routes(metrics.observe(channel.name, intake)))
    for module in (customers, lead_actions, duplicates, merges, bans, telephony, reports,
                   replies, recordings):
        app.add_routes(module.routes)
    app.add_routes(list(extra_routes))
    app.add_routes([web.get("/healthz", status.healthz), web.get("/metrics", status.metrics)])
    app.add_routes([web.get(openapi.PATH, openapi.serve_openapi)])
    if workspace is not None:
        app.add_subapp("/app/", workspace)
    return app


def _journal_settings(settings: Settings) -> JournalSettings:
    try:
        return JournalSettings.from_toml(settings.section("journal"))
    except ValueError as err:
        raise ConfigError(str(err)) from err
