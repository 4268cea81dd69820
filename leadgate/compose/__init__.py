"""The composition root: `bootstrap(settings)` builds the whole service, once, in order.

One module per room, each only constructing and returning: `store` (the engine, the intake
writer, the desk, the outbox signal every writer rings), `channels` (what the configuration
enables), `routing` (relay, SLA timer, notifiers, silence watch), `replies`, `integrations`;
then the metrics, the workspace and the HTTP app. Nothing is rewired after it is built, and
nothing touches the network or the database until the `Service` is opened with `async with`.
`leadgate run`, every CLI command and the tests all start here.
"""

from __future__ import annotations

from typing import TypedDict, Unpack

from crm_store.routing_store import SqlRoutingStore
from leadgate.compose.channels import build_channels
from leadgate.compose.integrations import build_integrations
from leadgate.compose.replies import acknowledgement_loops, build_replies
from leadgate.compose.routing import build_routing
from leadgate.compose.service import Service
from leadgate.compose.store import Store, build_store
from leadgate.health import Health
from leadgate.http.app import build_app
from leadgate.metrics import MetricReading, Metrics
from leadgate.settings import Settings
from leads.ports import LeadRouter
from workspace import WorkspaceDeps, build_workspace

__all__ = ["Overrides", "Service", "Store", "bootstrap"]


class Overrides(TypedDict, total=False):
    """Parts a caller (a test, a benchmark) brings instead of the configured ones."""

    router: LeadRouter[SqlRoutingStore]


def bootstrap(settings: Settings, **overrides: Unpack[Overrides]) -> Service:
    """Build the whole service in dependency order; ConfigError names a section that cannot be
    used. Open it with `async with bootstrap(settings) as service:`."""
    store = build_store(settings, overrides.get("router"))
    health = Health()
    channels = build_channels(settings, store, health)
    routing = build_routing(settings, store, health, channels.telegram_bots())
    replies = build_replies(settings, store, channels)
    integrations = [*build_integrations(settings, store.engine),
                    *acknowledgement_loops(settings, store.engine, replies)]
    committer = store.committer
    metrics = Metrics(health, [
        *routing.readings,
        MetricReading("leadgate_intake_groups", "Intake transactions committed with their group "
                      "whole.", lambda: committer.groups),
        MetricReading("leadgate_intake_grouped_events", "Events committed in those transactions.",
                      lambda: committer.grouped)])
    workspace = build_workspace(WorkspaceDeps(
        store.engine, store.desk, written=store.outbox.ring,
        default_region=settings.default_region, public_url=settings.public_url,
        timezone=settings.raw.get("timezone"), originator=channels.originator, replier=replies))
    app = build_app(settings, engine=store.engine, intake=store.intake, desk=store.desk,
                    outbox=store.outbox, health=health, metrics=metrics, locks=store.locks,
                    webhooks=channels.webhooks, extra_routes=routing.routes,
                    originator=channels.originator, reply_service=replies, workspace=workspace)
    return Service(settings, store, health, metrics, channels, routing, replies, integrations, app)
